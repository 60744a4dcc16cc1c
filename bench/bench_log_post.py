"""POST /api/v1/logs/ (a 10-entry daily log, token auth) beside the trivial /healthz, one gunicorn.

Each client is its own bench patient with its own token and posts that patient's log for one of
the last 28 days in turn, so clients never wait on each other's rows. The bench patients' logs are
cleared first, so every run starts alike: a client's first 28 posts create days (201), later ones
replace them (200); both count as successes and the split is printed.

Run: make bench   (or .venv/bin/python bench/bench_log_post.py [--seconds 10] [--clients 16])
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import bench_environment, django_shell, drive, gunicorn_server, prepare_database

DAYS = 28  # 1 to 28 days back: inside the API's 30-day window, clear of midnight at either end

SETUP = """
import datetime as dt, json
from accounts import credentials, services
from accounts.models import User
from symptoms.models import DailyLog
team = services.care_team_get_or_create(name="Bench team")
tokens, dates = [], None
for n in range({clients}):
    email = f"bench.logger{{n}}@example.org"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = services.patient_enrol(email=email, name=f"Bench Logger {{n}}", care_team=team,
                                      timezone="Europe/London", sites=["bone", "liver"],
                                      invite=False)
    DailyLog.objects.filter(patient=user).delete()
    tokens.append(credentials.api_token_issue(user=user, device="bench").key)
    today = user.patient_profile.local_today()
    dates = [(today - dt.timedelta(days=k)).isoformat() for k in range(1, {days} + 1)]
print(json.dumps({{"tokens": tokens, "dates": dates}}))
"""

SEVERITY_SYMPTOMS = (
    "bone_pain",
    "back_pain",
    "abdominal_pain",
    "itching",
    "fatigue",
    "nausea",
    "appetite_loss",
    "neuropathy",
)


def log_body(client: int, n: int, dates: list[str]) -> bytes:
    """Ten entries (eight severities, a yes/no, a temperature), varying from request to request."""
    entries: list[dict[str, object]] = [
        {"symptom": code, "severity": (client + n + i) % 8}
        for i, code in enumerate(SEVERITY_SYMPTOMS)
    ]
    entries.append({"symptom": "fracture", "present": False})
    entries.append({"symptom": "fever", "value": round(36.5 + (n % 10) / 10, 1)})
    body = {"date": dates[n % len(dates)], "entries": entries, "notes": "Bench log."}
    return json.dumps(body).encode()


def check_endpoint(port: int, token: str, dates: list[str]) -> None:
    """One POST first, so a missing or broken endpoint says so instead of printing errors."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "POST",
        "/api/v1/logs/",
        body=log_body(0, 0, dates),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    connection.close()
    if response.status not in (200, 201):
        sys.exit(f"POST /api/v1/logs/ answered {response.status}, not 200/201: {text[:300]}")
    entries = json.loads(text).get("entries", [])
    if len(entries) != 10:
        sys.exit(f"POST /api/v1/logs/ saved {len(entries)} entries, not 10: {text[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    args = parser.parse_args()

    env = bench_environment()
    prepare_database(env)
    setup = json.loads(
        django_shell(env, SETUP.format(clients=args.clients, days=DAYS)).splitlines()[-1]
    )
    tokens, dates = setup["tokens"], setup["dates"]

    with gunicorn_server(env, workers=args.workers, threads=args.threads) as port:
        check_endpoint(port, tokens[0], dates)
        common = {"clients": args.clients, "seconds": args.seconds}
        drive(port, label="warm-up", method="GET", path="/healthz", clients=4, seconds=1.0)
        trivial = drive(
            port, label="GET /healthz (trivial)", method="GET", path="/healthz", **common
        )
        post = drive(
            port,
            label="POST /api/v1/logs/ (10)",
            method="POST",
            path="/api/v1/logs/",
            headers={"Content-Type": "application/json"},
            headers_for=lambda client: {"Authorization": f"Token {tokens[client]}"},
            body_for=lambda client, n: log_body(client, n, dates),
            expect_status=(200, 201),
            **common,
        )

    print(
        f"bench_log_post: gunicorn gthread {args.workers}x{args.threads}, {args.clients} clients "
        f"(one bench patient each), {args.seconds:.0f} s each, {os.cpu_count()} cores"
    )
    for result in (trivial, post):
        print("  " + result.line())
        print("  " + result.cpu_line())
    ratio = post.rps / trivial.rps if trivial.rps else float("nan")
    print(f"  throughput ratio log POST : trivial = {ratio:.2f}   (target >= 0.50)")
    print(f"  log POST p95 = {post.percentile(0.95):.1f} ms   (target < 50 ms)")


if __name__ == "__main__":
    main()

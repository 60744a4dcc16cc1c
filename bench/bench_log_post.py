"""POST /api/v1/logs/ (a 10-entry daily log, token auth) beside its floor and the trivial /healthz.

The floor is the least Django + DRF can do for the same request (bench/floor: token auth, a
serializer for the same body, one transaction that upserts the log and its entries, the log as
JSON), in a database of its own on the same server, behind a gunicorn with the same settings. The
same clients send the same bodies to both, in the same run; the ratio log POST : floor is what the
app's own work costs (target >= 0.60).

The load comes from wrk (Debian's package; bench/log_post.lua builds the bodies), one thread per
connection, so the driver takes next to nothing from the cores being measured. Without wrk the
Python driver in harness.py is used instead, and says so.

Each client is its own bench patient with its own token and posts that patient's log for one of
the last 28 days in turn, so clients never wait on each other's rows. The bench patients' logs are
cleared first, so every run starts alike: a client's first 28 posts create days (201), later ones
replace them (200); both count as successes and the split is printed.

Run: make bench   (or .venv/bin/python bench/bench_log_post.py [--seconds 10] [--clients 16]
     [--workers 2] [--threads 4] [--driver wrk|python])
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (
    ROOT,
    LoadResult,
    WrkResult,
    bench_environment,
    django_shell,
    drive,
    gunicorn_app,
    gunicorn_server,
    prepare_database,
    wrk_path,
    wrk_run,
)

LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "log_post.lua")

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
from django.db import connection
with connection.cursor() as cursor:  # see ANALYZE below
    cursor.execute(ANALYZE.format(tables="symptoms_dailylog, symptoms_logentry"))
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


FLOOR_SETUP = """
import json
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from bench.floor.models import FloorLog
tokens = []
for n in range({clients}):
    user, _ = User.objects.get_or_create(username=f"bench.logger{{n}}")
    FloorLog.objects.filter(patient=user).delete()
    tokens.append(Token.objects.get_or_create(user=user)[0].key)
from django.db import connection
with connection.cursor() as cursor:  # see ANALYZE below
    cursor.execute(ANALYZE.format(tables="floor_floorlog, floor_floorentry"))
print(json.dumps(tokens))
"""

# Each run deletes and rewrites thousands of log rows. A live database's autovacuum keeps the
# planner's statistics current; a bench server may run without it (or behind), and with no
# statistics PostgreSQL plans the month-of-logs read as a scan of every entry. So both
# databases start each run vacuumed and analysed, alike.
ANALYZE = "VACUUM ANALYZE {tables}"


def floor_environment(env: dict[str, str]) -> dict[str, str]:
    """The floor's settings (bench/floor/settings.py: the bench database's name + _floor)."""
    return {**env, "DJANGO_SETTINGS_MODULE": "bench.floor.settings", "PYTHONPATH": str(ROOT)}


def prepare_floor(env: dict[str, str], clients: int) -> list[str]:
    """Create and migrate the floor's database, give it one user and token per client and clear
    their logs (so both endpoints start each run with creates, then replace). Its tokens."""
    name = urlsplit(env["DATABASE_URL"]).path.lstrip("/") + "_floor"
    code = (
        "import os, psycopg; from urllib.parse import urlsplit; "
        "u = urlsplit(os.environ['DATABASE_URL']); "
        "c = psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, "
        "password=u.password, dbname='postgres', autocommit=True); "
        "name = os.environ['FLOOR_DATABASE']; "
        "exists = c.execute('select 1 from pg_database where datname=%s', [name]).fetchone(); "
        "exists or c.execute(f'create database \"{name}\"')"
    )
    subprocess.run([sys.executable, "-c", code], env={**env, "FLOOR_DATABASE": name}, check=True)
    floor = floor_environment(env)
    django = [sys.executable, "-m", "django"]
    subprocess.run([*django, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=floor, check=True)
    output = subprocess.run(
        [
            *django,
            "shell",
            "--no-imports",
            "-c",
            f"ANALYZE = {ANALYZE!r}\n" + FLOOR_SETUP.format(clients=clients),
        ],
        cwd=ROOT,
        env=floor,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


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


def measure_posts(
    port: int,
    *,
    label: str,
    tokens: list[str],
    dates: list[str],
    clients: int,
    seconds: float,
    use_wrk: bool,
    token_file: str,
) -> LoadResult | WrkResult:
    """The same clients and bodies for either endpoint: wrk with bench/log_post.lua, or the
    Python driver."""
    if use_wrk:
        with open(token_file, "w") as out:
            out.write(" ".join(dates) + "\n" + "\n".join(tokens) + "\n")
        return wrk_run(
            port,
            label=label,
            path="/api/v1/logs/",
            script=LUA,
            clients=clients,
            seconds=seconds,
            expect_status=(200, 201),
            script_env={"LOG_POST_TOKENS": token_file},
        )
    return drive(
        port,
        label=label,
        method="POST",
        path="/api/v1/logs/",
        headers={"Content-Type": "application/json"},
        headers_for=lambda client: {"Authorization": f"Token {tokens[client]}"},
        body_for=lambda client, n: log_body(client, n, dates),
        expect_status=(200, 201),
        clients=clients,
        seconds=seconds,
    )


def combine(results: list[LoadResult | WrkResult]) -> LoadResult | WrkResult:
    """One endpoint's rounds as one result: counts and times add up; the Python driver's
    latencies are pooled, wrk's percentiles are the median of the rounds'."""
    first = results[0]
    statuses: Counter[int] = Counter()
    for result in results:
        statuses.update(result.statuses)
    requests = sum(result.requests for result in results)
    errors = sum(result.errors for result in results)
    seconds = sum(result.seconds for result in results)
    busy = statistics.mean(result.machine_busy for result in results)
    if isinstance(first, WrkResult):
        return WrkResult(
            first.label,
            requests,
            errors,
            seconds,
            statistics.median(result.p50_ms for result in results),  # type: ignore[union-attr]
            statistics.median(result.p95_ms for result in results),  # type: ignore[union-attr]
            statuses,
            busy,
        )
    return LoadResult(
        first.label,
        requests,
        errors,
        seconds,
        [ms for result in results for ms in result.latencies_ms],  # type: ignore[union-attr]
        statuses,
        sum(result.driver_cpu_seconds for result in results),  # type: ignore[union-attr]
        busy,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="the floor and the log POST take turns this many times (default 2)",
    )
    parser.add_argument(
        "--driver",
        choices=("wrk", "python"),
        default="wrk",
        help="load generator (default wrk; the Python driver when wrk is not installed)",
    )
    args = parser.parse_args()
    use_wrk = args.driver == "wrk" and wrk_path() is not None
    if args.driver == "wrk" and not use_wrk:
        print(
            "bench_log_post: wrk is not installed, so the Python driver is used instead; it "
            "shares the cores being measured and holds the faster endpoints down. Install wrk "
            "(apt-get install wrk, or make bench as root) for the figures to quote."
        )

    env = bench_environment()
    prepare_database(env)
    setup = json.loads(
        django_shell(
            env, f"ANALYZE = {ANALYZE!r}\n" + SETUP.format(clients=args.clients, days=DAYS)
        ).splitlines()[-1]
    )
    tokens, dates = setup["tokens"], setup["dates"]
    floor_tokens = prepare_floor(env, args.clients)
    common = {"clients": args.clients, "seconds": args.seconds}
    posts = {"dates": dates, "use_wrk": use_wrk, **common}
    gunicorn = {"workers": args.workers, "threads": args.threads}

    # Both servers run side by side and the endpoints take turns, round after round, so a burst
    # of other work on the machine falls on both alike rather than on whichever ran then.
    rounds = max(1, args.rounds)
    posts["seconds"] = args.seconds / rounds
    floors: list[LoadResult | WrkResult] = []
    apps: list[LoadResult | WrkResult] = []
    with (
        tempfile.TemporaryDirectory() as scratch,
        gunicorn_app(
            floor_environment(env), "bench.floor.wsgi:application", **gunicorn
        ) as floor_port,
        gunicorn_server(env, **gunicorn) as port,
    ):
        token_file = os.path.join(scratch, "tokens")
        check_endpoint(floor_port, floor_tokens[0], dates)
        check_endpoint(port, tokens[0], dates)
        drive(port, label="warm-up", method="GET", path="/healthz", clients=4, seconds=1.0)
        if use_wrk:
            trivial: LoadResult | WrkResult = wrk_run(
                port, label="GET /healthz (trivial)", path="/healthz", script=LUA, **common
            )
        else:
            trivial = drive(
                port, label="GET /healthz (trivial)", method="GET", path="/healthz", **common
            )
        for _ in range(rounds):
            floors.append(
                measure_posts(
                    floor_port,
                    label="POST floor (bare DRF)",
                    tokens=floor_tokens,
                    token_file=token_file,
                    **posts,
                )
            )
            apps.append(
                measure_posts(
                    port,
                    label="POST /api/v1/logs/ (10)",
                    tokens=tokens,
                    token_file=token_file,
                    **posts,
                )
            )
    floor, post = combine(floors), combine(apps)

    print(
        f"bench_log_post: gunicorn gthread {args.workers}x{args.threads}, {args.clients} clients "
        f"(one bench patient each), {args.seconds:.0f} s each (the POSTs in {rounds} rounds, "
        f"taking turns), {os.cpu_count()} cores, driver {'wrk' if use_wrk else 'Python'}"
    )
    for result in (trivial, floor, post):
        print("  " + result.line())
        print("  " + result.cpu_line())
    ratio = post.rps / trivial.rps if trivial.rps else float("nan")
    print(f"  throughput ratio log POST : trivial = {ratio:.2f}   (/healthz does no work)")
    floor_ratio = post.rps / floor.rps if floor.rps else float("nan")
    print(f"  throughput ratio log POST : floor = {floor_ratio:.2f}   (target >= 0.60)")
    print(f"  log POST p95 = {post.percentile(0.95):.1f} ms   (16 clients: mostly queueing)")


if __name__ == "__main__":
    main()

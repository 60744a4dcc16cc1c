"""GET /api/v1/me/ (token auth, two queries) beside the trivial /healthz on one gunicorn.

Run: make bench   (or .venv/bin/python bench/bench_api_me.py [--seconds 10] [--clients 16])
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import bench_environment, django_shell, drive, gunicorn_server, prepare_database

SETUP = """
from accounts import credentials, services
from accounts.models import User
email = "bench.patient@example.org"
user = User.objects.filter(email=email).first()
if user is None:
    team = services.care_team_get_or_create(name="Bench team")
    user = services.patient_enrol(email=email, name="Bench Patient", care_team=team,
                                  timezone="Europe/London", sites=["bone"], invite=False)
print(credentials.api_token_issue(user=user, device="bench").key)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()

    env = bench_environment()
    prepare_database(env)
    token = django_shell(env, SETUP).splitlines()[-1]
    with gunicorn_server(env) as port:
        common = {"clients": args.clients, "seconds": args.seconds, "method": "GET"}
        drive(port, label="warm-up", path="/healthz", clients=4, seconds=1.0, method="GET")
        trivial = drive(port, label="GET /healthz (trivial)", path="/healthz", **common)
        me = drive(
            port,
            label="GET /api/v1/me/",
            path="/api/v1/me/",
            headers={"Authorization": f"Token {token}"},
            **common,
        )
    print(f"bench_api_me: gunicorn gthread 2x4, {args.clients} clients, {args.seconds:.0f} s each")
    for result in (trivial, me):
        print("  " + result.line())
        print("  " + result.cpu_line())
    print(f"  throughput ratio /me : trivial = {me.rps / trivial.rps:.2f}")


if __name__ == "__main__":
    main()

"""Where a log POST's time goes: cProfile around in-process requests on the bench database.

Uses the same production settings and bench patients as bench_log_post.py (run that first), with
Django's test Client instead of gunicorn, so only the app's own work is measured. Prints the
queries of one request, the mean wall time per request, and the top functions by own and by
cumulative time.

Run: .venv/bin/python bench/profile_log_post.py [--requests 300] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_log_post import log_body
from harness import ROOT, bench_environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    os.environ.update(bench_environment())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts import credentials
    from accounts.models import User

    user = User.objects.filter(email="bench.logger0@example.org").first()
    if user is None:
        sys.exit("No bench patients yet: run bench/bench_log_post.py first.")
    token = credentials.api_token_issue(user=user, device="bench").key
    today = user.patient_profile.local_today()
    dates = [(today - dt.timedelta(days=k)).isoformat() for k in range(1, 29)]
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")

    def post(n: int) -> int:
        response = client.post(
            "/api/v1/logs/", data=log_body(0, n, dates), content_type="application/json"
        )
        return response.status_code

    for n in range(30):  # warm: catalogue cache, connection, imports
        assert post(n) in (200, 201)
    with CaptureQueriesContext(connection) as queries:
        post(30)
    print(f"One log POST (a replace): {len(queries.captured_queries)} queries")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:5.2f} ms  {query['sql'][:150]}")

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(args.requests):
        post(n)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"\n{args.requests} POSTs in process: {elapsed / args.requests * 1000:.2f} ms each\n")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()

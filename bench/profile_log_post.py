"""Where a log POST's time goes: cProfile around in-process requests on the bench database.

Uses the same production settings and bench patients as bench_log_post.py (run that first), with
Django's test Client instead of gunicorn, so only the app's own work is measured. Prints the
queries of one request, the mean wall time per request, and the top functions by own and by
cumulative time.

``--phases`` times the same requests by phase instead (auth, parse, validate, the save's
transaction, the ring after commit, urgent advice, the response, DRF's own work, the middleware
and handler), each phase's own time with the phases inside it taken out, with its queries and
their database time: where each millisecond goes. Without cProfile, so the figures are the real
ones.

Run: .venv/bin/python bench/profile_log_post.py [--requests 300] [--top 25] [--phases]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_log_post import log_body
from harness import ROOT, bench_environment

# (module, attribute path, phase): what each phase wraps. A name missing in this version of the
# code is skipped, so the same profiler reads the code before and after a change.
PHASE_HOOKS = (
    ("django.core.handlers.base", "BaseHandler._get_response", "URL resolve, view call"),
    ("rest_framework.views", "APIView.dispatch", "DRF view (own work)"),
    ("accounts.api.authentication", "TokenAuthentication.authenticate", "auth (token)"),
    ("rest_framework.request", "Request._parse", "parse JSON"),
    ("symptoms.api.serializers", "DailyLogSaveSerializer.is_valid", "validate (serializer)"),
    ("symptoms.services", "daily_log_save", "save transaction"),
    ("followups.services", "send", "ring after commit"),
    ("flags.urgent", "urgent_findings", "urgent advice"),
    ("flags.urgent", "urgent_check", "urgent advice"),
    ("flags.rules", "evaluate", "urgent advice: the rules"),
    ("symptoms.api.serializers", "DailyLogSerializer.to_representation", "response data"),
    ("rest_framework.response", "Response.rendered_content", "response render (JSON)"),
)
OUTSIDE = "middleware (+ test client)"


class PhaseClock:
    """Each phase's own time (nested phases taken out) and its queries, per thread."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.seconds: dict[str, float] = defaultdict(float)
        self.queries: dict[str, int] = defaultdict(int)
        self.query_seconds: dict[str, float] = defaultdict(float)
        self.statements: dict[tuple[str, str], list[float]] = defaultdict(list)

    def _stack(self) -> list[list[Any]]:
        stack = getattr(self.local, "stack", None)
        if stack is None:
            stack = self.local.stack = [[OUTSIDE, time.perf_counter()]]
        return stack

    def enter(self, phase: str) -> None:
        stack, now = self._stack(), time.perf_counter()
        top = stack[-1]
        self.seconds[top[0]] += now - top[1]
        stack.append([phase, now])

    def leave(self) -> None:
        stack, now = self._stack(), time.perf_counter()
        phase, since = stack.pop()
        self.seconds[phase] += now - since
        stack[-1][1] = now

    def restart(self) -> None:
        self._stack()[-1][1] = time.perf_counter()

    def stop(self) -> None:
        top = self._stack()[-1]
        self.seconds[top[0]] += time.perf_counter() - top[1]

    def wrap(self, function: Callable, phase: str) -> Callable:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self.leave()

        return timed

    def query(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        phase = self._stack()[-1][0]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.queries[phase] += 1
            self.query_seconds[phase] += took
            self.statements[(phase, " ".join(sql.split())[:110])].append(took)


def install(clock: PhaseClock) -> None:
    import importlib

    for module_name, path, phase in PHASE_HOOKS:
        module = importlib.import_module(module_name)
        *owners, name = path.split(".")
        owner: Any = module
        for part in owners:
            owner = getattr(owner, part, None)
        original = getattr(owner, name, None) if owner is not None else None
        if original is None:
            print(f"  (no {module_name}.{path} in this code: phase {phase!r} not timed)")
            continue
        if isinstance(original, property):
            setattr(owner, name, property(clock.wrap(original.fget, phase)))
        elif isinstance(original, staticmethod | classmethod):
            setattr(owner, name, type(original)(clock.wrap(original.__func__, phase)))
        else:
            setattr(owner, name, clock.wrap(original, phase))
            if owner is module:  # callers that imported the function by name
                for other in list(sys.modules.values()):
                    if getattr(other, name, None) is original and other is not module:
                        setattr(other, name, getattr(owner, name))


def phases(post: Callable[[int], int], requests: int) -> None:
    from django.db import connection

    clock = PhaseClock()
    install(clock)
    for n in range(20):  # warm the wrapped code too
        post(n)
    clock.__init__()
    started = time.perf_counter()
    with connection.execute_wrapper(clock.query):
        for n in range(requests):
            clock.restart()
            post(n)
            clock.stop()
    elapsed = time.perf_counter() - started
    total = sum(clock.seconds.values())
    print(f"\n{requests} POSTs in process, by phase: {elapsed / requests * 1000:.2f} ms each")
    print(f"  {'phase':<26} {'ms':>7} {'share':>6} {'queries':>8} {'db ms':>7}")
    order = list(dict.fromkeys([phase for _, _, phase in PHASE_HOOKS] + [OUTSIDE]))
    for phase in order:
        if phase not in clock.seconds:
            continue
        ms = clock.seconds[phase] / requests * 1000
        print(
            f"  {phase:<26} {ms:7.2f} {clock.seconds[phase] / total:6.0%} "
            f"{clock.queries[phase] / requests:8.1f} "
            f"{clock.query_seconds[phase] / requests * 1000:7.2f}"
        )
    queries = sum(clock.queries.values()) / requests
    db = sum(clock.query_seconds.values()) / requests * 1000
    print(f"  {'total':<26} {total / requests * 1000:7.2f} {1:6.0%} {queries:8.1f} {db:7.2f}")
    print("\n  per query (mean ms, per POST), by phase:")
    for (phase, sql), times in sorted(clock.statements.items(), key=lambda kv: -sum(kv[1])):
        print(
            f"  {sum(times) / len(times) * 1000:6.2f} ms x{len(times) / requests:4.2f}  "
            f"{phase[:18]:<18} {sql}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--phases", action="store_true", help="time by phase, not cProfile")
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
    from mbc_tracker.celery import app as celery_app

    celery_app.loader.import_default_modules()  # as the WSGI module does at start

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

    if args.phases:
        phases(post, args.requests)
        return

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

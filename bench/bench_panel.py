"""The coordinator's triage panel for 500 patients with 1,000 open flags, on PostgreSQL.

Sets up (not timed; kept between runs) a bench care team of 500 patients, each with a log in the
last week and half of them with an appointment booked, and a second team of 50 for comparison.
Each run replaces the bench flags with 1,000 live flags spread over the 500 patients (urgent
open and acknowledged, soon, not logging, next visit, restaging overdue). Then, in a process of
its own with production settings, a coordinator renders the panel page through Django's request
handler (middleware, view, template, and the access-log rows each view writes): a few warm-up
requests, then ``--requests`` timed ones. Every request triages the whole panel (all 500
patients and their 1,000 flags); the page shows the first 100, the most pressing. Prints the
median, p95 and fastest server time of the first page, the last page and the htmx refresh (rows
only), the page size, and the queries per request for the 500-patient and the 50-patient panels
(they must be the same).

Target on a 2-core machine: median at most 150 ms, and a query count that does not grow with
the panel.

Run: make bench   (or .venv/bin/python bench/bench_panel.py [--patients 500] [--flags 1000]
                   [--requests 30])
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ROOT, bench_environment, prepare_database, run_child

BIG_TEAM = "Bench panel team"
SMALL_TEAM = "Bench panel small team"
EMAIL = "bench.panel.{team}.{n}@example.org"
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney")
# (rule, level, status, share of the flags)
FLAG_MIX = (
    ("red_flag", "urgent", "open", 0.08),
    ("fever", "urgent", "acknowledged", 0.07),
    ("severe", "soon", "open", 0.30),
    ("not_logging", "soon", "open", 0.10),
    ("persistent", "next_visit", "open", 0.35),
    ("restaging_overdue", "next_visit", "open", 0.10),
)


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")
    import django

    django.setup()


def _team(name: str, patients: int, coordinator_email: str):
    """A care team with its coordinator and ``patients`` bench patients (created if missing),
    each with a log in the last week; every other one has an appointment booked."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts import services
    from accounts.models import PatientProfile, Role, User
    from appointments.models import Appointment
    from symptoms.models import DailyLog

    unusable = make_password(None)
    team = services.care_team_get_or_create(name=name)
    coordinator = User.objects.filter(email=coordinator_email).first()
    if coordinator is None:
        coordinator = User.objects.create(
            email=coordinator_email, name="Bench Nurse", role=Role.COORDINATOR, password=unusable
        )
    team.coordinators.add(coordinator)
    slug = "big" if name == BIG_TEAM else "small"
    emails = [EMAIL.format(team=slug, n=n) for n in range(patients)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = User.objects.bulk_create(
        [
            User(email=email, name=f"Bench Patient {email.split('.')[3]}", password=unusable)
            for email in emails
            if email not in existing
        ],
        batch_size=2000,
    )
    PatientProfile.objects.bulk_create(
        [
            PatientProfile(
                user=user,
                care_team=team,
                timezone=ZONES[user.pk % len(ZONES)],
                sites=[["bone"], ["bone", "liver"], ["lung"], ["brain", "bone"]][user.pk % 4],
            )
            for user in new
        ],
        batch_size=2000,
    )
    today = timezone.localdate()
    now = timezone.now()
    DailyLog.objects.bulk_create(
        [DailyLog(patient=user, date=today - dt.timedelta(days=user.pk % 7)) for user in new],
        batch_size=2000,
    )
    Appointment.objects.bulk_create(
        [
            Appointment(
                patient=user,
                kind="ct",
                starts_at=now + dt.timedelta(days=3 + user.pk % 40, hours=user.pk % 8),
                location="Bench scanner",
            )
            for user in new
            if user.pk % 2
        ],
        batch_size=2000,
    )
    ids = list(
        PatientProfile.objects.filter(user__email__in=emails)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return coordinator, ids


def _replace_flags(patient_ids: list[int], flags: int) -> int:
    """Exactly ``flags`` live flags over the patients (the mix above), replacing earlier ones."""
    from django.utils import timezone

    from flags.models import Flag

    Flag.objects.filter(patient_id__in=patient_ids).delete()
    now = timezone.now()
    rows = []
    for rule, level, status, share in FLAG_MIX:
        for n in range(round(flags * share)):
            patient_id = patient_ids[(n * 7 + len(rows)) % len(patient_ids)]
            rows.append(
                Flag(
                    patient_id=patient_id,
                    rule=rule,
                    level=level,
                    status=status,
                    subject=f"bench{len(rows)}",
                    title=f"Bench {rule.replace('_', ' ')}",
                    explanation="Bench flag.",
                    advice="Bench advice.",
                    evidence=[now.date().isoformat()],
                    opened_at=now - dt.timedelta(minutes=5 + len(rows)),
                    acknowledged_at=now if status == "acknowledged" else None,
                )
            )
    Flag.objects.bulk_create(rows[:flags], batch_size=2000)
    return len(rows[:flags])


def child(args: argparse.Namespace) -> dict:
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.tests.factories import pass_second_step

    nurse, big = _team(BIG_TEAM, args.patients, "bench.panel.nurse@example.org")
    small_nurse, small = _team(SMALL_TEAM, 50, "bench.panel.small.nurse@example.org")
    flags = _replace_flags(big, args.flags)
    _replace_flags(small, 100)

    def client_for(user) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        pass_second_step(client, user)  # a nurse who has typed their authenticator code
        return client

    client, small_client = client_for(nurse), client_for(small_nurse)

    def timed(c: Client, path: str, headers: dict | None = None) -> tuple[float, bytes]:
        start = time.perf_counter()
        response = c.get(path, headers=headers or {}, secure=True)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        return elapsed, response.content

    def queries(c: Client, path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            timed(c, path)
        return len(captured.captured_queries)

    def series(path: str, headers: dict | None = None) -> tuple[list[float], bytes]:
        for _ in range(3):
            timed(client, path, headers)
        times, body = [], b""
        for _ in range(args.requests):
            elapsed, body = timed(client, path, headers)
            times.append(elapsed * 1000)
        return sorted(times), body

    def figures(times: list[float]) -> dict[str, float]:
        return {
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "fastest_ms": round(times[0], 1),
        }

    first, body = series("/patients/")
    last_page = -(-len(big) // 100)
    last, last_body = series(f"/patients/?page={last_page}")
    htmx, _ = series("/patients/", {"HX-Request": "true"})
    return {
        "patients": len(big),
        "flags": flags,
        "rows": body.count(b'data-patient="'),
        "last_rows": last_body.count(b'data-patient="'),
        "last_page": last_page,
        "page_kb": round(len(body) / 1024),
        "first": figures(first),
        "last": figures(last),
        "htmx": figures(htmx),
        "queries_big": queries(client, "/patients/"),
        "queries_small": queries(small_client, "/patients/"),
        "small_patients": len(small),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--flags", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.child:
        print(json.dumps(child(args)))
        return 0
    env = bench_environment()
    prepare_database(env)
    # Production settings serve hashed static files: the page needs their manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    extra = ["--patients", str(args.patients), "--flags", str(args.flags)]
    result = run_child(__file__, env, "--child", *extra, "--requests", str(args.requests))
    print(
        f"triage panel: {result['patients']} patients, {result['flags']} live flags, all triaged "
        f"on every request; {result['rows']} rows on the first page ({result['page_kb']} KB)"
    )
    for name, label in [
        ("first", "first page (the most pressing 100)"),
        ("last", f"page {result['last_page']} ({result['last_rows']} rows)"),
        ("htmx", "htmx refresh of the first page (rows only)"),
    ]:
        figures = result[name]
        print(
            f"  {label}: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"fastest {figures['fastest_ms']} ms over {args.requests} requests"
        )
    print("  target: median ≤ 150 ms")
    print(
        f"  queries per request: {result['queries_big']} with {result['patients']} patients, "
        f"{result['queries_small']} with {result['small_patients']} (must not grow)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Reminder planning for 100,000 scheduled appointments, as the nightly pass does it.

Sets up about 1,000 bench patients (six time zones) with 100 future appointments each, of every
kind (bulk_create, not timed), then plans their reminders with
``appointments.reminder_planning.reminders_plan_bulk``, 5,000 appointments per batch, and does it
all a second time: the second run must create nothing. Prints appointments/s, notifications created,
duplicates (more than one live row for one appointment, rule and channel) and the peak memory of
the planning process.

Then the whole nightly planning pass (``symptoms.tasks.plan_reminders_nightly``: appointment,
restaging and daily log reminders for every active patient in the bench database, 500 patients
to a chunk) fanned out over 1 and then 2 worker processes (``celery -A mbc_tracker worker -c 1``
each, on a redis-server of the bench's own), each pass starting from the same state (the rows
planned by the one before are removed). Prints each pass's time from start to its last chunk,
patients/s and rows planned, and the speed-up. With ``bench_sweep.py``'s data in the same
database that is about 100,000 patients.

Run: make bench   (or .venv/bin/python bench/bench_planning.py [--appointments 100000]
                   [--patients 1000] [--batch 5000] [--workers 1 2])
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (
    ROOT,
    bench_environment,
    celery_workers,
    peak_rss_mb,
    prepare_database,
    private_redis,
    run_child,
)

EMAIL = "bench.planner{n}@example.org"
ZONES = (
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "Europe/Berlin",
)


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")
    import django

    django.setup()


def _patient_ids(patients: int) -> list[int]:
    """The bench patients, created (in bulk) if missing."""
    from django.contrib.auth.hashers import make_password

    from accounts import services
    from accounts.models import PatientProfile, Role, User

    emails = [EMAIL.format(n=n) for n in range(patients)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    team = services.care_team_get_or_create(name="Bench planning team")
    unusable = make_password(None)  # bench patients never log in
    new = User.objects.bulk_create(
        [
            User(email=email, name="Bench Planner", role=Role.PATIENT, password=unusable)
            for email in emails
            if email not in existing
        ]
    )
    PatientProfile.objects.bulk_create(
        [
            PatientProfile(user=user, care_team=team, timezone=ZONES[user.pk % len(ZONES)])
            for user in new
        ]
    )
    return list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True))


def setup(*, appointments: int, patients: int) -> dict[str, object]:
    """Fresh bench appointments (and no notifications) for the bench patients."""
    _django()
    from django.db import connection
    from django.utils import timezone

    from appointments.choices import AppointmentKind
    from appointments.models import Appointment
    from lib.clock import local_instant

    ids = _patient_ids(patients)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_notification WHERE recipient_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM appointments_appointment WHERE patient_id = ANY(%s)", [ids])
    cleared = time.perf_counter() - started

    from accounts.models import PatientProfile

    zones = dict(PatientProfile.objects.filter(pk__in=ids).values_list("pk", "timezone"))
    kinds = AppointmentKind.values
    today = timezone.now().date()
    rows = []
    for n in range(appointments):
        patient = ids[n % len(ids)]
        day = today + dt.timedelta(days=1 + (n * 7919) % 120)  # spread over four months
        at = dt.time(8 + (n % 9), (n % 4) * 15)
        rows.append(
            Appointment(
                patient_id=patient,
                kind=kinds[(n // len(ids)) % len(kinds)],
                starts_at=local_instant(day, at, zones[patient]),
                location="Bench clinic",
            )
        )
    started = time.perf_counter()
    Appointment.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:  # every run starts from tidy tables (not timed)
        cursor.execute("VACUUM ANALYZE notifications_notification")
        cursor.execute("VACUUM ANALYZE appointments_appointment")
    return {
        "patients": len(ids),
        "appointments": len(rows),
        "cleared_s": cleared,
        "created_s": time.perf_counter() - started,
    }


def plan(*, patients: int, batch: int, runs: int, keep: bool) -> dict[str, object]:
    """Plan every bench appointment's reminders ``runs`` times; figures for each run. Then,
    unless ``keep``, delete the bench appointments and their reminders, so that no other
    benchmark on this database ever finds them due."""
    _django()
    from django.db import connection
    from django.utils import timezone

    from accounts.models import PatientProfile
    from appointments import reminder_planning
    from appointments.models import Appointment, AppointmentStatus
    from notifications.models import Notification

    ids = _patient_ids(patients)
    zones = dict(PatientProfile.objects.filter(pk__in=ids).values_list("pk", "timezone"))
    scheduled = (
        Appointment.objects.filter(patient_id__in=ids, status=AppointmentStatus.SCHEDULED)
        .only("id", "patient_id", "kind", "starts_at", "status")
        .order_by("pk")
    )
    results = []
    for _ in range(runs):
        now = timezone.now()
        started = time.perf_counter()
        cpu = time.process_time()
        created = count = 0
        chunk: list[Appointment] = []
        for appointment in scheduled.iterator(chunk_size=batch):
            chunk.append(appointment)
            if len(chunk) == batch:
                created += reminder_planning.reminders_plan_bulk(chunk, zones=zones, now=now)
                count += len(chunk)
                chunk = []
        if chunk:
            created += reminder_planning.reminders_plan_bulk(chunk, zones=zones, now=now)
            count += len(chunk)
        seconds = time.perf_counter() - started
        results.append(
            {
                "appointments": count,
                "seconds": seconds,
                "cpu_seconds": time.process_time() - cpu,
                "created": created,
            }
        )
    with connection.cursor() as cursor:
        # A duplicate: two live rows for one appointment, rule and channel.
        cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT subject_id, split_part(key, ':', 3), channel
                FROM notifications_notification
                WHERE subject_type = 'appointment' AND status <> 'cancelled'
                  AND recipient_id = ANY(%s)
                GROUP BY 1, 2, 3 HAVING count(*) > 1
            ) AS twice
            """,
            [ids],
        )
        duplicates = cursor.fetchone()[0]
    rows = Notification.objects.filter(recipient_id__in=ids).count()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not keep:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM notifications_notification WHERE recipient_id = ANY(%s)", [ids]
            )
            cursor.execute("DELETE FROM appointments_appointment WHERE patient_id = ANY(%s)", [ids])
    return {"runs": results, "rows": rows, "duplicates": duplicates, "peak_rss_mb": peak_rss_mb}


def planning_pass(*, patients: int, last: bool, keep: bool) -> dict[str, object]:
    """The nightly planning pass on the workers, from a state with none of the reminders it
    plans; those it planned are removed again afterwards. After the ``last`` pass, unless
    ``keep``, the bench appointments and their reminders are removed too."""
    _django()
    from django.db import connection
    from django.db.models import Max

    from followups.models import NightlyPass
    from notifications.models import Notification
    from symptoms.tasks import plan_reminders_nightly

    ids = _patient_ids(patients)
    with connection.cursor() as cursor:  # what a first night plans: no reminders yet
        cursor.execute("DELETE FROM notifications_notification WHERE recipient_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM notifications_notification WHERE kind = 'log_reminder'")
        cursor.execute("VACUUM ANALYZE notifications_notification")
    before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    pass_id = plan_reminders_nightly()
    while (run := NightlyPass.objects.get(pk=pass_id)).finished_at is None:
        time.sleep(0.2)
    rows = Notification.objects.filter(pk__gt=before).count()
    with connection.cursor() as cursor:  # no other benchmark should find these due
        cursor.execute("DELETE FROM notifications_notification WHERE id > %s", [before])
        if last and not keep:
            cursor.execute(
                "DELETE FROM notifications_notification WHERE recipient_id = ANY(%s)", [ids]
            )
            cursor.execute("DELETE FROM appointments_appointment WHERE patient_id = ANY(%s)", [ids])
    return {
        "seconds": (run.finished_at - run.started_at).total_seconds(),
        "chunks": run.chunks_total,
        "rows": rows,
        **run.counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--patients", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=5_000, help="appointments per batch")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--keep", action="store_true", help="leave the bench appointments and reminders in place"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--last", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["setup", "plan", "pass"], help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()

    if args.child == "setup":
        print(json.dumps(setup(appointments=args.appointments, patients=args.patients)))
        return
    if args.child == "plan":
        figures = plan(patients=args.patients, batch=args.batch, runs=args.runs, keep=args.keep)
        print(json.dumps(figures))
        return
    if args.child == "pass":
        figures = planning_pass(patients=args.patients, last=args.last, keep=args.keep)
        print(json.dumps(figures))
        return

    env = bench_environment()
    prepare_database(env)
    common = ["--patients", str(args.patients)]
    made = run_child(
        __file__, env, "--child", "setup", "--appointments", str(args.appointments), *common
    )
    # Planning runs in a process of its own, so its peak memory is the planning's alone. The
    # appointments stay for the passes below, which remove them (unless --keep).
    keep = ["--keep"] * args.keep
    common.append("--keep")
    figures = run_child(
        __file__,
        env,
        "--child",
        "plan",
        "--batch",
        str(args.batch),
        "--runs",
        str(args.runs),
        *common,
    )

    print(
        f"bench_planning: {made['appointments']:,} scheduled appointments for "
        f"{made['patients']:,} patients (bulk_create {made['created_s']:.1f} s), "
        f"batches of {args.batch:,}, {os.cpu_count()} cores"
    )
    for number, run in enumerate(figures["runs"], start=1):
        rate = run["appointments"] / run["seconds"] if run["seconds"] else float("nan")
        print(
            f"  run {number}: {run['appointments']:,} appointments in {run['seconds']:.1f} s "
            f"({run['cpu_seconds']:.1f} s CPU in Python) = {rate:,.0f} appointments/s, "
            f"{run['created']:,} notifications created"
        )
    print(
        f"  notification rows {figures['rows']:,}, duplicates {figures['duplicates']}, "
        f"peak memory of the planning process {figures['peak_rss_mb']:.0f} MB"
    )
    first = figures["runs"][0]
    rate = first["appointments"] / first["seconds"] if first["seconds"] else float("nan")
    print(f"  planning rate {rate:,.0f} appointments/s   (target >= 2,000)")

    seconds: dict[int, float] = {}
    for number, workers in enumerate(args.workers):
        last = ["--last"] * (number == len(args.workers) - 1)
        with private_redis() as broker:
            worker_env = {**env, "REDIS_URL": broker}
            with celery_workers(worker_env, workers) as processes:
                run = run_child(
                    __file__,
                    worker_env,
                    "--child",
                    "pass",
                    "--patients",
                    str(args.patients),
                    *last,
                    *keep,
                )
                peak = max(peak_rss_mb(process.pid) for process in processes)
        seconds[workers] = run["seconds"]
        print(
            f"  nightly pass, {workers} worker{'s' if workers > 1 else ' '}: "
            f"{run['patients']:,} patients in {run['seconds']:.1f} s "
            f"({run['patients'] / run['seconds']:,.0f}/s, {run['chunks']} chunks); planned "
            f"{run['appointment_reminders']:,} appointment, {run['restaging_reminders']:,} "
            f"restaging and {run['log_reminders']:,} log reminders ({run['rows']:,} rows), "
            f"failed {run['failed']}; worker peak memory {peak:.0f} MB"
        )
    if 1 in seconds and 2 in seconds:
        print(f"  nightly pass speed-up of 2 workers over 1: {seconds[1] / seconds[2]:.2f}x")


if __name__ == "__main__":
    main()

"""The nightly flag sweep over 100,000 patients with 90 days of logs, fanned out over 1 and
then 2 Celery worker processes, on PostgreSQL.

Sets up the bench patients (ten care teams, a coordinator each, three time zones) and 90 days of
logs each, about four entries a log, generated in SQL (not timed; kept between runs, rebuilt with
``--fresh``; how long the generation took is kept with them and printed). Some logs carry a
severe back pain, a rare few a seizure, and one patient in twenty stopped logging a week ago, so
the sweep has flags to open and alerts to plan.

Then, for each worker count, it starts a redis-server of its own on a free port and that many
``celery -A mbc_tracker worker -c 1`` processes on it, clears the bench flags and alerts, reads
the logs, their entries and their indexes into the OS cache (``pg_prewarm``, not timed, so both
runs start alike), starts the sweep (``flags.tasks.sweep_flags``: the pass and its chunks
recorded, one task per chunk) and waits for the pass to finish (the digests planned). Prints,
per worker count, the time from "start pass" to "digests planned" (the pass's own timestamps),
what it changed, how busy the machine was and the workers' peak memory; then the speed-up of 2
workers over 1.

Targets on a 2-core machine: 100,000 patients in at most 3 minutes with 2 workers, a speed-up of
at least 1.6.

Run: make bench   (or .venv/bin/python bench/bench_sweep.py [--patients 100000] [--days 90]
                   [--workers 1 2] [--fresh]; ``--patients 10000`` for a quick run on a
                   database of its own: the sweep covers every patient in the bench database)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (
    ROOT,
    _machine_cpu_ticks,
    bench_environment,
    celery_workers,
    peak_rss_mb,
    prepare_database,
    private_redis,
    run_child,
)

EMAIL = "bench.sweep{n}@example.org"
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata")
TEAMS = 10


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")
    import django

    django.setup()


def _patient_ids(patients: int) -> list[int]:
    """The bench patients (and their teams' coordinators), created in bulk if missing."""
    from django.contrib.auth.hashers import make_password

    from accounts import services
    from accounts.models import PatientProfile, Role, User

    unusable = make_password(None)  # bench people never log in
    teams = [services.care_team_get_or_create(name=f"Bench sweep team {n}") for n in range(TEAMS)]
    for n, team in enumerate(teams):
        email = f"bench.sweep.coordinator{n}@example.org"
        coordinator = User.objects.filter(email=email).first()
        if coordinator is None:
            coordinator = User.objects.create(
                email=email, name="Bench Coordinator", role=Role.COORDINATOR, password=unusable
            )
        team.coordinators.add(coordinator)
    emails = [EMAIL.format(n=n) for n in range(patients)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = User.objects.bulk_create(
        [
            User(email=email, name="Bench Patient", role=Role.PATIENT, password=unusable)
            for email in emails
            if email not in existing
        ],
        batch_size=5000,
    )
    PatientProfile.objects.bulk_create(
        [
            PatientProfile(
                user=user,
                care_team=teams[user.pk % TEAMS],
                timezone=ZONES[user.pk % len(ZONES)],
                sites=["bone"] if user.pk % 3 else ["bone", "liver"],
            )
            for user in new
        ],
        batch_size=5000,
    )
    return list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True))


# Entries as SQL over the logs: (symptom, value column, value expression, which logs).
ENTRIES = (
    ("fatigue", "severity", "(id * 37) % 6", "TRUE"),
    ("bone_pain", "severity", "(id * 7) % 5", "TRUE"),
    ("nausea", "severity", "(id * 11) % 3", "TRUE"),
    ("back_pain", "severity", "CASE WHEN id % 97 = 0 THEN 8 ELSE (id * 13) % 4 END", "TRUE"),
    ("seizure", "present", "TRUE", "id % 4999 = 0"),
)


def setup(*, patients: int, days: int, fresh: bool) -> dict[str, object]:
    """90 days of logs for every bench patient, made in SQL (kept unless ``fresh``)."""
    _django()
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # What was generated, kept with the data: later runs skip counting 36 million rows.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_sweep_made (patients int, days int, logs bigint, "
            "entries bigint, seconds float)"
        )
        cursor.execute(
            "SELECT logs, entries, seconds FROM bench_sweep_made WHERE patients = %s AND days = %s",
            [patients, days],
        )
        made = cursor.fetchone()
    if made is not None and not fresh:
        logs, entries, seconds = made
        return {"patients": patients, "logs": logs, "entries": entries, "setup_s": seconds}
    ids = _patient_ids(patients)
    generated = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM symptoms_dailylog WHERE patient_id = ANY(%s)", [ids])
        have = cursor.fetchone()[0]
        stopped = [pid for pid in ids if pid % 20 == 0]  # they stopped logging 6 days ago
        wanted = len(ids) * days - len(stopped) * 6
        cursor.execute(
            "SELECT count(*) FROM symptoms_logentry e JOIN symptoms_dailylog l ON l.id = e.log_id "
            "WHERE l.patient_id = ANY(%s) AND l.date = current_date - 7",
            [ids],
        )
        if have != wanted or cursor.fetchone()[0] == 0 or fresh:
            generated = True
            cursor.execute(
                "DELETE FROM symptoms_logentry WHERE log_id IN "
                "(SELECT id FROM symptoms_dailylog WHERE patient_id = ANY(%s))",
                [ids],
            )
            cursor.execute("DELETE FROM symptoms_dailylog WHERE patient_id = ANY(%s)", [ids])
            cursor.execute(
                """
                INSERT INTO symptoms_dailylog (patient_id, date, notes, created_at, updated_at)
                SELECT p, current_date - d, '', now(), now()
                FROM unnest(%s::bigint[]) AS p, generate_series(0, %s - 1) AS d
                WHERE NOT (p %% 20 = 0 AND d < 6)
                """,
                [ids, days],
            )
            for code, column, value, where in ENTRIES:
                sql = "INSERT INTO symptoms_logentry (log_id, symptom_id, {}) SELECT id, %s, {} "
                sql += "FROM symptoms_dailylog WHERE patient_id = ANY(%s) AND {}"
                sql = sql.format(column, value.replace("%", "%%"), where.replace("%", "%%"))
                cursor.execute(sql, [code, ids])  # built from ENTRIES only
            cursor.execute("VACUUM ANALYZE symptoms_dailylog")
            cursor.execute("VACUUM ANALYZE symptoms_logentry")
        cursor.execute("SELECT count(*) FROM symptoms_dailylog WHERE patient_id = ANY(%s)", [ids])
        logs = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM symptoms_logentry e JOIN symptoms_dailylog l ON l.id = e.log_id "
            "WHERE l.patient_id = ANY(%s)",
            [ids],
        )
        entries = cursor.fetchone()[0]
        # Made before the time was kept: unknown.
        seconds = time.perf_counter() - started if generated else None
        cursor.execute(
            "DELETE FROM bench_sweep_made WHERE patients = %s AND days = %s", [patients, days]
        )
        cursor.execute(
            "INSERT INTO bench_sweep_made VALUES (%s, %s, %s, %s, %s)",
            [len(ids), days, logs, entries, seconds],
        )
    return {"patients": len(ids), "logs": logs, "entries": entries, "setup_s": seconds}


WARM = (
    "symptoms_dailylog",
    "one_log_per_patient_day",
    "symptoms_logentry",
    "one_entry_per_symptom",
    "symptoms_logentry_log_id_412063da",
)


def run_pass() -> dict[str, object]:
    """Clear the bench flags and alerts, start the sweep on the workers, wait for its end."""
    _django()
    from django.db import connection

    from flags.tasks import sweep_flags
    from followups.models import NightlyPass

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_notification WHERE key LIKE 'flag:%%'")
        cursor.execute("DELETE FROM notifications_notification WHERE key LIKE 'digest:%%'")
        cursor.execute("DELETE FROM symptoms_flag")
        cursor.execute("VACUUM ANALYZE notifications_notification")
        cursor.execute("VACUUM ANALYZE symptoms_flag")
    # Both passes start from a warm cache: the logs, their entries and the indexes the sweep
    # reads go through the OS cache first (not timed), whatever ran on the machine before.
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        for relation in WARM:
            cursor.execute("SELECT pg_prewarm(%s, 'read')", [relation])
    machine = _machine_cpu_ticks()
    pass_id = sweep_flags()
    while (run := NightlyPass.objects.get(pk=pass_id)).finished_at is None:
        time.sleep(0.2)
    after = _machine_cpu_ticks()
    busy = float("nan")
    if machine and after and after[1] > machine[1]:
        busy = (after[0] - machine[0]) / (after[1] - machine[1])
    with connection.cursor() as cursor:  # no other benchmark should find these alerts due
        cursor.execute("DELETE FROM notifications_notification WHERE key LIKE 'flag:%%'")
        cursor.execute("DELETE FROM notifications_notification WHERE key LIKE 'digest:%%'")
    return {
        "seconds": (run.finished_at - run.started_at).total_seconds(),
        "chunks": run.chunks_total,
        "busy": busy,
        **run.counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench logs")
    parser.add_argument("--child", choices=["setup", "pass"], help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()

    if args.child == "setup":
        print(json.dumps(setup(patients=args.patients, days=args.days, fresh=args.fresh)))
        return
    if args.child == "pass":
        print(json.dumps(run_pass()))
        return

    env = bench_environment()
    prepare_database(env)
    made = run_child(
        __file__,
        env,
        "--child",
        "setup",
        "--days",
        str(args.days),
        "--patients",
        str(args.patients),
        *(["--fresh"] * args.fresh),
    )
    took = "unknown" if made["setup_s"] is None else f"{made['setup_s']:.0f} s, once"
    print(
        f"bench_sweep: {made['patients']:,} patients, {made['logs']:,} logs, "
        f"{made['entries']:,} entries ({args.days} days; generated in SQL in {took}, kept), "
        f"{os.cpu_count()} cores"
    )
    seconds: dict[int, float] = {}
    for workers in args.workers:
        with private_redis() as broker:
            worker_env = {**env, "REDIS_URL": broker}
            with celery_workers(worker_env, workers) as processes:
                run = run_child(__file__, worker_env, "--child", "pass")
                peak = max(peak_rss_mb(process.pid) for process in processes)
        seconds[workers] = run["seconds"]
        print(
            f"  {workers} worker{'s' if workers > 1 else ' '}: {run['patients']:,} patients in "
            f"{run['seconds']:.1f} s ({run['patients'] / run['seconds']:,.0f}/s, "
            f"{run['chunks']} chunks), machine {run['busy']:.0%} busy; flags opened "
            f"{run['opened']:,}, alerts {run['alerts']:,}, digests {run['digests']:,}, failed "
            f"{run['failed']}; worker peak memory {peak:.0f} MB"
        )
    if 1 in seconds and 2 in seconds:
        print(
            f"  speed-up of 2 workers over 1: {seconds[1] / seconds[2]:.2f}x (target >= 1.6); "
            f"2 workers {seconds[2]:.0f} s (target <= 180 s)"
        )


if __name__ == "__main__":
    main()

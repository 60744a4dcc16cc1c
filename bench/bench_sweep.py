"""The nightly flag sweep over 10,000 patients with 90 days of logs, on PostgreSQL.

Sets up the bench patients (ten care teams, a coordinator each, three time zones) and 90 days of
logs each, about four entries a log, generated in SQL (not timed; kept between runs, rebuilt with
``--fresh``). Some logs carry a severe back pain, a rare few a seizure, and one patient in twenty
stopped logging a week ago, so the sweep has flags to open and alerts to plan. Then, in a process
of its own, it clears the bench patients' flags and alerts and runs ``flags.tasks.sweep``
twice: the first run opens every flag, the second must change nothing. Prints each run's time,
what it changed and the sweep process's peak memory (``ru_maxrss``).

Targets on a 2-core machine: the sweep in at most 60 s and 500 MB.

Run: make bench   (or .venv/bin/python bench/bench_sweep.py [--patients 10000] [--days 90]
                   [--batch 500] [--fresh])
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ROOT, bench_environment, prepare_database, run_child

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

    ids = _patient_ids(patients)
    started = time.perf_counter()
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
    return {
        "patients": len(ids),
        "logs": logs,
        "entries": entries,
        "setup_s": time.perf_counter() - started,
    }


def run_sweeps(*, patients: int, batch: int, runs: int) -> dict[str, object]:
    """Clear the bench patients' flags and alerts, then sweep ``runs`` times."""
    _django()
    from django.db import connection
    from django.utils import timezone

    from flags.tasks import sweep

    ids = _patient_ids(patients)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_notification WHERE key LIKE 'flag:%%'")
        cursor.execute("DELETE FROM notifications_notification WHERE key LIKE 'digest:%%'")
        cursor.execute("DELETE FROM symptoms_flag WHERE patient_id = ANY(%s)", [ids])
        cursor.execute("VACUUM ANALYZE symptoms_flag")
    results = []
    for _ in range(runs):
        now = timezone.now()
        started = time.perf_counter()
        cpu = time.process_time()
        totals = sweep(now=now, batch=batch)
        results.append(
            {
                "seconds": time.perf_counter() - started,
                "cpu_seconds": time.process_time() - cpu,
                **totals,
            }
        )
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with connection.cursor() as cursor:  # no other benchmark should find these alerts due
        cursor.execute("DELETE FROM notifications_notification WHERE key LIKE 'flag:%%'")
        cursor.execute("DELETE FROM notifications_notification WHERE key LIKE 'digest:%%'")
    return {"runs": results, "peak_rss_mb": peak_rss_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--batch", type=int, default=500, help="patients per transaction")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench logs")
    parser.add_argument("--child", choices=["setup", "sweep"], help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()

    if args.child == "setup":
        print(json.dumps(setup(patients=args.patients, days=args.days, fresh=args.fresh)))
        return
    if args.child == "sweep":
        print(json.dumps(run_sweeps(patients=args.patients, batch=args.batch, runs=args.runs)))
        return

    env = bench_environment()
    prepare_database(env)
    common = ["--patients", str(args.patients)]
    made = run_child(
        __file__,
        env,
        "--child",
        "setup",
        "--days",
        str(args.days),
        *common,
        *(["--fresh"] * args.fresh),
    )
    # The sweep runs in a process of its own, so its peak memory is the sweep's alone.
    figures = run_child(
        __file__,
        env,
        "--child",
        "sweep",
        "--batch",
        str(args.batch),
        "--runs",
        str(args.runs),
        *common,
    )
    print(
        f"bench_sweep: {made['patients']:,} patients, {made['logs']:,} logs, "
        f"{made['entries']:,} entries ({args.days} days; setup {made['setup_s']:.1f} s), "
        f"batches of {args.batch}, {os.cpu_count()} cores"
    )
    for number, run in enumerate(figures["runs"], start=1):
        print(
            f"  run {number}: {run['patients']:,} patients in {run['seconds']:.1f} s "
            f"({run['cpu_seconds']:.1f} s CPU in Python); flags opened {run['opened']:,}, "
            f"updated {run['updated']:,}, resolved {run['resolved']:,}; alerts planned "
            f"{run['alerts']:,}; digests {run['digests']:,}"
        )
    worst = max(run["seconds"] for run in figures["runs"])
    print(
        f"  slowest sweep {worst:.1f} s (target <= 60 s), peak memory of the sweep process "
        f"{figures['peak_rss_mb']:.0f} MB (target <= 500 MB)"
    )


if __name__ == "__main__":
    main()

"""The record access log with 50 thousand rows and with 50 million: is the panel's write and are
"who viewed my record" and the staff record page's list as fast at both sizes?

Each size has a bench database of its own (the bench database's name plus ``_accesslog_<rows>``),
created, migrated and filled once and kept between runs (the log is append-only, so it is never
emptied): rows made in SQL with generate_series, spread evenly over the last 48 months and this
month, 500 viewers, 100,000 patients, mostly panel looks. Months without a partition are loaded
into a table of their own, indexed, then attached as that month's partition; both sizes end with
the same partitions. Generating the 50 million takes minutes (printed when it happens).

In a process of its own with production settings, on each database:
- the write: ``accounts.services.record_access`` for a 500-patient panel as a list, first view
  (a list not seen this hour: 500 rows) and refresh (nothing new); and the coordinator's
  ``GET /patients/`` (bench_panel's 500-patient team, a page of 100) through Django's request
  handler, first view and htmx refresh;
- the reads for one patient with the same fixed history at both sizes (60 looks by 12 people in
  the last 90 days, 40 older): ``record_viewers`` (the patient's "who viewed my record") and
  ``record_accesses`` (the newest 20, the staff record page).
Prints the medians of ``--requests`` timings each, the ratio 50M : 50k (target about 1.0), and
the plans PostgreSQL chose on the large database (partitions scanned, indexes used, buffers).

Run: make bench   (or .venv/bin/python bench/bench_access_log.py [--small 50000]
                   [--large 50000000] [--requests 15] [--generate-only])
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ROOT, bench_environment, prepare_database, run_child

HISTORY_MONTHS = 48  # filler months before this one
FILLER_VIEWERS = 500
FILLER_PATIENTS = 100_000
FILLER_VIEWER_BASE = 1_000_000_000  # ids nobody has (the log keeps ids without constraints)
FILLER_PATIENT_BASE = 2_000_000_000
HISTORY_VIEWER_BASE = 3_000_000_000
READER_EMAIL = "bench.accesslog.reader@example.org"
TABLE = "accounts_recordaccess"


# --- Filling (parent process, plain psycopg) ----------------------------------------------------


def _connect(env: dict[str, str]):
    import psycopg

    url = urlsplit(env["DATABASE_URL"])
    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.path.lstrip("/"),
        autocommit=True,
    )


def _month(year: int, month: int) -> dt.date:
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _filler_select(count: int, start: dt.datetime, end: dt.datetime) -> str:
    """``count`` rows evenly over [start, end), oldest first, as an INSERT would append them."""
    span = (end - start).total_seconds()
    return f"""
    SELECT 'Filler Nurse ' || (g % {FILLER_VIEWERS}), 'filler' || (g % {FILLER_VIEWERS})
           || '@example.org', 'coordinator',
           (ARRAY['panel','panel','panel','panel','panel','panel','record','record','flags',
                  'appointments'])[g % 10 + 1],
           CASE WHEN g % 10 < 6 THEN '/patients/'
                ELSE '/patients/' || ({FILLER_PATIENT_BASE} + g * 7919 % {FILLER_PATIENTS}) || '/'
           END,
           timestamptz '{start.isoformat()}' + (g::float8 / {count} * {span}) * interval '1 second',
           substr(md5(g::text), 1, 32), inet '10.0.0.1',
           {FILLER_PATIENT_BASE} + g * 7919 % {FILLER_PATIENTS},
           {FILLER_VIEWER_BASE} + g % {FILLER_VIEWERS}
    FROM generate_series(0::bigint, {count - 1}) AS g
    """  # noqa: S608 (numbers and dates of our own)


COLUMNS = (
    "viewer_name, viewer_email, viewer_role, what, path, at, request_id, ip_address, "
    "patient_id, viewer_id"
)


def fill(env: dict[str, str], rows: int) -> float | None:
    """Fill the database's access log once with ``rows`` filler rows; None if already done."""
    with _connect(env) as db:
        db.execute("CREATE TABLE IF NOT EXISTS bench_access_log_filler (rows bigint NOT NULL)")
        if db.execute("SELECT 1 FROM bench_access_log_filler").fetchone():
            return None
        started = time.perf_counter()
        db.execute("SET synchronous_commit = off")
        db.execute("SET maintenance_work_mem = '512MB'")
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        this_month = _month(now.year, now.month)
        months = [
            _month(this_month.year, this_month.month - k) for k in range(HISTORY_MONTHS, -1, -1)
        ]
        per_month = rows // len(months)
        existing = {
            name
            for (name,) in db.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = %s::regclass",
                [TABLE],
            )
        }
        for n, month in enumerate(months):
            count = per_month + (rows - per_month * len(months) if n == len(months) - 1 else 0)
            start = dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)
            end = dt.datetime(*_month(month.year, month.month + 1).timetuple()[:3], tzinfo=dt.UTC)
            end = min(end, now - dt.timedelta(hours=2))  # nothing in the hour being measured
            name = f"{TABLE}_p{month:%Y_%m}"
            select = _filler_select(count, start, end)
            if name in existing:
                if db.execute(f"SELECT EXISTS (SELECT 1 FROM {name})").fetchone()[0]:  # noqa: S608
                    db.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {select}")
                    continue
                # An empty month (made by the migration): replaced by a loaded one.
                db.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
                db.execute(f"DROP TABLE {name}")
            # Loaded bare, indexed in one sorted pass, then attached (its CHECK spares the scan).
            first_day = start.date().isoformat()
            next_day = _month(month.year, month.month + 1).isoformat()
            db.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
            db.execute(f"INSERT INTO {name} ({COLUMNS}) {select}")
            db.execute(
                f"ALTER TABLE {name} ADD CONSTRAINT {name}_in_month "
                f"CHECK (at >= '{first_day} 00:00+00' AND at < '{next_day} 00:00+00')"
            )
            db.execute(
                f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
                f"FOR VALUES FROM ('{first_day} 00:00+00') TO ('{next_day} 00:00+00')"
            )
            db.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_in_month")
        db.execute(f"ANALYZE {TABLE}")
        db.execute("INSERT INTO bench_access_log_filler VALUES (%s)", [rows])
        return time.perf_counter() - started


def database_env(env: dict[str, str], rows: int) -> dict[str, str]:
    url = urlsplit(env["DATABASE_URL"])
    name = f"{url.path.lstrip('/')}_accesslog_{rows}"
    return {**env, "DATABASE_URL": url._replace(path=f"/{name}").geturl()}


# --- Measuring (child process, Django) ----------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbc_tracker.settings")
    import django

    django.setup()


def _reader():
    """A patient with the same history at both sizes: 12 people's looks, 60 within 90 days."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import RecordAccess, User

    reader = User.objects.filter(email=READER_EMAIL).first()
    if reader is None:
        reader = User.objects.create(
            email=READER_EMAIL, name="Bench Reader", password=make_password(None)
        )
    if not RecordAccess.objects.filter(patient=reader).exists():
        now = timezone.now()
        kinds = ("panel", "record", "flags", "appointments", "record")
        RecordAccess.objects.bulk_create(
            RecordAccess(
                viewer_id=HISTORY_VIEWER_BASE + n % 12,
                viewer_name=f"History Nurse {n % 12}",
                viewer_email=f"history{n % 12}@example.org",
                viewer_role="coordinator",
                patient=reader,
                what=kinds[n % 5],
                path=f"/patients/{reader.pk}/",
                at=now - dt.timedelta(days=(n * 1.45 if n < 60 else 100 + n * 6)),
            )
            for n in range(100)
        )
    return reader


def _plan_summary(sql: str, analyze: bool = True) -> dict:
    from django.db import connection

    options = "ANALYZE, BUFFERS, TIMING OFF" if analyze else "COSTS OFF"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({options}) {sql}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", [TABLE])
        partitions = cursor.fetchone()[0]
    lines = plan.splitlines()
    scans = r"(Seq Scan|(?<!Bitmap )Index Scan|Index Only Scan|Bitmap Heap Scan)"
    on = re.compile(rf"{scans}(?: Backward)?(?: using \w+)? on ({TABLE}_\w+)")
    planned = sorted({m[2] for line in lines if (m := on.search(line))})
    read = sorted(
        {m[2] for line in lines if (m := on.search(line)) and "never executed" not in line}
    )
    indexes = set(re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\w+)", plan))
    indexes |= set(re.findall(r"Bitmap Index Scan on (\w+)", plan))
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", plan)
    return {
        "partitions": partitions,
        "planned": len(planned),
        "read": [name.removeprefix(f"{TABLE}_") for name in read] if analyze else None,
        "default_pruned": f"{TABLE}_default" not in planned,
        "ordered": "Merge Append" not in plan,
        "index_kinds": sorted(
            {re.sub(rf"^{TABLE}_(p\d{{4}}_\d{{2}}|default)_", "", i) for i in indexes}
        ),
        "seq_scans": sorted(
            {m[2] for line in lines if (m := on.search(line)) and m[1] == "Seq Scan"}
        ),
        "buffers": sum(int(b) for b in buffers.groups() if b) if buffers else None,
    }


def child(args: argparse.Namespace) -> dict:
    _django()
    from bench_panel import BIG_TEAM, _replace_flags, _team
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from accounts.models import RecordAccess, RecordAccessKind
    from accounts.selectors import record_accesses, record_viewers
    from accounts.services import record_access
    from accounts.tests.factories import pass_second_step

    nurse, panel = _team(BIG_TEAM, 500, "bench.panel.nurse@example.org")
    _replace_flags(panel, 1000)
    reader = _reader()

    def median_ms(work, times: int = args.requests, warm: int = 3) -> float:
        for _ in range(warm):
            work()
        taken = []
        for _ in range(times):
            start = time.perf_counter()
            work()
            taken.append((time.perf_counter() - start) * 1000)
        return round(statistics.median(taken), 2)

    def service(path: str) -> int:
        request = RequestFactory().get(path, REMOTE_ADDR="127.0.0.1")
        request.user = nurse
        return record_access(
            request=request, patient_ids=panel, what=RecordAccessKind.PANEL, listing=True
        )

    written: dict[str, set[int]] = {"first": set(), "refresh": set()}
    refresh_path = f"/patients/?bench={uuid.uuid4().hex}"
    service(refresh_path)  # the list's first view this hour; every call after is a refresh
    results = {
        "service_first": median_ms(
            lambda: written["first"].add(service(f"/patients/?bench={uuid.uuid4().hex}"))
        ),
        "service_refresh": median_ms(lambda: written["refresh"].add(service(refresh_path))),
    }

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(nurse)
    pass_second_step(client, nurse)

    def get(path: str, headers: dict | None = None) -> None:
        response = client.get(path, headers=headers or {}, secure=True)
        assert response.status_code == 200, response.status_code

    background = {"HX-Request": "true", "X-Background-Refresh": "1"}
    results["panel_first"] = median_ms(lambda: get(f"/patients/?bench={uuid.uuid4().hex}"))
    results["panel_refresh"] = median_ms(lambda: get("/patients/", background))
    results["viewers"] = median_ms(lambda: record_viewers(patient_id=reader.pk), 3 * args.requests)
    results["accesses"] = median_ms(
        lambda: list(record_accesses(patient_id=reader.pk)), 3 * args.requests
    )

    with CaptureQueriesContext(connection) as captured:
        record_viewers(patient_id=reader.pk)
        list(record_accesses(patient_id=reader.pk))
        service(refresh_path)
    sqls = [query["sql"] for query in captured.captured_queries]
    viewers_sql, accesses_sql = sqls[:2]
    insert_sql = next(sql for sql in sqls if sql.lstrip().upper().startswith("INSERT"))
    results["plans"] = {
        "record_viewers": _plan_summary(viewers_sql),
        "record_accesses": _plan_summary(accesses_sql),
        "list insert": _plan_summary(insert_sql, analyze=False),
    }
    results["written"] = {key: sorted(value) for key, value in written.items()}
    results["rows"] = RecordAccess.objects.count() if args.count else None
    return results


# --- Main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=50_000)
    parser.add_argument("--large", type=int, default=50_000_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--count", action="store_true", help="count the rows (slow at 50M)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.child:
        print(json.dumps(child(args)))
        return 0
    env = bench_environment()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    sizes = {"50k" if args.small == 50_000 else str(args.small): args.small}
    sizes["50M" if args.large == 50_000_000 else str(args.large)] = args.large
    results = {}
    for label, rows in sizes.items():
        size_env = database_env(env, rows)
        prepare_database(size_env)
        took = fill(size_env, rows)
        if took is not None:
            print(f"access log: generated {rows:,} rows in {took:.0f} s ({label})", flush=True)
        # The empty months of the retention window, after the filler's own were attached.
        subprocess.run(
            [sys.executable, "manage.py", "record_access_partitions"],
            cwd=ROOT,
            env=size_env,
            check=True,
            capture_output=True,
        )
        if args.generate_only:
            continue
        extra = ["--requests", str(args.requests)] + (["--count"] if args.count else [])
        results[label] = run_child(__file__, size_env, "--child", *extra)
    if args.generate_only:
        return 0
    small, large = results.values()
    small_label, large_label = sizes
    print(
        f"record access log: {small_label} and {large_label} filler rows over "
        f"{HISTORY_MONTHS + 1} months, {FILLER_VIEWERS} viewers, {FILLER_PATIENTS:,} patients; "
        f"medians of {args.requests} (reads: {3 * args.requests})"
    )
    lines = [
        ("service_first", "panel of 500 as a list, first view (writes 500 rows)"),
        ("service_refresh", "panel of 500 as a list, refresh (writes 0)"),
        ("panel_first", "GET /patients/ through Django, first view (a page of 100)"),
        ("panel_refresh", "GET /patients/ htmx refresh (writes 0)"),
        ("viewers", "record_viewers: who viewed my record (90 days)"),
        ("accesses", "record_accesses: the record page's newest 20"),
    ]
    for key, label in lines:
        ratio = large[key] / small[key] if small[key] else float("nan")
        print(
            f"  {label}: {small[key]} ms at {small_label}, {large[key]} ms at {large_label}, "
            f"ratio {ratio:.2f}"
        )
    print(
        f"  rows written per first view / refresh: {large['written']['first']} / "
        f"{large['written']['refresh']} (must be [500] / [0])"
    )
    print(f"  plans at {large_label} (EXPLAIN ANALYZE; the insert EXPLAIN only):")
    for name, plan in large["plans"].items():
        read = plan["read"]
        print(
            f"    {name}: {plan['planned']} of {plan['partitions']} partitions planned "
            f"(default {'pruned' if plan['default_pruned'] else 'kept'}, "
            f"{'in order' if plan['ordered'] else 'merged'})"
            + (f", {len(read)} read ({', '.join(read)})" if read is not None else "")
            + f"; indexes {', '.join(plan['index_kinds']) or 'none'}; "
            f"seq scans {', '.join(plan['seq_scans']) or 'none'}"
            + (f"; {plan['buffers']} buffers" if plan["buffers"] is not None else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

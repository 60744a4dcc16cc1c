"""Monthly partitions of the record access log (PostgreSQL only; on SQLite it is a plain table).

``accounts_recordaccess`` is partitioned by range on ``at``, one partition per calendar month in
UTC (``accounts_recordaccess_p2026_12``) and a DEFAULT partition that takes any row no month
partition covers, so an insert is never refused. ``ensure_partitions`` creates the months ahead
and every month of the retention window back to ``retention_start`` (the beat task, the
migration and ``manage.py record_access_partitions`` call it; it is idempotent).
``drop_expired_partitions`` detaches and drops whole months older than
``RECORD_ACCESS_RETENTION_MONTHS``: dropping a partition is the only way rows ever leave the log
(the append-only trigger refuses UPDATE and DELETE on the table and, cloned by PostgreSQL, on
every partition).
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

TABLE = "accounts_recordaccess"
DEFAULT_PARTITION = f"{TABLE}_default"
TRIGGER = "accounts_record_access_append_only"
_NAME = re.compile(rf"^{TABLE}_p(\d{{4}})_(\d{{2}})$")


def month_start(when: dt.datetime | dt.date) -> dt.date:
    return dt.date(when.year, when.month, 1)


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def retention_start(now: dt.datetime) -> dt.datetime:
    """The first moment the log still keeps: the start of the month ``RECORD_ACCESS_RETENTION_
    MONTHS`` before this one. Partitions cover every month from there to a few ahead, so a read
    bounded inside that window never needs the DEFAULT partition and PostgreSQL prunes it (and
    can then read the months in order, newest first, stopping at the LIMIT)."""
    month = add_months(month_start(now), -settings.RECORD_ACCESS_RETENTION_MONTHS)
    return dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def _bound(month: dt.date) -> str:
    return f"{month.isoformat()} 00:00:00+00"


def is_partitioned(db: BaseDatabaseWrapper | None = None) -> bool:
    db = db or connection
    if db.vendor != "postgresql":
        return False
    with db.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def month_partitions(db: BaseDatabaseWrapper | None = None) -> list[dt.date]:
    """The months that have a partition, oldest first."""
    db = db or connection
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = (_NAME.match(name) for name in names)
    return sorted(dt.date(int(m[1]), int(m[2]), 1) for m in found if m)


def _create_month(cursor, month: dt.date) -> None:
    """One month's partition (names and bounds are ours, never a user's). Rows already in the
    DEFAULT partition for that month (written while no partition covered it) move into it:
    PostgreSQL refuses the new partition otherwise.
    They move, they do not leave: the DELETE runs only while the default partition is detached
    (detaching drops its copy of the append-only trigger; attaching it again restores it)."""
    name, start, end = partition_name(month), _bound(month), _bound(add_months(month, 1))
    in_range = "WHERE at >= %s AND at < %s"
    bounds = [start, end]
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} {in_range})", bounds)  # noqa: S608
    if not cursor.fetchone()[0]:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE} "
            f"FOR VALUES FROM ('{start}') TO ('{end}')"
        )
        return
    logger.warning("Moving record access rows of %s out of the default partition", month)
    cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT_PARTITION}")
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ('{start}') TO ('{end}')"
    )
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {DEFAULT_PARTITION} {in_range}", bounds)  # noqa: S608
    cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} {in_range}", bounds)  # noqa: S608
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {DEFAULT_PARTITION} DEFAULT")


def ensure_partitions(
    *,
    now: dt.datetime,
    ahead: int = 3,
    since: dt.date | None = None,
    db: BaseDatabaseWrapper | None = None,
) -> list[dt.date]:
    """Create the partitions of this month and the next ``ahead`` months (and of every month
    from ``since``, when given) that do not exist yet. Returns the months created."""
    db = db or connection
    if not is_partitioned(db):
        return []
    first = month_start(since) if since else month_start(now)
    last = add_months(month_start(now), ahead)
    existing = set(month_partitions(db))
    created = []
    month = first
    while month <= last:
        if month not in existing:
            with transaction.atomic(using=db.alias), db.cursor() as cursor:
                # One maintainer at a time (beat overlaps, a command run by hand).
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
                if month not in set(month_partitions(db)):
                    _create_month(cursor, month)
                    created.append(month)
        month = add_months(month, 1)
    return created


def drop_expired_partitions(
    *, now: dt.datetime, keep_months: int, db: BaseDatabaseWrapper | None = None
) -> list[dt.date]:
    """Detach and drop every month partition that ended more than ``keep_months`` whole months
    before this month began (the current month and the ``keep_months`` before it stay). The
    DEFAULT partition is never dropped. Returns the months dropped."""
    if keep_months < 1:
        raise ValueError("keep_months must be 1 or more")
    db = db or connection
    if not is_partitioned(db):
        return []
    cutoff = add_months(month_start(now), -keep_months)
    dropped = []
    for month in month_partitions(db):
        if month >= cutoff:
            break
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
            if month not in set(month_partitions(db)):
                continue  # another maintainer dropped it meanwhile
            name = partition_name(month)
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
        logger.info("Dropped the record access log of %s (retention)", month)
        dropped.append(month)
    return dropped


def maintain(*, now: dt.datetime) -> tuple[list[dt.date], list[dt.date]]:
    """The daily round: create the months of the retention window and the coming ones that are
    missing, then drop those past retention."""
    created = ensure_partitions(
        now=now, ahead=settings.RECORD_ACCESS_PARTITIONS_AHEAD, since=retention_start(now)
    )
    dropped = drop_expired_partitions(now=now, keep_months=settings.RECORD_ACCESS_RETENTION_MONTHS)
    return created, dropped

"""The record access log becomes a table partitioned by month on ``at`` (PostgreSQL only).

PostgreSQL wants the partition key in every unique index, so the primary key in the database is
(id, at); Django keeps ``id`` as the model's primary key (ids still come from one sequence and
stay unique). The append-only trigger is created on the partitioned table, and PostgreSQL clones
it onto every partition, present and future. Existing rows are copied over, a partition for
every month they cover, of the retention window, and this month and the next three are created,
plus a DEFAULT partition.
On SQLite nothing changes. Reversible: the rows go back into a plain table.
"""

from django.db import migrations
from django.utils import timezone

from accounts import partitions

T = partitions.TABLE
COLUMNS = (
    "id, viewer_name, viewer_email, viewer_role, what, path, at, request_id, ip_address, "
    "patient_id, viewer_id"
)
APPEND_ONLY = (
    f"CREATE TRIGGER {partitions.TRIGGER} BEFORE UPDATE OR DELETE ON {T} "
    f"FOR EACH ROW EXECUTE FUNCTION accounts_record_access_append_only()"
)


def _set_aside(cursor) -> None:
    """Rename the current table and its index, key and sequence names out of the way."""
    cursor.execute(f"DROP TRIGGER IF EXISTS {partitions.TRIGGER} ON {T}")
    cursor.execute(f"ALTER TABLE {T} RENAME TO {T}_old")
    cursor.execute(f"ALTER TABLE {T}_old RENAME CONSTRAINT {T}_pkey TO {T}_old_pkey")
    cursor.execute("ALTER INDEX record_access_patient_at RENAME TO record_access_patient_at_old")
    cursor.execute("ALTER INDEX record_access_viewer_at RENAME TO record_access_viewer_at_old")
    cursor.execute(f"SELECT pg_get_serial_sequence('{T}_old', 'id')")
    sequence = cursor.fetchone()[0]
    if sequence:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {T}_old_id_seq")


def _copy_back(cursor) -> None:
    cursor.execute(f"INSERT INTO {T} ({COLUMNS}) SELECT {COLUMNS} FROM {T}_old")
    cursor.execute(f"SELECT setval('{T}_id_seq', COALESCE((SELECT max(id) FROM {T}), 0) + 1, false)")
    cursor.execute(f"DROP TABLE {T}_old")
    cursor.execute(APPEND_ONLY)


def partition(apps, schema_editor):
    db = schema_editor.connection
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        _set_aside(cursor)
        cursor.execute(
            f"CREATE TABLE {T} (LIKE {T}_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            f"PARTITION BY RANGE (at)"
        )
        cursor.execute(f"CREATE SEQUENCE {T}_id_seq OWNED BY {T}.id")
        cursor.execute(f"ALTER TABLE {T} ALTER COLUMN id SET DEFAULT nextval('{T}_id_seq')")
        cursor.execute(f"ALTER TABLE {T} ADD CONSTRAINT {T}_pkey PRIMARY KEY (id, at)")
        cursor.execute(f"CREATE INDEX record_access_patient_at ON {T} (patient_id, at DESC)")
        cursor.execute(f"CREATE INDEX record_access_viewer_at ON {T} (viewer_id, at DESC)")
        cursor.execute(f"CREATE TABLE {partitions.DEFAULT_PARTITION} PARTITION OF {T} DEFAULT")
        cursor.execute(f"SELECT min(at) FROM {T}_old")
        oldest = cursor.fetchone()[0]
    now = timezone.now()
    since = partitions.retention_start(now)
    since = min(since, oldest) if oldest else since
    partitions.ensure_partitions(now=now, since=since, db=db)
    with db.cursor() as cursor:
        _copy_back(cursor)


def unpartition(apps, schema_editor):
    db = schema_editor.connection
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        _set_aside(cursor)
        cursor.execute(
            f"CREATE TABLE {T} (LIKE {T}_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(f"CREATE SEQUENCE {T}_id_seq OWNED BY {T}.id")
        cursor.execute(f"ALTER TABLE {T} ALTER COLUMN id SET DEFAULT nextval('{T}_id_seq')")
        cursor.execute(f"ALTER TABLE {T} ADD CONSTRAINT {T}_pkey PRIMARY KEY (id)")
        cursor.execute(f"CREATE INDEX record_access_patient_at ON {T} (patient_id, at DESC)")
        cursor.execute(f"CREATE INDEX record_access_viewer_at ON {T} (viewer_id, at DESC)")
        _copy_back(cursor)


class Migration(migrations.Migration):
    # The copy and the partitions are made in one transaction with the rename.
    atomic = True

    dependencies = [
        ("accounts", "0008_record_access_export"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]

"""Partitioning the record access log keeps every row, its id and the append-only rule, and
can be undone (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts import partitions
from accounts.models import RecordAccess

BEFORE = [("accounts", "0008_record_access_export")]


def migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def _row(people, at: dt.datetime) -> RecordAccess:
    return RecordAccess.objects.create(
        viewer=people.coordinator_a,
        viewer_email=people.coordinator_a.email,
        viewer_role="coordinator",
        patient=people.patient_a,
        what="record",
        path="/patients/1/",
        at=at,
    )


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def _stored() -> list[tuple[int, dt.datetime]]:
    return list(RecordAccess.objects.order_by("pk").values_list("pk", "at"))


def _refuses_changes() -> bool:
    try:
        with transaction.atomic():
            RecordAccess.objects.update(what="flags")
    except DatabaseError:
        return True
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_partitioning_keeps_every_row_and_can_be_undone(people) -> None:
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    now = dt.datetime.now(dt.UTC)
    try:
        migrate(BEFORE)
        assert not partitions.is_partitioned()
        for at in (_utc(2026, 1, 5), now, _utc(2020, 6, 1)):
            _row(people, at)
        before = _stored()

        migrate(leaves)
        assert partitions.is_partitioned()
        assert _stored() == before
        with connection.cursor() as cursor:
            cursor.execute("SELECT tableoid::regclass::text FROM accounts_recordaccess ORDER BY id")
            homes = [home for (home,) in cursor.fetchall()]
        assert homes == [
            "accounts_recordaccess_p2026_01",
            partitions.partition_name(now.date()),
            "accounts_recordaccess_p2020_06",  # older than retention: the nightly task drops it
        ]
        assert _row(people, now).pk > max(pk for pk, _ in before)  # one sequence, continued
        assert _refuses_changes()
        after = _stored()

        migrate(BEFORE)
        assert not partitions.is_partitioned()
        assert _stored() == after
        assert _refuses_changes()
        assert _row(people, now).pk > max(pk for pk, _ in after)
    finally:
        migrate(leaves)  # whatever happened, later tests get the database fully migrated
    assert partitions.is_partitioned()

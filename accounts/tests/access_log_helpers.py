"""Helpers for the record access log tests: catch the rows one request writes, and check them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from accounts.models import RecordAccess, User

# A request id as a proxy might send it: a UUID4, which django-guid keeps (dashed or plain hex).
REQUEST_ID = "6f1c2a4e9b7d4c3a8e5f0a1b2c3d4e5f"


@contextmanager
def new_rows() -> Iterator[list[RecordAccess]]:
    """The access-log rows written inside the block, by patient."""
    last = RecordAccess.objects.aggregate(last=Max("pk"))["last"] or 0
    rows: list[RecordAccess] = []
    yield rows
    rows.extend(RecordAccess.objects.filter(pk__gt=last).order_by("patient_id", "pk"))


def assert_rows(
    rows: list[RecordAccess],
    *,
    viewer: User,
    patients: Iterable[User],
    what: str,
    path: str,
) -> None:
    """Exactly one row per patient, each saying who, what, where, from which address and in
    which request (one request: one id shared by its rows)."""
    expected = sorted(patient.pk for patient in patients)
    assert [row.patient_id for row in rows] == expected
    for row in rows:
        assert row.viewer_id == viewer.pk
        assert (row.viewer_name, row.viewer_email, row.viewer_role) == (
            viewer.name,
            viewer.email,
            viewer.role,
        )
        assert row.what == what
        assert row.path == path
        assert row.ip_address == "127.0.0.1"
        assert row.request_id
    assert len({row.request_id for row in rows}) <= 1


def access_log_inserts(queries: CaptureQueriesContext) -> int:
    """How many statements wrote to the access log."""
    return sum(
        query["sql"]
        .strip()
        .replace('"', "")
        .lower()
        .startswith("insert into accounts_recordaccess")
        for query in queries.captured_queries
    )

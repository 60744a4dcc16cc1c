"""The record access log at scale: a list notes each patient once an hour (race-safe, in a
constant number of statements), monthly partitions on PostgreSQL created ahead and dropped after
retention, append-only on every partition, and reads that touch only the months they need."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import partitions
from accounts.models import RecordAccess, RecordAccessKind, User
from accounts.selectors import record_accesses, record_viewers
from accounts.services import record_access
from accounts.tests.factories import CareTeamFactory, make_patient

pytestmark = pytest.mark.django_db

PANEL = RecordAccessKind.PANEL
RECORD = RecordAccessKind.RECORD


def _request(user: User, path: str = "/patients/?team=1"):
    request = RequestFactory().get(path, REMOTE_ADDR="127.0.0.1")
    request.user = user
    return request


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, minute, tzinfo=dt.UTC)


def _list_look(user: User, ids: list[int], when: dt.datetime, path: str = "/patients/") -> int:
    with time_machine.travel(when, tick=False):
        return record_access(
            request=_request(user, path), patient_ids=ids, what=PANEL, listing=True
        )


# --- Lists: once an hour per patient, list and viewer --------------------------------------------


def test_a_list_notes_each_patient_once_an_hour(people) -> None:
    nurse, ids = people.coordinator_a, [people.patient_a.pk, people.patient_b.pk]
    assert _list_look(nurse, ids, _at(4, 10, 5)) == 2
    assert _list_look(nurse, ids, _at(4, 10, 6)) == 0  # the one-minute refresh
    assert _list_look(nurse, ids, _at(4, 10, 59)) == 0
    assert _list_look(nurse, ids, _at(4, 11, 0)) == 2  # a new hour
    assert _list_look(nurse, ids, _at(4, 11, 30)) == 0
    rows = RecordAccess.objects.filter(viewer=nurse).order_by("at", "patient_id")
    assert [(row.at, row.patient_id) for row in rows] == [
        (_at(4, 10, 5), ids[0]),
        (_at(4, 10, 5), ids[1]),
        (_at(4, 11, 0), ids[0]),
        (_at(4, 11, 0), ids[1]),
    ]


def test_a_patient_new_to_the_list_is_noted_within_the_hour(people) -> None:
    nurse = people.coordinator_a
    assert _list_look(nurse, [people.patient_a.pk], _at(4, 10, 5)) == 1
    assert _list_look(nurse, [people.patient_a.pk, people.patient_b.pk], _at(4, 10, 6)) == 1
    assert set(RecordAccess.objects.values_list("patient_id", flat=True)) == {
        people.patient_a.pk,
        people.patient_b.pk,
    }


def test_other_lists_and_other_viewers_are_noted_apart(people) -> None:
    ids = [people.patient_a.pk]
    assert _list_look(people.coordinator_a, ids, _at(4, 10, 5)) == 1
    assert _list_look(people.coordinator_a, ids, _at(4, 10, 6), path="/patients/?page=2") == 1
    assert _list_look(people.admin, ids, _at(4, 10, 7)) == 1
    with time_machine.travel(_at(4, 10, 8), tick=False):
        written = record_access(
            request=_request(people.coordinator_a, "/patients/"),
            patient_ids=ids,
            what=RecordAccessKind.FLAGS,
            listing=True,
        )
    assert written == 1
    assert RecordAccess.objects.count() == 4


def test_opening_a_record_always_writes(people) -> None:
    for minute in (1, 2, 3):
        with time_machine.travel(_at(4, 10, minute), tick=False):
            assert (
                record_access(
                    request=_request(people.coordinator_a, "/patients/1/"),
                    patient_ids=[people.patient_a.pk],
                    what=RECORD,
                )
                == 1
            )
    assert RecordAccess.objects.filter(what=RECORD).count() == 3


def test_a_list_writes_in_two_statements_however_many_patients(
    people, django_assert_num_queries
) -> None:
    team = CareTeamFactory()
    many = [make_patient(care_team=team).pk for _ in range(60)]
    for ids in ([people.patient_a.pk], many):
        with django_assert_num_queries(2):  # the lock, the insert
            assert _list_look(people.coordinator_a, ids, _at(4, 10, 5)) == len(ids)
        with django_assert_num_queries(2):
            assert _list_look(people.coordinator_a, ids, _at(4, 10, 6)) == 0


def test_the_panel_and_its_refresh_write_once_and_the_patient_sees_the_right_counts(
    people, client
) -> None:
    nurse = people.coordinator_a
    nurse.name = "Ann Nurse"
    nurse.save(update_fields=["name"])
    client.force_login(nurse)
    refresh = {"HX-Request": "true", "X-Background-Refresh": "1"}
    for minute, headers in ((0, {}), (1, refresh), (2, refresh), (3, {})):
        with time_machine.travel(dt.datetime.now(dt.UTC).replace(minute=minute), tick=False):
            assert client.get(reverse("care:panel"), headers=headers).status_code == 200
    record = reverse("care:record", args=[people.patient_a.pk])
    for _ in range(2):
        assert client.get(record).status_code == 200
    rows = RecordAccess.objects.filter(patient=people.patient_a, viewer=nurse)
    assert sorted(rows.values_list("what", flat=True)) == [PANEL, RECORD, RECORD]
    viewers = {
        (v.who, v.what_label): v.times for v in record_viewers(patient_id=people.patient_a.pk)
    }
    assert viewers == {
        ("Ann Nurse (care coordinator)", "Saw you in their list of patients"): 1,
        ("Ann Nurse (care coordinator)", "Opened your record"): 2,
    }
    assert [row.what for row in record_accesses(patient_id=people.patient_a.pk)] == [
        RECORD,
        RECORD,
        PANEL,
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_refreshes_at_once_write_once(people) -> None:
    """The first refresh holds its transaction open after writing; the second, started then,
    must wait for it and then find the rows (without the lock it would not see them yet and
    write them again)."""
    nurse, ids = people.coordinator_a, [people.patient_a.pk, people.patient_b.pk]
    written: dict[str, int] = {}
    first_wrote = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                written["first"] = record_access(
                    request=_request(nurse), patient_ids=ids, what=PANEL, listing=True
                )
                first_wrote.set()
                threading.Event().wait(0.5)  # still uncommitted while the second one asks
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            first_wrote.set()
            connection.close()

    def second() -> None:
        try:
            first_wrote.wait(5)
            written["second"] = record_access(
                request=_request(nurse), patient_ids=ids, what=PANEL, listing=True
            )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert written == {"first": 2, "second": 0}
    assert RecordAccess.objects.count() == 2


# --- Partitions ----------------------------------------------------------------------------------


def _where(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM accounts_recordaccess WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


def _months(year: int, *months: int) -> list[dt.date]:
    return [dt.date(year, month, 1) for month in months]


def _row(people, at: dt.datetime) -> RecordAccess:
    return RecordAccess.objects.create(
        viewer=people.coordinator_a,
        viewer_email=people.coordinator_a.email,
        viewer_role="coordinator",
        patient=people.patient_a,
        what=RECORD,
        path="/patients/1/",
        at=at,
    )


def test_the_table_is_partitioned_on_postgresql() -> None:
    assert partitions.is_partitioned()


def test_partitions_are_created_ahead_once() -> None:
    now = dt.datetime(2031, 11, 20, tzinfo=dt.UTC)
    created = partitions.ensure_partitions(now=now, ahead=3)
    assert created == [dt.date(2031, 11, 1), dt.date(2031, 12, 1), *_months(2032, 1, 2)]
    assert partitions.ensure_partitions(now=now, ahead=3) == []
    assert set(created) <= set(partitions.month_partitions())


def test_the_command_and_the_task_keep_this_month_and_three_ahead() -> None:
    from accounts.tasks import maintain_record_access_partitions

    with time_machine.travel(dt.datetime(2032, 6, 30, 23, 59, tzinfo=dt.UTC), tick=False):
        call_command("record_access_partitions")
    months = set(partitions.month_partitions())
    assert {dt.date(2032, m, 1) for m in (6, 7, 8, 9)} <= months
    with time_machine.travel(dt.datetime(2032, 7, 1, tzinfo=dt.UTC), tick=False):
        maintain_record_access_partitions()
    assert dt.date(2032, 10, 1) in set(partitions.month_partitions())


def test_rows_land_in_their_month_and_the_rest_in_the_default(people) -> None:
    partitions.ensure_partitions(now=dt.datetime(2031, 1, 1, tzinfo=dt.UTC), ahead=1)
    last_moment = _row(people, dt.datetime(2031, 1, 31, 23, 59, 59, 999999, tzinfo=dt.UTC))
    first_moment = _row(people, dt.datetime(2031, 2, 1, tzinfo=dt.UTC))
    far = _row(people, dt.datetime(2040, 5, 5, tzinfo=dt.UTC))  # no partition yet: not refused
    assert _where(last_moment.pk) == "accounts_recordaccess_p2031_01"
    assert _where(first_moment.pk) == "accounts_recordaccess_p2031_02"
    assert _where(far.pk) == partitions.DEFAULT_PARTITION


def test_a_month_made_later_takes_its_rows_from_the_default(people) -> None:
    far = _row(people, dt.datetime(2040, 5, 5, tzinfo=dt.UTC))
    other = _row(people, dt.datetime(2041, 1, 1, tzinfo=dt.UTC))
    partitions.ensure_partitions(now=dt.datetime(2040, 5, 1, tzinfo=dt.UTC), ahead=0)
    assert _where(far.pk) == "accounts_recordaccess_p2040_05"
    assert _where(other.pk) == partitions.DEFAULT_PARTITION
    assert RecordAccess.objects.get(pk=far.pk).at == far.at
    # Append-only again on both, once the default partition is back.
    moved = (("accounts_recordaccess_p2040_05", far.pk), (partitions.DEFAULT_PARTITION, other.pk))
    for table, pk in moved:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


def test_retention_drops_only_whole_months_past_it(people) -> None:
    now = dt.datetime(2033, 3, 15, tzinfo=dt.UTC)
    partitions.ensure_partitions(now=now, ahead=0, since=dt.date(2026, 12, 1))
    gone = _row(people, dt.datetime(2027, 2, 28, 23, tzinfo=dt.UTC))
    kept = _row(people, dt.datetime(2027, 3, 1, tzinfo=dt.UTC))  # 72 months before March 2033
    in_default = _row(people, dt.datetime(2050, 1, 1, tzinfo=dt.UTC))
    dropped = partitions.drop_expired_partitions(now=now, keep_months=72)
    assert dropped and max(dropped) == dt.date(2027, 2, 1)
    assert min(partitions.month_partitions()) == dt.date(2027, 3, 1)
    remaining = set(RecordAccess.objects.values_list("pk", flat=True))
    assert gone.pk not in remaining
    assert {kept.pk, in_default.pk} <= remaining
    assert partitions.drop_expired_partitions(now=now, keep_months=72) == []


@pytest.mark.parametrize("statement", ["UPDATE {table} SET what = 'flags'", "DELETE FROM {table}"])
def test_every_partition_refuses_changes(people, statement) -> None:
    partitions.ensure_partitions(now=dt.datetime(2031, 1, 1, tzinfo=dt.UTC), ahead=0)
    row = _row(people, dt.datetime(2031, 1, 2, tzinfo=dt.UTC))
    for table in ("accounts_recordaccess", "accounts_recordaccess_p2031_01"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement.format(table=table))
    assert RecordAccess.objects.get(pk=row.pk).what == RECORD


# --- Reads and the list write touch only the months they need -----------------------------------


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


def _scanned(plan: str) -> set[str]:
    return set(re.findall(r"on (accounts_recordaccess_\w+)", plan))


def test_reads_and_the_list_write_are_pruned_to_recent_months(people) -> None:
    now = dt.datetime(2030, 6, 15, 10, 30, tzinfo=dt.UTC)
    partitions.ensure_partitions(now=now, ahead=3, since=dt.date(2028, 1, 1))
    with time_machine.travel(now, tick=False):
        with CaptureQueriesContext(connection) as viewers:
            record_viewers(patient_id=people.patient_a.pk)
        with CaptureQueriesContext(connection) as listed:
            record_access(
                request=_request(people.coordinator_a),
                patient_ids=[people.patient_a.pk],
                what=PANEL,
                listing=True,
            )
    viewers_plan = _plan(viewers.captured_queries[-1]["sql"])
    scanned = _scanned(viewers_plan)
    # 90 days back from 15 June: March to June, the months ahead (empty) and the default.
    assert "accounts_recordaccess_p2030_03" in scanned
    assert "accounts_recordaccess_p2030_02" not in scanned
    assert "accounts_recordaccess_p2028_01" not in scanned
    insert_plan = _plan(listed.captured_queries[-1]["sql"])
    looked_in = _scanned(insert_plan)
    assert "accounts_recordaccess_p2030_06" in looked_in
    assert "accounts_recordaccess_p2030_05" not in looked_in


# --- Admin over a large log ----------------------------------------------------------------------


def _counts(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if "COUNT(*)" in query["sql"].upper() and "accounts_recordaccess" in query["sql"]
    ]


def test_admin_does_not_count_a_large_log_row_by_row(people, client, monkeypatch) -> None:
    from accounts.admin import RecordAccessPaginator

    for day in (1, 2, 3):
        _row(people, dt.datetime.now(dt.UTC) - dt.timedelta(days=day))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_recordaccess")
    monkeypatch.setattr(RecordAccessPaginator, "EXACT_UP_TO", 0)
    client.force_login(people.admin)
    url = reverse("admin:accounts_recordaccess_changelist")
    with CaptureQueriesContext(connection) as whole:
        response = client.get(url)
    assert response.status_code == 200
    assert _counts(whole) == []
    assert "3 record access" in response.content.decode()  # the estimate, exact when small
    with CaptureQueriesContext(connection) as filtered:
        week = {"at__gte": (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).isoformat()}
        assert client.get(url, {"what": "record", **week}).status_code == 200
    assert len(_counts(filtered)) == 1

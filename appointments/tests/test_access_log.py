"""Care staff looking at appointments, on the pages and through the API, write one record access
row per patient shown, in one statement; patients looking at their own write nothing. Changes
are audited by django-auditlog."""

from __future__ import annotations

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import RecordAccessKind
from accounts.tests.access_log_helpers import (
    REQUEST_ID,
    access_log_inserts,
    assert_rows,
    new_rows,
)
from appointments.tests.appointment_factories import NOW, book

pytestmark = pytest.mark.django_db
WHAT = RecordAccessKind.APPOINTMENTS
API = "/api/v1/appointments/"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booked(people):
    return {
        "a": book(people.patient_a, days=3),
        "a2": book(people.patient_a, days=5),
        "b": book(people.patient_b, days=4),
    }


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("coordinator_a", ["patient_a"]),
        ("coordinator_b", ["patient_b"]),
        ("admin", ["patient_a", "patient_b"]),
    ],
)
def test_staff_list_page_writes_one_row_per_patient_on_it(
    people, client, booked, persona, shown
) -> None:
    viewer = people.all()[persona]
    client.force_login(viewer)
    url = reverse("appointment_list")
    with new_rows() as rows, CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert_rows(
        rows, viewer=viewer, patients=[people.all()[name] for name in shown], what=WHAT, path=url
    )
    assert access_log_inserts(queries) == 1


def test_list_for_one_patient_notes_only_them(people, client, booked) -> None:
    client.force_login(people.admin)
    url = reverse("appointment_list") + f"?patient={people.patient_b.pk}"
    with new_rows() as rows:
        assert client.get(url).status_code == 200
    assert_rows(rows, viewer=people.admin, patients=[people.patient_b], what=WHAT, path=url)


def test_staff_list_with_no_appointments_writes_nothing(people, client) -> None:
    client.force_login(people.coordinator_a)
    with new_rows() as rows:
        assert client.get(reverse("appointment_list")).status_code == 200
    assert rows == []


@pytest.mark.parametrize("page", ["appointment_detail", "appointment_edit", "appointment_cancel"])
@pytest.mark.parametrize("persona", ["coordinator_a", "admin"])
def test_staff_opening_an_appointment_page_writes_one_row(
    people, client, booked, page, persona
) -> None:
    viewer = people.all()[persona]
    client.force_login(viewer)
    url = reverse(page, args=[booked["a"].pk])
    with new_rows() as rows:
        response = client.get(url, headers={"X-Request-ID": REQUEST_ID})
    assert response.status_code == 200
    assert_rows(rows, viewer=viewer, patients=[people.patient_a], what=WHAT, path=url)
    assert rows[0].request_id == REQUEST_ID


def test_another_teams_appointment_is_missing_and_not_noted(people, client, booked) -> None:
    client.force_login(people.coordinator_b)
    with new_rows() as rows:
        assert client.get(reverse("appointment_detail", args=[booked["a"].pk])).status_code == 404
    assert rows == []


@pytest.mark.parametrize(
    "url",
    [
        lambda booked: reverse("appointment_list"),
        lambda booked: reverse("appointment_detail", args=[booked["a"].pk]),
        lambda booked: reverse("appointment_edit", args=[booked["a"].pk]),
        lambda booked: reverse("appointment_cancel", args=[booked["a"].pk]),
    ],
)
def test_patient_looking_at_their_own_writes_nothing(people, client, booked, url) -> None:
    client.force_login(people.patient_a)
    with new_rows() as rows:
        assert client.get(url(booked)).status_code == 200
    assert rows == []


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("coordinator_a", ["patient_a"]), ("admin", ["patient_a", "patient_b"])],
)
def test_api_list_writes_one_row_per_patient_on_the_page(
    people, api_client, booked, persona, shown
) -> None:
    viewer = people.all()[persona]
    api_client.force_authenticate(viewer)
    with new_rows() as rows, CaptureQueriesContext(connection) as queries:
        assert api_client.get(API, HTTP_X_REQUEST_ID=REQUEST_ID).status_code == 200
    assert_rows(
        rows, viewer=viewer, patients=[people.all()[name] for name in shown], what=WHAT, path=API
    )
    assert {row.request_id for row in rows} == {REQUEST_ID}
    assert access_log_inserts(queries) == 1


def test_api_list_notes_the_patients_on_the_page_only(people, api_client) -> None:
    for days in range(1, 51):  # a full first page of patient A's
        book(people.patient_a, days=days)
    book(people.patient_b, days=60)
    api_client.force_authenticate(people.admin)
    with new_rows() as first:
        assert len(api_client.get(API).json()["results"]) == 50
    with new_rows() as second:
        assert api_client.get(API, {"page": 2}).json()["results"][0]["patient"] == (
            people.patient_b.pk
        )
    assert [row.patient_id for row in first] == [people.patient_a.pk]
    assert [row.patient_id for row in second] == [people.patient_b.pk]
    with new_rows() as rows:
        api_client.get(API, {"patient": people.patient_b.pk})
    assert [row.patient_id for row in rows] == [people.patient_b.pk]


def test_a_request_id_that_is_not_a_uuid_is_replaced(people, api_client, booked) -> None:
    api_client.force_authenticate(people.coordinator_a)
    with new_rows() as rows:
        api_client.get(API, HTTP_X_REQUEST_ID="not-a-uuid")
    assert rows[0].request_id and rows[0].request_id != "not-a-uuid"


@pytest.mark.parametrize("method", ["get", "patch", "cancel"])
def test_api_one_appointment_writes_one_row(people, api_client, booked, method) -> None:
    api_client.force_authenticate(people.coordinator_a)
    pk = booked["a"].pk
    with new_rows() as rows:
        if method == "get":
            path = f"{API}{pk}/"
            response = api_client.get(path)
        elif method == "patch":
            path = f"{API}{pk}/"
            response = api_client.patch(path, {"location": "Room 4"}, format="json")
        else:
            path = f"{API}{pk}/cancel/"
            response = api_client.post(path)
    assert response.status_code == 200
    assert_rows(
        rows, viewer=people.coordinator_a, patients=[people.patient_a], what=WHAT, path=path
    )


@pytest.mark.parametrize("persona", ["coordinator_b", "patient_b"])
def test_api_someone_elses_appointment_is_missing_and_not_noted(
    people, api_client, booked, persona
) -> None:
    api_client.force_authenticate(people.all()[persona])
    with new_rows() as rows:
        assert api_client.get(f"{API}{booked['a'].pk}/").status_code == 404
    assert rows == []


def test_api_patient_reading_their_own_writes_nothing(people, api_client, booked) -> None:
    api_client.force_authenticate(people.patient_a)
    with new_rows() as rows:
        assert api_client.get(API).status_code == 200
        assert api_client.get(f"{API}{booked['a'].pk}/").status_code == 200
        assert api_client.post(f"{API}{booked['a2'].pk}/cancel/").status_code == 200
    assert rows == []


# --- django-auditlog ----------------------------------------------------------------------------


def test_appointment_changes_are_audited_with_the_actor(people, client, booked) -> None:
    appointment = booked["a"]
    client.force_login(people.coordinator_a)
    response = client.post(
        reverse("appointment_edit", args=[appointment.pk]),
        {
            "kind": "ct",
            "date": "2026-06-18",
            "time": "11:00",
            "duration_minutes": "60",
            "location": "Room 4",
            "preparation_notes": "",
        },
    )
    assert response.status_code == 302
    entry = (
        LogEntry.objects.get_for_object(appointment)
        .filter(action=LogEntry.Action.UPDATE)
        .latest("pk")
    )
    assert entry.actor == people.coordinator_a
    assert entry.changes_dict["location"][1] == "Room 4"
    assert entry.remote_addr == "127.0.0.1"

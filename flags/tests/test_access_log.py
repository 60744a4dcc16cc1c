"""Care staff reading flags through the API write one record access row per patient shown, in
one statement; acting on a flag writes one. Patients write none. Logs, questions, flags and
thresholds are audited by django-auditlog."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
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
from symptoms.models import DailyLog

pytestmark = pytest.mark.django_db
WHAT = RecordAccessKind.FLAGS
URL = "/api/v1/flags/"


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("coordinator_a", ["patient_a"]),
        ("coordinator_b", ["patient_b"]),
        ("admin", ["patient_a", "patient_b"]),
    ],
)
def test_staff_list_writes_one_row_per_patient_shown(
    people, api_client, flagged, persona, shown
) -> None:
    viewer = people.all()[persona]
    api_client.force_authenticate(viewer)
    with new_rows() as rows, CaptureQueriesContext(connection) as queries:
        response = api_client.get(URL, HTTP_X_REQUEST_ID=REQUEST_ID)
    assert response.status_code == 200
    assert_rows(
        rows, viewer=viewer, patients=[people.all()[name] for name in shown], what=WHAT, path=URL
    )
    assert {row.request_id for row in rows} == {REQUEST_ID}
    assert access_log_inserts(queries) == 1


def test_list_notes_only_the_patients_on_the_page(people, api_client, flagged) -> None:
    api_client.force_authenticate(people.admin)
    path = f"{URL}?patient={people.patient_b.pk}"
    with new_rows() as rows:
        assert api_client.get(path).status_code == 200
    assert_rows(rows, viewer=people.admin, patients=[people.patient_b], what=WHAT, path=path)
    with new_rows() as rows:
        assert api_client.get(f"{URL}?status=resolved").json()["results"] == []
    assert rows == []  # nothing shown, nobody's record seen


@pytest.mark.parametrize("persona", ["patient_a", "patient_b"])
def test_patients_reading_their_own_flags_write_nothing(
    people, api_client, flagged, persona
) -> None:
    api_client.force_authenticate(people.all()[persona])
    with new_rows() as rows:
        assert api_client.get(URL).status_code == 200
    assert rows == []


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_acting_on_a_flag_writes_one_row(people, api_client, flagged, action) -> None:
    api_client.force_authenticate(people.coordinator_a)
    path = f"{URL}{flagged['a'].pk}/{action}/"
    with new_rows() as rows:
        response = api_client.post(path, {"note": "Called."}, format="json")
    assert response.status_code == 200
    assert_rows(
        rows, viewer=people.coordinator_a, patients=[people.patient_a], what=WHAT, path=path
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("coordinator_b", 404), ("admin", 403), ("patient_a", 403)]
)
def test_refused_actions_write_nothing(people, api_client, flagged, persona, status) -> None:
    api_client.force_authenticate(people.all()[persona])
    with new_rows() as rows:
        response = api_client.post(f"{URL}{flagged['a'].pk}/acknowledge/", {}, format="json")
    assert response.status_code == status
    assert rows == []


# --- django-auditlog ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "accounts.User",
        "accounts.PatientProfile",
        "accounts.CareTeam",
        "appointments.Appointment",
        "symptoms.DailyLog",
        "symptoms.PatientQuestion",
        "flags.Flag",
        "flags.FlagThresholds",
    ],
)
def test_record_models_are_audited(label: str) -> None:
    assert auditlog.contains(apps.get_model(label))


def test_a_patients_log_is_audited_with_them_as_actor(people, client) -> None:
    patient = people.patient_a
    yesterday = patient.patient_profile.local_today() - dt.timedelta(days=1)
    client.force_login(patient)
    response = client.post(reverse("log_day", kwargs={"day": yesterday}), {"nausea": "2"})
    assert response.status_code == 302
    log = DailyLog.objects.get(patient=patient, date=yesterday)
    entry = LogEntry.objects.get_for_object(log).get(action=LogEntry.Action.CREATE)
    assert entry.actor == patient

"""The patient record page and one-step flag triage from it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import RecordAccess
from appointments.models import Appointment
from appointments.tests.appointment_factories import book
from flags.models import Flag, FlagStatus
from flags.tests.factories import FlagFactory
from notifications.models import Channel, Kind, Notification, Status
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db


def _soon(days: int) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)


def _record(patient) -> str:
    return reverse("care:record", args=[patient.pk])


@pytest.fixture
def rich_record(people):
    patient = people.patient_a
    profile = patient.patient_profile
    profile.current_treatment = "Letrozole and palbociclib"
    profile.her2_status = "negative"
    profile.save()
    today = profile.local_today()
    for back in range(6):
        log_day(
            patient,
            today - dt.timedelta(days=back),
            {"back_pain": 2 + back, "fatigue": 3},
            notes="Walked to the shops" if back == 1 else "",
        )
    FlagFactory(
        patient=patient,
        rule="severe",
        title="Severe back pain",
        subject="back_pain",
        evidence=[(today - dt.timedelta(days=5)).isoformat()],
    )
    FlagFactory(patient=patient, rule="red_flag", title="Possible seizure", subject="seizure")
    FlagFactory(
        patient=patient,
        rule="persistent",
        title="Tiredness for a while",
        status=FlagStatus.RESOLVED,
        resolved_at=timezone.now() - dt.timedelta(days=3),
        note="Talked it through",
    )
    book(patient, location="Riverside scanner", starts_at=_soon(10), now=timezone.now())
    Notification.objects.create(
        recipient=patient,
        kind=Kind.APPOINTMENT_REMINDER,
        channel=Channel.IN_APP,
        key="test-reminder",
        title="You have an appointment reminder",
        due_at=timezone.now() - dt.timedelta(hours=2),
        status=Status.SENT,
        sent_at=timezone.now() - dt.timedelta(hours=2),
    )
    return patient


def test_record_shows_every_section(people, client, rich_record):
    client.force_login(people.coordinator_a)
    response = client.get(_record(rich_record))
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "Alice Patient",
        "Letrozole and palbociclib",
        "HER2 Negative",
        "Europe/London",
        "patient.a@example.org",
        # flags, urgent first, in staff words, with their evidence and the triage forms
        "Red-flag symptom: Seizure (fit)",
        "Severe symptom: Back or neck pain",
        "Evidence (logs)",
        "Acknowledge",
        "Resolve",
        "Resolved in the last 90 days (1)",
        "Talked it through",
        # trends per site, the timeline, appointments, messages and the access log
        "Back or neck pain",
        "<svg",
        "Walked to the shops",
        "Riverside scanner",
        "Book an appointment",
        "You have an appointment reminder",
        "Who viewed this record",
    ]:
        assert text in body, text
    assert body.index("Red-flag symptom: Seizure") < body.index("Severe symptom: Back or neck")
    assert "Bella Patient" not in body
    # Appointments can be booked, moved and cancelled from here.
    booked = Appointment.objects.get(patient=rich_record)
    assert f'href="{reverse("appointment_new")}?patient={rich_record.pk}"' in body
    assert f'href="{reverse("appointment_edit", args=[booked.pk])}"' in body
    assert f'href="{reverse("appointment_cancel", args=[booked.pk])}"' in body


def test_record_windows(people, client, rich_record):
    client.force_login(people.coordinator_a)
    ninety = client.get(_record(rich_record), {"days": 90}).content.decode()
    assert "of the last 90 days" in ninety
    assert "Back or neck pain: chart of the last 90 days" in ninety
    assert "of the last 30 days" in client.get(_record(rich_record), {"days": 7}).content.decode()
    assert "of the last 30 days" in client.get(_record(rich_record), {"days": "x"}).content.decode()


def test_each_view_of_the_record_writes_exactly_one_access_row(people, client, rich_record):
    client.force_login(people.coordinator_a)
    client.get(_record(rich_record), headers={"X-Request-ID": "0b8f5b7e1c8e4f4a9d2a1c3e5f7a9b1d"})
    row = RecordAccess.objects.get()
    assert (row.viewer_id, row.patient_id, row.what) == (
        people.coordinator_a.pk,
        rich_record.pk,
        "record",
    )
    assert row.request_id == "0b8f5b7e1c8e4f4a9d2a1c3e5f7a9b1d"
    assert row.path == _record(rich_record)
    assert row.ip_address == "127.0.0.1"
    assert (row.viewer_email, row.viewer_role) == ("coord.a@example.org", "coordinator")
    client.get(_record(rich_record))
    assert RecordAccess.objects.count() == 2
    # The second view lists the first in "Who viewed this record".
    body = client.get(_record(rich_record)).content.decode()
    assert body.count("coord.a@example.org") >= 2


def test_outsiders_write_no_access_row(people, client, rich_record):
    client.force_login(people.coordinator_b)
    assert client.get(_record(rich_record)).status_code == 404
    client.force_login(people.patient_a)
    assert client.get(_record(rich_record)).status_code == 403
    assert not RecordAccess.objects.exists()


def test_record_query_count_does_not_grow(
    people, client, rich_record, django_assert_max_num_queries
):
    client.force_login(people.coordinator_a)
    with django_assert_max_num_queries(20) as small:
        client.get(_record(rich_record))
    today = rich_record.patient_profile.local_today()
    for back in range(6, 29):
        log_day(rich_record, today - dt.timedelta(days=back), {"nausea": 5, "seizure": False})
    for days in range(5):
        book(rich_record, starts_at=_soon(days + 2), now=timezone.now())
    for number in range(8):
        FlagFactory(patient=rich_record, rule="severe", subject=f"extra{number}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(_record(rich_record)).status_code == 200


# --- Flag triage from the record --------------------------------------------------------------


def _post(client, patient, flag, action, note="", **extra):
    url = reverse(f"care:flag_{action}", args=[patient.pk, flag.pk])
    return client.post(url, {"note": note, **extra})


def test_acknowledge_in_one_step_with_a_note(people, client, rich_record):
    flag = Flag.objects.get(title="Possible seizure")
    client.force_login(people.coordinator_a)
    response = _post(client, rich_record, flag, "acknowledge", note="Called, going to A&E")
    assert response.status_code == 302
    assert response["Location"] == _record(rich_record)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACKNOWLEDGED
    assert flag.acknowledged_by == people.coordinator_a
    assert "Called, going to A&E" in flag.note
    body = client.get(response["Location"]).content.decode()
    assert "Red-flag symptom: Seizure (fit) for Alice Patient: acknowledged." in body
    assert "Acknowledged by" in body


def test_resolve_needs_a_note_and_changes_nothing_without_one(people, client, rich_record):
    flag = Flag.objects.get(title="Severe back pain")
    client.force_login(people.coordinator_a)
    response = _post(client, rich_record, flag, "resolve", note="   ")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    body = client.get(response["Location"]).content.decode()
    assert "Please add a short note" in body
    _post(client, rich_record, flag, "resolve", note="Pain clinic referral")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED
    assert flag.resolved_by == people.coordinator_a


def test_acknowledging_twice_says_so(people, client, rich_record):
    flag = Flag.objects.get(title="Possible seizure")
    client.force_login(people.coordinator_a)
    _post(client, rich_record, flag, "acknowledge")
    response = _post(client, rich_record, flag, "acknowledge")
    body = client.get(response["Location"]).content.decode()
    assert "already acknowledged" in body


@pytest.mark.parametrize(
    "persona,status",
    [
        ("coordinator_b", 404),
        ("patient_a", 403),
        ("patient_b", 403),
        ("admin", 403),  # admins act on flags through admin, not as the patient's coordinator
        ("anonymous", 302),
    ],
)
def test_only_the_patients_coordinators_triage(people, client, rich_record, persona, status):
    flag = Flag.objects.get(title="Possible seizure")
    user = people.all()[persona]
    if user:
        client.force_login(user)
    assert _post(client, rich_record, flag, "acknowledge", note="x").status_code == status
    assert _post(client, rich_record, flag, "resolve", note="x").status_code == status
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_a_flag_of_another_patient_is_404_even_for_a_coordinator(people, client, rich_record):
    bellas = FlagFactory(patient=people.patient_b, rule="red_flag")
    client.force_login(people.coordinator_a)
    # Patient A's URL with patient B's flag: not found, and nothing changes.
    assert _post(client, rich_record, bellas, "acknowledge").status_code == 404
    bellas.refresh_from_db()
    assert bellas.status == FlagStatus.OPEN


def test_flag_actions_are_post_only(people, client, rich_record):
    flag = Flag.objects.get(title="Possible seizure")
    client.force_login(people.coordinator_a)
    url = reverse("care:flag_acknowledge", args=[rich_record.pk, flag.pk])
    assert client.get(url).status_code == 405


def test_times_are_the_care_teams_and_appointments_the_patients(people, client, settings):
    """Flags are stamped in the care team's time (BST in July, with its abbreviation); the
    patient's clock and appointments in theirs (Kolkata, five and a half hours ahead)."""
    settings.DEFAULT_PATIENT_TIMEZONE = "Europe/London"
    profile = people.patient_a.patient_profile
    profile.timezone = "Asia/Kolkata"
    profile.save()
    summer = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(summer, tick=False):
        FlagFactory(patient=people.patient_a, rule="fever", title="Fever", age=dt.timedelta(0))
        book(
            people.patient_a,
            starts_at=dt.datetime(2026, 7, 8, 4, 30, tzinfo=dt.UTC),  # 10:00 in Kolkata
            now=summer,
        )
        client.force_login(people.coordinator_a)
        body = client.get(_record(people.patient_a)).content.decode()
        panel = client.get(reverse("care:panel")).content.decode()
    assert "Waiting since 1 Jul 10:00 BST" in body
    assert "their time now: Wed 1 Jul, 14:30" in body
    assert "Wed 8 Jul 2026, 10:00</a> (their time)" in body
    assert "Urgent, waiting for a call since 1 Jul 10:00 BST" in panel
    assert "Wed 8 Jul, 10:00" in panel


def test_an_appointment_stored_past_the_end_of_the_calendar_is_shown(people, client, api_client):
    """A row from before the date rule: 12:00 UTC on 31 December 9999 is 02:00 on 1 January
    10000 in Kiritimati. The record, the panel and the API answer; the record offers to change
    it."""
    from appointments.tests.appointment_factories import PAST_THE_CALENDAR, stored

    profile = people.patient_a.patient_profile
    profile.timezone = "Pacific/Kiritimati"
    profile.save()
    late = stored(people.patient_a, kind="blood_test", starts_at=PAST_THE_CALENDAR)
    client.force_login(people.coordinator_a)
    response = client.get(_record(people.patient_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/appointments/{late.pk}/edit/"' in body
    assert "9999" in body
    assert client.get(reverse("care:panel")).status_code == 200
    api_client.force_authenticate(people.coordinator_a)
    assert api_client.get(f"/api/v1/patients/{people.patient_a.pk}/").status_code == 200
    assert api_client.get("/api/v1/patients/").status_code == 200

"""/api/v1/appointments/: booking, listing, rescheduling and cancelling, with their reminders."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import make_patient
from appointments.models import Appointment, AppointmentStatus
from appointments.tests.appointment_factories import (
    LAST_HALF_HOUR,
    NOW,
    PAST_THE_CALENDAR,
    book,
    local,
    stored,
)
from notifications.models import Channel, Notification, Status

pytestmark = pytest.mark.django_db
URL = "/api/v1/appointments/"
SCAN_DAY = dt.date(2026, 6, 25)  # ten days after NOW


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _reminders(appointment_id: int, status: str | None = None) -> list[tuple[str, dt.datetime]]:
    rows = Notification.objects.filter(
        subject_type="appointment", subject_id=appointment_id, channel=Channel.IN_APP
    )
    if status is not None:
        rows = rows.filter(status=status)
    return sorted(rows.values_list("kind", "due_at"), key=lambda row: row[1])


def _nine(day: dt.date) -> dt.datetime:
    return local(day, 9).astimezone(dt.UTC)


# --- Booking -------------------------------------------------------------------------------------


def test_patient_books_a_scan_201_with_its_reminders_planned(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(
        URL,
        {
            "kind": "ct",
            "starts_at": "2026-06-25T10:30:00+01:00",
            "location": "Riverside Hospital, Imaging",
            "notes": "Nothing to eat for 4 hours before.",
            "patient": people.patient_b.pk,  # ignored for patients
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    appointment = Appointment.objects.get()
    assert appointment.patient == people.patient_a
    assert appointment.created_by == people.patient_a
    assert appointment.starts_at == dt.datetime(2026, 6, 25, 9, 30, tzinfo=dt.UTC)
    assert appointment.preparation_notes == "Nothing to eat for 4 hours before."
    assert {key: body[key] for key in body if key != "reminders"} == {
        "id": appointment.pk,
        "patient": people.patient_a.pk,
        "kind": "ct",
        "starts_at": "2026-06-25T10:30:00+01:00",
        "ends_at": "2026-06-25T11:30:00+01:00",
        "duration_minutes": 60,
        "location": "Riverside Hospital, Imaging",
        "notes": "Nothing to eat for 4 hours before.",
        "status": "scheduled",
        "timezone": "Europe/London",
    }
    # CLINICAL.md for a scan: 7 days before, 2 days before (scan support), 1 day before, and a
    # check-in the day after; each at 09:00 local, in the app and by email.
    expected = [
        ("appointment_reminder", _nine(SCAN_DAY - dt.timedelta(days=7))),
        ("scan_anxiety", _nine(SCAN_DAY - dt.timedelta(days=2))),
        ("appointment_reminder", _nine(SCAN_DAY - dt.timedelta(days=1))),
        ("post_scan_checkin", _nine(SCAN_DAY + dt.timedelta(days=1))),
    ]
    assert _reminders(appointment.pk, Status.PLANNED) == expected
    assert (
        Notification.objects.filter(subject_id=appointment.pk, channel=Channel.EMAIL).count() == 4
    )
    assert body["reminders"] == [
        {"kind": "appointment_reminder", "scheduled_for": "2026-06-18T09:00:00+01:00",
         "status": "planned", "sent_at": None},
        {"kind": "scan_anxiety", "scheduled_for": "2026-06-23T09:00:00+01:00",
         "status": "planned", "sent_at": None},
        {"kind": "appointment_reminder", "scheduled_for": "2026-06-24T09:00:00+01:00",
         "status": "planned", "sent_at": None},
        {"kind": "post_scan_checkin", "scheduled_for": "2026-06-26T09:00:00+01:00",
         "status": "planned", "sent_at": None},
    ]  # fmt: skip


def test_times_go_out_in_the_patients_own_zone(people, api_client):
    patient = make_patient(care_team=people.team_a, timezone="America/New_York")
    api_client.force_authenticate(patient)
    response = api_client.post(
        URL, {"kind": "blood_test", "starts_at": "2026-06-20T13:15:00Z"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["starts_at"] == "2026-06-20T09:15:00-04:00"
    assert response.json()["timezone"] == "America/New_York"


@pytest.mark.parametrize(
    ("starts_at", "field_error"),
    [
        ("2026-06-25T10:30:00", "offset"),  # naive: could mean anywhere
        ("2026-06-14T10:30:00+01:00", "already passed"),
        ("2026-06-15T12:59:00+01:00", "already passed"),  # a minute ago
        ("next tuesday", "format"),
    ],
)
def test_a_bad_time_is_400_and_nothing_is_saved(people, api_client, starts_at, field_error):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(URL, {"kind": "ct", "starts_at": starts_at}, format="json")
    assert response.status_code == 400
    assert field_error in " ".join(response.json()["starts_at"])
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()


def test_past_time_message_is_calm(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(
        URL, {"kind": "ct", "starts_at": "2026-06-01T10:00:00+01:00"}, format="json"
    )
    assert response.json() == {
        "starts_at": ["This time has already passed. Please choose a time to come."]
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "xray"}, "kind"),
        ({"kind": None}, "kind"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"location": "x" * 201}, "location"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
def test_other_bad_answers_are_400(people, api_client, changes, field):
    api_client.force_authenticate(people.patient_a)
    data = {"kind": "ct", "starts_at": "2026-06-25T10:30:00+01:00", **changes}
    response = api_client.post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Appointment.objects.exists()


TOO_FAR = {"starts_at": ["Please choose a date within the next 3 years."]}


@pytest.mark.parametrize(
    "starts_at",
    [
        "9999-12-30T23:00:00+00:00",  # the reported booking
        "2029-06-15T12:00:00.000001+00:00",  # just past three years from NOW
        "9999-12-31T23:00:00-05:00",  # after the last instant UTC can hold
        "0001-01-01T00:00:00+01:00",  # before the first
    ],
)
def test_a_time_more_than_3_years_ahead_is_400_and_nothing_is_saved(people, api_client, starts_at):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(URL, {"kind": "ct", "starts_at": starts_at}, format="json")
    assert response.status_code == 400
    assert response.json() == TOO_FAR
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()


def test_exactly_3_years_ahead_is_booked(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(
        URL, {"kind": "ct", "starts_at": "2029-06-15T13:00:00+01:00"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Appointment.objects.get().starts_at == NOW.replace(year=2029)


def test_coordinator_books_for_their_patient(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(
        URL,
        {
            "kind": "oncology_visit",
            "starts_at": "2026-07-01T14:00:00+01:00",
            "patient": people.patient_a.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    appointment = Appointment.objects.get()
    assert (appointment.patient, appointment.created_by) == (
        people.patient_a,
        people.coordinator_a,
    )
    kinds = [kind for kind, _ in _reminders(appointment.pk)]
    assert kinds == ["appointment_reminder", "visit_prep", "appointment_reminder"]


def test_coordinator_must_name_the_patient(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(
        URL, {"kind": "ct", "starts_at": "2026-06-25T10:30:00+01:00"}, format="json"
    )
    assert response.status_code == 400
    assert "patient" in response.json()
    response = api_client.post(
        URL,
        {"kind": "ct", "starts_at": "2026-06-25T10:30:00+01:00", "patient": "Alice"},
        format="json",
    )
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_coordinator_booking_for_another_teams_patient_is_404(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    for data in (
        {"kind": "ct", "starts_at": "2026-06-25T10:30:00+01:00", "patient": people.patient_b.pk},
        # Even with other mistakes in it, the answer does not reveal that the patient exists.
        {"kind": "ct", "starts_at": "2020-01-01T10:30:00+01:00", "patient": people.patient_b.pk},
        {"kind": "ct", "starts_at": "2026-06-25T10:30:00+01:00", "patient": 999_999},
        # A coordinator is not a patient either.
        {"kind": "ct", "starts_at": "2026-06-25T10:30:00+01:00", "patient": people.admin.pk},
    ):
        response = api_client.post(URL, data, format="json")
        assert response.status_code == 404, data
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()


def test_admin_books_for_any_patient(people, api_client):
    api_client.force_authenticate(people.admin)
    response = api_client.post(
        URL,
        {"kind": "mri", "starts_at": "2026-06-25T10:30:00+01:00", "patient": people.patient_b.pk},
        format="json",
    )
    assert response.status_code == 201
    assert Appointment.objects.get().patient == people.patient_b


# --- Listing -------------------------------------------------------------------------------------


def test_list_shows_own_or_panel_soonest_first(people, api_client):
    later = book(people.patient_a, days=20)
    sooner = book(people.patient_a, days=5, kind="blood_test")
    other = book(people.patient_b, days=7)

    api_client.force_authenticate(people.patient_a)
    body = api_client.get(URL).json()
    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [sooner.pk, later.pk]

    api_client.force_authenticate(people.coordinator_b)
    assert [item["id"] for item in api_client.get(URL).json()["results"]] == [other.pk]

    api_client.force_authenticate(people.admin)
    assert api_client.get(URL).json()["count"] == 3


def test_staff_filter_by_patient(people, api_client):
    carl = make_patient(care_team=people.team_a)
    mine = book(people.patient_a)
    book(carl)
    api_client.force_authenticate(people.coordinator_a)
    body = api_client.get(URL, {"patient": people.patient_a.pk}).json()
    assert [item["id"] for item in body["results"]] == [mine.pk]
    # Another team's patient: 404, as if there were no such patient.
    assert api_client.get(URL, {"patient": people.patient_b.pk}).status_code == 404
    assert api_client.get(URL, {"patient": "x"}).status_code == 400


def test_patient_filter_on_someone_else_is_404(people, api_client):
    api_client.force_authenticate(people.patient_a)
    assert api_client.get(URL, {"patient": people.patient_a.pk}).status_code == 200
    assert api_client.get(URL, {"patient": people.patient_b.pk}).status_code == 404


def test_from_and_to_are_the_patients_local_days(people, api_client):
    patient = make_patient(care_team=people.team_a, timezone="America/New_York")
    # 23:30 on 20 June in New York is already 21 June in UTC.
    late = book(patient, starts_at=local(dt.date(2026, 6, 20), 23, 30, "America/New_York"))
    book(patient, starts_at=local(dt.date(2026, 6, 22), 9, 0, "America/New_York"))
    api_client.force_authenticate(patient)
    body = api_client.get(URL, {"from": "2026-06-20", "to": "2026-06-20"}).json()
    assert [item["id"] for item in body["results"]] == [late.pk]
    assert api_client.get(URL, {"from": "2026-06-21", "to": "2026-06-21"}).json()["count"] == 0
    assert api_client.get(URL, {"from": "2026-06-21"}).json()["count"] == 1
    response = api_client.get(URL, {"from": "2026-06-21", "to": "2026-06-20"})
    assert response.status_code == 400


def test_from_and_to_at_the_ends_of_the_calendar_mean_no_bound(people, api_client):
    """The first and last days there are (1 January of year 1, 31 December 9999) have no
    midnight after or before them in every zone: they filter nothing out instead of a 500."""
    patient = make_patient(care_team=people.team_a, timezone="Pacific/Kiritimati")
    booked = book(patient)
    api_client.force_authenticate(patient)
    for query in (
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "0001-01-01", "to": "9999-12-31"},
    ):
        response = api_client.get(URL, query)
        assert response.status_code == 200, (query, response.content)
        assert [item["id"] for item in response.json()["results"]] == [booked.pk]
    patient.patient_profile.timezone = "America/Los_Angeles"
    patient.patient_profile.save(update_fields=["timezone"])
    assert api_client.get(URL, {"from": "0001-01-01", "to": "9999-12-31"}).json()["count"] == 1


def test_status_filter(people, api_client):
    kept = book(people.patient_a)
    gone = book(people.patient_a, days=12)
    api_client.force_authenticate(people.patient_a)
    api_client.post(f"{URL}{gone.pk}/cancel/")
    body = api_client.get(URL, {"status": "scheduled"}).json()
    assert [item["id"] for item in body["results"]] == [kept.pk]


@pytest.mark.parametrize("persona", ["patient_a", "coordinator_a"])
def test_list_query_count_does_not_grow(people, api_client, persona):
    api_client.force_authenticate(getattr(people, persona))
    for days in range(1, 4):
        book(people.patient_a, days=days)
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(URL).json()["count"] == 3
    for days in range(4, 31):
        book(people.patient_a, days=days)
    with CaptureQueriesContext(connection) as many:
        body = api_client.get(URL).json()
    assert body["count"] == 30
    assert all(len(item["reminders"]) == 4 for item in body["results"][7:])
    staff = persona.startswith("coordinator")  # + the access log's lock and insert
    assert len(many) == len(few) <= (5 if staff else 4)


def test_list_with_dates_query_count_does_not_grow(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    book(people.patient_a)
    with CaptureQueriesContext(connection) as few:
        api_client.get(URL, {"from": "2026-06-01"})
    for days in range(2, 30):
        book(make_patient(care_team=people.team_a, timezone="Asia/Tokyo"), days=days)
    with CaptureQueriesContext(connection) as many:
        assert api_client.get(URL, {"from": "2026-06-01"}).json()["count"] == 29
    assert len(many) == len(few)


# --- Rescheduling and cancelling --------------------------------------------------------------


def test_reschedule_moves_the_reminders(people, api_client):
    appointment = book(people.patient_a)
    old = _reminders(appointment.pk)
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(
        f"{URL}{appointment.pk}/",
        {"starts_at": "2026-06-30T08:45:00+01:00", "location": "Day unit"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["starts_at"], body["location"], body["kind"]) == (
        "2026-06-30T08:45:00+01:00",
        "Day unit",
        "ct",
    )
    new_day = dt.date(2026, 6, 30)
    assert _reminders(appointment.pk, Status.CANCELLED) == old
    assert _reminders(appointment.pk, Status.PLANNED) == [
        ("appointment_reminder", _nine(new_day - dt.timedelta(days=7))),
        ("scan_anxiety", _nine(new_day - dt.timedelta(days=2))),
        ("appointment_reminder", _nine(new_day - dt.timedelta(days=1))),
        ("post_scan_checkin", _nine(new_day + dt.timedelta(days=1))),
    ]
    shown = [(item["status"], item["scheduled_for"][:10]) for item in body["reminders"]]
    assert ("cancelled", "2026-06-18") in shown
    assert ("planned", "2026-06-23") in shown


def test_reschedule_into_the_past_is_400_and_changes_nothing(people, api_client):
    appointment = book(people.patient_a)
    before = list(Notification.objects.values_list("pk", "status", "due_at").order_by("pk"))
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(
        f"{URL}{appointment.pk}/",
        {"starts_at": "2026-06-10T10:00:00+01:00", "location": "Elsewhere"},
        format="json",
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.location) == (
        local(SCAN_DAY, 10, 30),
        "",
    )
    after = list(Notification.objects.values_list("pk", "status", "due_at").order_by("pk"))
    assert after == before


def test_reschedule_more_than_3_years_ahead_is_400_and_changes_nothing(people, api_client):
    appointment = book(people.patient_a)
    before = list(Notification.objects.values_list("pk", "status", "due_at").order_by("pk"))
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(
        f"{URL}{appointment.pk}/", {"starts_at": "2029-06-16T10:00:00+01:00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == TOO_FAR
    appointment.refresh_from_db()
    assert appointment.starts_at == local(SCAN_DAY, 10, 30)
    after = list(Notification.objects.values_list("pk", "status", "due_at").order_by("pk"))
    assert after == before


def test_patch_cannot_move_an_appointment_to_another_patient(people, api_client):
    appointment = book(people.patient_a)
    carl = make_patient(care_team=people.team_a)
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.patch(f"{URL}{appointment.pk}/", {"patient": carl.pk}, format="json")
    assert response.status_code == 400
    assert Appointment.objects.get().patient == people.patient_a
    # Naming its own patient is fine.
    response = api_client.patch(
        f"{URL}{appointment.pk}/",
        {"patient": people.patient_a.pk, "duration_minutes": 30},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["duration_minutes"] == 30


def test_naive_reschedule_is_400(people, api_client):
    appointment = book(people.patient_a)
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(
        f"{URL}{appointment.pk}/", {"starts_at": "2026-06-30T08:45:00"}, format="json"
    )
    assert response.status_code == 400


def test_cancel_cancels_pending_reminders_and_keeps_sent_ones(people, api_client):
    appointment = book(people.patient_a, days=3)  # the 7-day reminder was skipped at booking
    first = Notification.objects.filter(subject_id=appointment.pk).earliest("due_at")
    Notification.objects.filter(key=first.key).update(status=Status.SENT, sent_at=NOW)
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(f"{URL}{appointment.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    statuses = set(
        Notification.objects.filter(subject_id=appointment.pk).values_list("status", flat=True)
    )
    assert statuses == {Status.SENT, Status.CANCELLED}
    assert not Notification.objects.filter(
        subject_type="appointment", status=Status.PLANNED
    ).exists()
    # Cancelling twice is harmless; a cancelled appointment cannot be moved.
    assert api_client.post(f"{URL}{appointment.pk}/cancel/").status_code == 200
    response = api_client.patch(
        f"{URL}{appointment.pk}/", {"starts_at": "2026-06-30T08:45:00+01:00"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()


def test_detail_shows_reminders(people, api_client):
    appointment = book(people.patient_a, kind="blood_test")
    api_client.force_authenticate(people.coordinator_a)
    body = api_client.get(f"{URL}{appointment.pk}/").json()
    assert body["id"] == appointment.pk
    assert [item["kind"] for item in body["reminders"]] == [
        "appointment_reminder",
        "appointment_reminder",
    ]


# --- Rows stored before the date rule -------------------------------------------------------


@pytest.mark.parametrize("persona", ["patient", "coordinator_a"])
def test_rows_at_the_end_of_the_calendar_are_shown_not_500(people, api_client, persona):
    patient = make_patient(care_team=people.team_a, timezone="Pacific/Kiritimati")
    rows = [
        stored(patient),
        stored(patient, kind="blood_test", starts_at=PAST_THE_CALENDAR),
        stored(patient, kind="other", starts_at=LAST_HALF_HOUR),
    ]
    api_client.force_authenticate(patient if persona == "patient" else people.coordinator_a)
    listed = api_client.get(URL)
    assert listed.status_code == 200
    assert {item["id"] for item in listed.json()["results"]} == {row.pk for row in rows}
    for appointment in rows:
        response = api_client.get(f"{URL}{appointment.pk}/")
        assert response.status_code == 200
        assert response.json()["starts_at"].startswith("9999-12-")
    cancelled = api_client.post(f"{URL}{rows[1].pk}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"

"""Appointment pages: the list, booking, one appointment with its reminders, changing and
cancelling. Times are typed and shown in the patient's own time zone."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

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
SCAN_DAY = dt.date(2026, 6, 25)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _form(**changes: object) -> dict[str, object]:
    return {
        "kind": "ct",
        "date": SCAN_DAY.isoformat(),
        "time": "10:30",
        "duration_minutes": "60",
        "location": "Riverside Hospital, Imaging",
        "preparation_notes": "Nothing to eat for 4 hours.",
        **changes,
    }


def _text(response) -> str:
    """The page's visible words, roughly: tags dropped, spaces squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _error_next_to(response, field: str) -> str:
    """The error message rendered for a field, checked to be linked to its input."""
    html = response.content.decode()
    match = re.search(rf'<p class="error-text" id="id_{field}_error">([^<]*)</p>', html)
    assert match, f"no error shown for {field}"
    assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"', html) or re.search(
        rf'aria-invalid="true"[^>]*id="id_{field}"', html
    )
    assert f"id_{field}_error" in re.search(rf"<[^>]*id=\"id_{field}\"[^>]*>", html).group(0)
    return match.group(1)


def _nothing_saved() -> None:
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()


def test_reminder_links_are_these_pages():
    assert resolve("/appointments/7/").url_name == "appointment_detail"
    assert resolve("/appointments/7/support/").url_name == "appointment_support"
    assert resolve("/appointments/7/check-in/").url_name == "appointment_checkin"
    assert reverse("appointment_detail", args=[7]) == "/appointments/7/"


# --- Booking -------------------------------------------------------------------------------------


def test_booking_form_is_plain_and_says_which_time_zone(people, client):
    client.force_login(people.patient_a)
    response = client.get(reverse("appointment_new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Times are in Europe/London." in html
    assert 'type="date"' in html and 'type="time"' in html
    assert 'min="2026-06-15"' in html
    assert "Restaging visit (a check-up with scans and tests)" in html
    assert "Visit with the cancer doctor (oncology)" in html
    assert 'name="patient"' not in html  # patients book for themselves


def test_patient_books_a_scan_and_lands_on_it(people, client):
    client.force_login(people.patient_a)
    response = client.post(reverse("appointment_new"), _form())
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appointments/{appointment.pk}/"
    assert appointment.starts_at == dt.datetime(2026, 6, 25, 9, 30, tzinfo=dt.UTC)  # 10:30 BST
    assert (appointment.patient, appointment.created_by) == (people.patient_a, people.patient_a)
    assert appointment.location == "Riverside Hospital, Imaging"
    kinds = Notification.objects.filter(channel=Channel.IN_APP, subject_type="appointment")
    assert sorted(kinds.values_list("kind", flat=True)) == [
        "appointment_reminder",
        "appointment_reminder",
        "post_scan_checkin",
        "scan_anxiety",
    ]
    page = client.get(response["Location"])
    text = _text(page)
    assert "Saved: CT scan, Thursday 25 June at 10:30." in text
    assert "Reminders we will send" in text


def test_the_day_and_time_are_read_in_the_patients_zone(people, client):
    patient = make_patient(care_team=people.team_a, timezone="America/New_York")
    client.force_login(patient)
    html = client.get(reverse("appointment_new")).content.decode()
    assert "Times are in America/New York." in html
    client.post(reverse("appointment_new"), _form(time="08:15"))
    assert Appointment.objects.get().starts_at == local(SCAN_DAY, 8, 15, "America/New_York")


def test_a_time_that_has_passed_is_refused_calmly(people, client):
    client.force_login(people.patient_a)
    response = client.post(reverse("appointment_new"), _form(date="2026-06-15", time="12:00"))
    assert response.status_code == 200
    assert _error_next_to(response, "time") == (
        "This time has already passed. Please choose a time to come."
    )
    assert "Nothing is saved yet" in response.content.decode()
    _nothing_saved()


def test_a_day_that_has_passed_is_refused_calmly(people, client):
    client.force_login(people.patient_a)
    response = client.post(reverse("appointment_new"), _form(date="2026-06-14"))
    assert _error_next_to(response, "date") == (
        "This day has already passed. Please choose a day to come."
    )
    _nothing_saved()


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_a_day_more_than_3_years_ahead_is_refused_calmly(people, client, zone):
    # 23:30 on 31 December 9999 in New York is after the last instant UTC can hold.
    people.patient_a.patient_profile.timezone = zone
    people.patient_a.patient_profile.save()
    client.force_login(people.patient_a)
    response = client.post(reverse("appointment_new"), _form(date="2029-06-16"))
    assert response.status_code == 200
    assert _error_next_to(response, "date") == "Please choose a date within the next 3 years."
    _nothing_saved()
    response = client.post(reverse("appointment_new"), _form(date="9999-12-31", time="23:30"))
    assert _error_next_to(response, "date") == "Please choose a date within the next 3 years."
    _nothing_saved()


def test_the_last_day_within_3_years_is_booked_and_the_picker_stops_there(people, client):
    client.force_login(people.patient_a)
    html = client.get(reverse("appointment_new")).content.decode()
    assert re.search(r'<input type="date"[^>]*max="2029-06-15"', html)
    response = client.post(reverse("appointment_new"), _form(date="2029-06-15", time="13:00"))
    assert response.status_code == 302
    assert Appointment.objects.get().starts_at == NOW.replace(year=2029)
    response = client.post(reverse("appointment_new"), _form(date="2029-06-15", time="13:01"))
    assert _error_next_to(response, "date") == "Please choose a date within the next 3 years."


def test_moving_an_appointment_more_than_3_years_ahead_is_refused(people, client):
    appointment = book(people.patient_a)
    client.force_login(people.patient_a)
    response = client.post(
        reverse("appointment_edit", args=[appointment.pk]), _form(date="2030-01-01")
    )
    assert _error_next_to(response, "date") == "Please choose a date within the next 3 years."
    appointment.refresh_from_db()
    assert appointment.starts_at == local(SCAN_DAY, 10, 30)


def test_a_time_skipped_by_the_clocks_is_refused(people, client):
    client.force_login(people.patient_a)
    # 01:30 on 28 March 2027 never happens in London: the clocks go from 01:00 to 02:00.
    response = client.post(reverse("appointment_new"), _form(date="2027-03-28", time="01:30"))
    assert "clocks go forward" in _error_next_to(response, "time")
    _nothing_saved()


def test_missing_answers_are_shown_next_to_each_field_and_kept(people, client):
    client.force_login(people.patient_a)
    response = client.post(
        reverse("appointment_new"), _form(kind="", date="", time="", location="Kept here")
    )
    assert response.status_code == 200
    assert _error_next_to(response, "kind")
    assert _error_next_to(response, "date") == "Please choose the day."
    assert _error_next_to(response, "time") == "Please choose the time."
    assert 'value="Kept here"' in response.content.decode()
    _nothing_saved()


def test_the_booking_form_needs_a_profile(people, client):
    from accounts.tests.factories import UserFactory

    lonely = UserFactory()  # a patient login not linked to a care team yet
    client.force_login(lonely)
    response = client.get(reverse("appointment_new"))
    assert response.status_code == 302


def test_coordinator_books_for_a_patient_of_their_own_in_that_patients_zone(people, client):
    carl = make_patient(name="Carl Third", care_team=people.team_a, timezone="America/New_York")
    client.force_login(people.coordinator_a)
    html = client.get(reverse("appointment_new")).content.decode()
    assert "Alice Patient (times in Europe/London)" in html
    assert "Carl Third (times in America/New York)" in html
    assert "Bella Patient" not in html  # another team's patient is not offered
    assert "the patient&#x27;s own time zone" in html
    response = client.post(reverse("appointment_new"), _form(patient=carl.pk, time="09:00"))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.patient == carl
    assert appointment.created_by == people.coordinator_a
    assert appointment.starts_at == local(SCAN_DAY, 9, 0, "America/New_York")


def test_coordinator_cannot_book_for_another_teams_patient(people, client):
    client.force_login(people.coordinator_a)
    response = client.post(reverse("appointment_new"), _form(patient=people.patient_b.pk))
    assert response.status_code == 200
    assert _error_next_to(response, "patient") == "Please choose one of your patients."
    _nothing_saved()
    html = client.get(reverse("appointment_new"), {"patient": people.patient_b.pk}).content
    assert b"Bella" not in html


def test_coordinator_with_a_chosen_patient_is_told_their_zone(people, client):
    client.force_login(people.coordinator_a)
    html = client.get(reverse("appointment_new"), {"patient": people.patient_a.pk}).content
    assert b"Times are in Europe/London." in html


# --- One appointment -----------------------------------------------------------------------------


def test_detail_shows_what_when_where_and_the_reminders(people, client):
    appointment = book(
        people.patient_a,
        location="Riverside Hospital",
        preparation_notes="No food after 6am.\nBring your medicines.",
        duration_minutes=45,
    )
    # The first reminder went out; a cancelled one (from an old time) is not shown.
    first = Notification.objects.filter(subject_id=appointment.pk).earliest("due_at")
    Notification.objects.filter(key=first.key).update(status=Status.SENT, sent_at=NOW)
    Notification.objects.create(
        recipient=people.patient_a,
        kind="appointment_reminder",
        channel=Channel.IN_APP,
        key="appointment:old",
        title="x",
        subject_type="appointment",
        subject_id=appointment.pk,
        due_at=NOW + dt.timedelta(days=1),
        status=Status.CANCELLED,
    )
    client.force_login(people.patient_a)
    response = client.get(reverse("appointment_detail", args=[appointment.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "CT scan" in text
    assert "Thursday 25 June 2026, 10:30 to 11:15 (45 minutes)" in text
    assert "Times are in Europe/London." in text
    assert "Riverside Hospital" in text
    assert "No food after 6am. Bring your medicines." in text
    items = re.findall(
        r'<li class="appt-reminder[^"]*">(.*?)</li>', response.content.decode(), re.S
    )
    reminders = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]
    assert reminders == [
        "Thursday 18 June at 09:00 Sent A week before: a reminder of when and where, how to get "
        "ready, and a nudge to ask when results will come",
        "Tuesday 23 June at 09:00 2 days before: some support for the wait: a breathing "
        "exercise, ideas that help, and who to talk to",
        "Wednesday 24 June at 09:00 The day before: a reminder of when and where",
        "Friday 26 June at 09:00 The day after: a gentle check-in while you wait for results",
    ]
    html = response.content.decode()
    assert f'href="/appointments/{appointment.pk}/support/"' in html
    assert f'href="/appointments/{appointment.pk}/edit/"' in html
    assert f'href="/appointments/{appointment.pk}/cancel/"' in html


def test_detail_of_a_blood_test_has_no_scan_support(people, client):
    appointment = book(people.patient_a, kind="blood_test")
    client.force_login(people.patient_a)
    html = client.get(reverse("appointment_detail", args=[appointment.pk])).content.decode()
    assert "/support/" not in html
    assert "Blood test" in html


def test_detail_of_a_cancelled_appointment(people, client):
    appointment = book(people.patient_a)
    client.force_login(people.patient_a)
    client.post(reverse("appointment_cancel", args=[appointment.pk]))
    text = _text(client.get(reverse("appointment_detail", args=[appointment.pk])))
    assert "This appointment is cancelled. We will not send its reminders." in text
    assert "None, because the appointment is cancelled." in text
    assert "Change the time" not in text


def test_detail_of_a_past_scan_offers_the_check_in(people, client):
    appointment = book(people.patient_a, days=1)
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        client.force_login(people.patient_a)
        html = client.get(reverse("appointment_detail", args=[appointment.pk])).content.decode()
    assert f'href="/appointments/{appointment.pk}/check-in/"' in html
    assert "This appointment is over." in html
    assert f"/appointments/{appointment.pk}/edit/" not in html


# --- Changing and cancelling ---------------------------------------------------------------------


def test_edit_form_is_filled_in_local_time(people, client):
    appointment = book(people.patient_a, duration_minutes=50)  # a length the list lacks
    client.force_login(people.patient_a)
    html = client.get(reverse("appointment_edit", args=[appointment.pk])).content.decode()
    assert 'value="2026-06-25"' in html
    assert 'value="10:30"' in html
    assert '<option value="50" selected>50 minutes</option>' in html


def test_rescheduling_moves_the_reminders(people, client):
    appointment = book(people.patient_a)
    old = set(Notification.objects.values_list("pk", flat=True))
    client.force_login(people.patient_a)
    response = client.post(
        reverse("appointment_edit", args=[appointment.pk]), _form(date="2026-07-02", time="14:00")
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == local(dt.date(2026, 7, 2), 14, 0)
    assert set(Notification.objects.filter(pk__in=old).values_list("status", flat=True)) == {
        Status.CANCELLED
    }
    planned = Notification.objects.filter(status=Status.PLANNED, subject_type="appointment")
    assert planned.count() == 8
    assert "Its reminders have moved with it." in _text(client.get(response["Location"]))


def test_rescheduling_into_the_past_changes_nothing(people, client):
    appointment = book(people.patient_a)
    before = list(Notification.objects.values_list("pk", "status").order_by("pk"))
    client.force_login(people.patient_a)
    response = client.post(
        reverse("appointment_edit", args=[appointment.pk]),
        _form(date="2026-06-15", time="08:00", location="Changed"),
    )
    assert response.status_code == 200
    assert _error_next_to(response, "time").startswith("This time has already passed.")
    appointment.refresh_from_db()
    assert appointment.starts_at == local(SCAN_DAY, 10, 30)
    assert appointment.location == ""
    assert list(Notification.objects.values_list("pk", "status").order_by("pk")) == before


def test_cancel_asks_first_then_cancels_the_reminders(people, client):
    appointment = book(people.patient_a)
    client.force_login(people.patient_a)
    page = client.get(reverse("appointment_cancel", args=[appointment.pk]))
    assert page.status_code == 200
    text = _text(page)
    assert "Cancel this appointment?" in text
    assert "CT scan , Thursday 25 June at 10:30" in text
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED  # looking changes nothing

    response = client.post(reverse("appointment_cancel", args=[appointment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("appointment_list")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    reminders = Notification.objects.filter(subject_type="appointment")
    assert set(reminders.values_list("status", flat=True)) == {Status.CANCELLED}
    assert "We will not send its reminders." in _text(client.get(response["Location"]))


def test_a_cancelled_appointment_cannot_be_changed_or_cancelled_again(people, client):
    appointment = book(people.patient_a)
    client.force_login(people.patient_a)
    client.post(reverse("appointment_cancel", args=[appointment.pk]))
    for name in ("appointment_edit", "appointment_cancel"):
        response = client.post(reverse(name, args=[appointment.pk]), _form())
        assert response.status_code == 302
        assert response["Location"] == reverse("appointment_detail", args=[appointment.pk])
    appointment.refresh_from_db()
    assert appointment.starts_at == local(SCAN_DAY, 10, 30)


# --- The list ------------------------------------------------------------------------------------


def test_patient_list_has_coming_up_cancelled_and_earlier(people, client):
    soon = book(people.patient_a, kind="blood_test", days=2, hour=8, minute=5)
    later = book(people.patient_a, days=30)
    gone = book(people.patient_a, kind="treatment", days=5)
    past = book(people.patient_a, kind="mri", days=1)
    book(people.patient_b, location="Bella's hospital")
    client.force_login(people.patient_a)
    client.post(reverse("appointment_cancel", args=[gone.pk]))
    with time_machine.travel(NOW + dt.timedelta(days=1, hours=12), tick=False):
        client.force_login(people.patient_a)
        response = client.get(reverse("appointment_list"))
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(response)
    assert "Times are in Europe/London." in text
    coming = html.split('id="upcoming-heading"')[1].split("</section>")[0]
    assert coming.index(f"/appointments/{soon.pk}/") < coming.index(f"/appointments/{later.pk}/")
    assert "Today at 08:05" in coming  # 01:00 in London on the 17th
    cancelled = html.split('id="cancelled-heading"')[1].split("</section>")[0]
    assert f"/appointments/{gone.pk}/" in cancelled
    earlier = html.split('id="past-heading"')[1].split("</section>")[0]
    assert f"/appointments/{past.pk}/" in earlier
    assert "Bella" not in html


def test_coordinator_list_shows_their_panel_and_filters_by_patient(people, client):
    carl = make_patient(name="Carl Third", care_team=people.team_a, timezone="America/New_York")
    alice = book(people.patient_a)
    carls = book(carl, days=3)
    bellas = book(people.patient_b)
    client.force_login(people.coordinator_a)
    html = client.get(reverse("appointment_list")).content.decode()
    assert f"/appointments/{alice.pk}/" in html and f"/appointments/{carls.pk}/" in html
    assert f"/appointments/{bellas.pk}/" not in html
    assert "Carl Third" in html and "(EDT)" in html and "(BST)" in html
    assert "Bella" not in html

    html = client.get(reverse("appointment_list"), {"patient": carl.pk}).content.decode()
    assert f"/appointments/{carls.pk}/" in html and f"/appointments/{alice.pk}/" not in html
    assert f'href="/appointments/new/?patient={carl.pk}"' in html
    # Another team's patient in the address shows the coordinator's own panel, nothing else.
    html = client.get(reverse("appointment_list"), {"patient": people.patient_b.pk}).content
    assert f"/appointments/{bellas.pk}/".encode() not in html
    assert f"/appointments/{alice.pk}/".encode() in html


@pytest.mark.parametrize("persona", ["patient_a", "coordinator_a"])
def test_list_query_count_does_not_grow(people, client, persona):
    client.force_login(getattr(people, persona))
    for days in range(1, 4):
        book(people.patient_a, days=days)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("appointment_list")).status_code == 200
    for days in range(4, 31):
        book(people.patient_a, days=days)
    for _ in range(3):
        book(make_patient(care_team=people.team_a), days=12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("appointment_list"))
    assert response.content.decode().count('class="appt-link"') >= 30
    assert len(many) == len(few) <= 8


def test_detail_query_count_is_small(people, client, django_assert_max_num_queries):
    appointment = book(people.patient_a)
    client.force_login(people.patient_a)
    with django_assert_max_num_queries(6):
        client.get(reverse("appointment_detail", args=[appointment.pk]))


# --- Rows stored before the date rule -------------------------------------------------------


@pytest.fixture
def end_of_calendar(people):
    """Appointments of a patient in Kiritimati (UTC+14) stored before the date rule: a scan on
    the last day there is, another whose local time is past it, and one that ends after the
    last instant there is."""
    patient = people.patient_a
    patient.patient_profile.timezone = "Pacific/Kiritimati"
    patient.patient_profile.save()
    return [
        stored(patient),
        stored(patient, kind="mri", starts_at=PAST_THE_CALENDAR),
        stored(patient, kind="other", starts_at=LAST_HALF_HOUR),
    ]


@pytest.mark.parametrize("persona", ["patient_a", "coordinator_a"])
def test_pages_of_appointments_at_the_end_of_the_calendar_answer(
    people, client, end_of_calendar, persona
):
    client.force_login(getattr(people, persona))
    listed = client.get(reverse("appointment_list"))
    assert listed.status_code == 200
    for appointment in end_of_calendar:
        assert f"/appointments/{appointment.pk}/" in listed.content.decode()
        for name in ("appointment_detail", "appointment_edit", "appointment_cancel"):
            response = client.get(reverse(name, args=[appointment.pk]))
            assert response.status_code == 200, name
            assert "9999" in response.content.decode()  # the edit form has it in its inputs
    if persona == "patient_a":
        for scan in end_of_calendar[:2]:
            assert client.get(f"/appointments/{scan.pk}/support/").status_code == 200
            checkin = f"/appointments/{scan.pk}/check-in/"
            assert client.get(checkin).status_code == 200
            assert client.post(checkin, {"anxiety": "3"}).status_code == 200
    scan = end_of_calendar[0]
    response = client.post(reverse("appointment_cancel", args=[scan.pk]))
    assert response.status_code == 302
    scan.refresh_from_db()
    assert scan.status == AppointmentStatus.CANCELLED


def test_an_appointment_at_the_end_of_the_calendar_cannot_stay_there_when_changed(
    people, client, end_of_calendar
):
    client.force_login(people.patient_a)
    scan = end_of_calendar[0]
    response = client.post(
        reverse("appointment_edit", args=[scan.pk]), _form(date="9999-12-30", time="23:00")
    )
    assert _error_next_to(response, "date") == "Please choose a date within the next 3 years."
    response = client.post(reverse("appointment_edit", args=[scan.pk]), _form())
    assert response.status_code == 302
    scan.refresh_from_db()
    assert scan.starts_at.year == 2026

"""The post-scan check-in: "how anxious are you feeling?" 0-10, stored once per scan, and support
shown at once for 7 or more."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import resolve, reverse

from accounts.tests.factories import make_patient
from appointments.models import ScanCheckIn
from appointments.support.services import scan_checkin_save
from appointments.tests.support_factories import past, upcoming
from notifications.models import Notification

pytestmark = pytest.mark.django_db

URGENT = "You do not have to wait for results alone"
ERROR = "Please choose a number from 0 (not at all anxious) to 10 (very anxious)."


def checkin_url(appointment_id: int) -> str:
    return f"/appointments/{appointment_id}/check-in/"


@pytest.fixture
def scan(people):
    return past(people.patient_a, kind="ct", days_ago=1)


@pytest.fixture
def patient_client(people, client):
    client.force_login(people.patient_a)
    return client


def test_the_reminder_the_day_after_links_here(people):
    scan = upcoming(people.patient_a, in_days=10)
    reminder = Notification.objects.filter(subject_id=scan.pk, kind="post_scan_checkin").first()
    assert reminder.link == checkin_url(scan.pk) == reverse("appointment_checkin", args=[scan.pk])
    assert resolve(reminder.link).url_name == "appointment_checkin"


# --- The page -------------------------------------------------------------------------------


def test_the_page_asks_one_question_with_big_0_to_10_buttons(scan, patient_client):
    response = patient_client.get(checkin_url(scan.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<legend class="symptom-name">How anxious are you feeling?</legend>' in body
    values = re.findall(
        r'<input type="radio" name="anxiety" id="id_anxiety_\d+" value="(\d+)"', body
    )
    assert values == [str(n) for n in range(11)]
    for label in (
        "0 of 10, not at all",
        "2 of 10, a little",
        "5 of 10, quite a lot",
        "7 of 10, very",
    ):
        number, rest = label.split(" ", 1)
        assert f'{number}<span class="visually-hidden"> {rest}</span>' in body
    assert 'name="note"' in body
    assert "Your CT scan was on" in body
    assert URGENT not in body


def test_an_answer_and_note_are_stored(people, scan, patient_client):
    response = patient_client.post(checkin_url(scan.pk), {"anxiety": "4", "note": "  Nervous.  "})
    assert response.status_code == 200
    checkin = ScanCheckIn.objects.get()
    assert (checkin.patient, checkin.appointment, checkin.anxiety, checkin.note) == (
        people.patient_a,
        scan,
        4,
        "Nervous.",
    )
    assert "Your answer is saved: 4 out of 10." in response.content.decode()


def test_answering_again_updates_the_same_row(scan, patient_client):
    patient_client.post(checkin_url(scan.pk), {"anxiety": "8", "note": "Scared"})
    first = ScanCheckIn.objects.get()
    response = patient_client.post(checkin_url(scan.pk), {"anxiety": "3", "note": ""})
    assert ScanCheckIn.objects.count() == 1
    again = ScanCheckIn.objects.get()
    assert (again.pk, again.anxiety, again.note) == (first.pk, 3, "")
    assert again.created_at == first.created_at
    assert "It replaces your earlier answer." in response.content.decode()

    page = patient_client.get(checkin_url(scan.pk)).content.decode()
    assert "You answered 3 out of 10" in page
    assert 'value="3" checked' in page


@pytest.mark.parametrize("answer", ["11", "-1", "x", "", "7.5", "10 "])
def test_a_wrong_answer_gets_a_kind_error_and_nothing_is_saved(scan, patient_client, answer):
    response = patient_client.post(checkin_url(scan.pk), {"anxiety": answer, "note": "hello"})
    if answer == "10 ":  # a stray space is forgiven
        assert ScanCheckIn.objects.get().anxiety == 10
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert ERROR in body
    assert "Nothing is saved yet." in body
    assert 'role="alert"' in body
    assert 'aria-describedby="anxiety-help anxiety-error"' in body
    assert ">hello</textarea>" in body  # the note is kept for the next try
    assert not ScanCheckIn.objects.exists()


def test_no_answer_at_all_is_a_kind_error_too(scan, patient_client):
    response = patient_client.post(checkin_url(scan.pk), {})
    assert ERROR in response.content.decode()
    assert not ScanCheckIn.objects.exists()


def test_coming_back_after_a_high_answer_still_shows_the_24_hour_line(
    people, scan, patient_client, settings
):
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"
    scan_checkin_save(patient=people.patient_a, appointment=scan, anxiety=9)
    page = patient_client.get(checkin_url(scan.pk)).content.decode()
    assert "You answered 9 out of 10" in page
    assert "If you still feel this way" in page
    scan_checkin_save(patient=people.patient_a, appointment=scan, anxiety=2)
    page = patient_client.get(checkin_url(scan.pk)).content.decode()
    assert "If you still feel this way" not in page


def test_a_wrong_answer_leaves_an_earlier_one_alone(people, scan, patient_client):
    scan_checkin_save(patient=people.patient_a, appointment=scan, anxiety=5, note="fine")
    patient_client.post(checkin_url(scan.pk), {"anxiety": "11", "note": "changed"})
    checkin = ScanCheckIn.objects.get()
    assert (checkin.anxiety, checkin.note) == (5, "fine")


def test_a_note_that_is_too_long_is_refused(scan, patient_client):
    response = patient_client.post(checkin_url(scan.pk), {"anxiety": "2", "note": "a" * 2001})
    assert "Notes can be up to 2000 characters" in response.content.decode()
    assert not ScanCheckIn.objects.exists()


@pytest.mark.parametrize("anxiety", [7, 8, 10])
def test_seven_or_more_shows_support_on_the_very_response(scan, patient_client, settings, anxiety):
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"
    response = patient_client.post(checkin_url(scan.pk), {"anxiety": str(anxiety)})
    assert response.status_code == 200  # not a redirect: the help is on this page
    body = response.content.decode()
    assert URGENT in body
    assert 'href="tel:08001234567"' in body
    titles = [r.title for r in response.context["resources"]]
    assert titles[:2] == ["A slow-breathing exercise", "Talk to someone"]  # mental health first
    assert set(titles) == {
        "A slow-breathing exercise",
        "Talk to someone",
        "Bring someone with you",
        "Support groups",
        "Ask when and how your results will come",
        "Plan things to do while you wait",
    }
    # Shown in full, at once (not just linked).
    assert "you do not have to carry it alone" in body
    assert "Breathe in gently through your nose" in body


@pytest.mark.parametrize("anxiety", [0, 3, 6])
def test_below_seven_a_short_thank_you_with_the_resources_linked(scan, patient_client, anxiety):
    response = patient_client.post(checkin_url(scan.pk), {"anxiety": str(anxiety)})
    body = response.content.decode()
    assert URGENT not in body
    assert "urgent-support" not in body
    assert "Thank you for telling us" in body
    for resource in response.context["resources"]:
        assert f'href="/resources/#resource-{resource.pk}">{resource.title}</a>' in body
    assert "you do not have to carry it alone" not in body  # linked, not shown in full


def test_the_check_in_opens_on_the_day_of_the_scan(people, client):
    patient = make_patient(email="nina@example.org", timezone="America/New_York")
    client.force_login(patient)
    # 09:00 in New York on 2 March; the scan is at 17:00 the same day.
    morning = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(morning - dt.timedelta(days=1), tick=False):
        scan = upcoming(patient, in_days=1 + 8 / 24)
        page = client.get(checkin_url(scan.pk)).content.decode()
        assert "This opens on the day of your scan" in page
        assert "You can answer this from Monday 2 March." in page
        assert 'name="anxiety"' not in page
        client.post(checkin_url(scan.pk), {"anxiety": "6"})
        assert not ScanCheckIn.objects.exists()
    with time_machine.travel(morning, tick=False):
        response = client.post(checkin_url(scan.pk), {"anxiety": "6"})
        assert response.status_code == 200
        assert ScanCheckIn.objects.get().anxiety == 6


# --- Who may check in -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("patient_a", 200),
        ("patient_b", 404),
        ("coordinator_a", 404),
        ("coordinator_b", 404),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
def test_only_the_patient_themself_checks_in(people, client, scan, persona, status):
    user = people.all()[persona]
    if user is not None:
        client.force_login(user)
    assert client.get(checkin_url(scan.pk)).status_code == status
    response = client.post(checkin_url(scan.pk), {"anxiety": "9", "note": "not mine"})
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))
    assert ScanCheckIn.objects.exists() == (persona == "patient_a")


def test_patient_b_cannot_check_in_on_patient_as_scan(people, client, scan):
    client.force_login(people.patient_b)
    response = client.post(checkin_url(scan.pk), {"anxiety": "2"})
    assert response.status_code == 404
    assert "We could not find this scan" in response.content.decode()
    assert not ScanCheckIn.objects.exists()


@pytest.mark.parametrize("kind", ["blood_test", "oncology_visit", "treatment", "other"])
def test_there_is_no_check_in_after_other_appointments(people, patient_client, kind):
    visit = past(people.patient_a, kind=kind)
    assert patient_client.get(checkin_url(visit.pk)).status_code == 404
    assert patient_client.post(checkin_url(visit.pk), {"anxiety": "2"}).status_code == 404
    assert not ScanCheckIn.objects.exists()


def test_there_is_no_check_in_after_a_cancelled_scan(people, patient_client):
    scan = past(people.patient_a, status="cancelled")
    assert patient_client.post(checkin_url(scan.pk), {"anxiety": "2"}).status_code == 404
    assert not ScanCheckIn.objects.exists()


# --- The service ----------------------------------------------------------------------------


def test_the_service_saves_once_per_scan(people, scan):
    first, created = scan_checkin_save(patient=people.patient_a, appointment=scan, anxiety=7)
    second, created_again = scan_checkin_save(
        patient=people.patient_a, appointment=scan, anxiety=2, note=" ok "
    )
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert (second.anxiety, second.note) == (2, "ok")


@pytest.mark.parametrize("anxiety", [-1, 11, "7", 7.0, True, None])
def test_the_service_accepts_only_whole_numbers_0_to_10(people, scan, anxiety):
    with pytest.raises(ValidationError) as caught:
        scan_checkin_save(patient=people.patient_a, appointment=scan, anxiety=anxiety)
    assert "anxiety" in caught.value.message_dict
    assert not ScanCheckIn.objects.exists()


def test_the_service_refuses_someone_elses_scan(people, scan):
    with pytest.raises(ValidationError, match="not your appointment"):
        scan_checkin_save(patient=people.patient_b, appointment=scan, anxiety=3)


def test_the_service_refuses_a_non_scan_a_cancelled_scan_and_a_future_one(people):
    visit = past(people.patient_a, kind="oncology_visit")
    cancelled = past(people.patient_a, status="cancelled")
    future = upcoming(people.patient_a, in_days=2)
    for appointment, message in (
        (visit, "for scans"),
        (cancelled, "cancelled"),
        (future, "from the day of your scan"),
    ):
        with pytest.raises(ValidationError, match=message):
            scan_checkin_save(patient=people.patient_a, appointment=appointment, anxiety=3)
    assert not ScanCheckIn.objects.exists()


def test_the_service_refuses_a_note_over_2000_characters(people, scan):
    with pytest.raises(ValidationError, match="2000 characters"):
        scan_checkin_save(patient=people.patient_a, appointment=scan, anxiety=3, note="a" * 2001)

"""The scan-anxiety toolkit page, linked from the reminder two days before a scan."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import resolve, reverse

from accounts.tests.factories import make_patient
from appointments.models import Resource
from appointments.support import selectors as support_selectors
from appointments.support.views import scan_name, when_text
from appointments.tests.support_factories import past, upcoming
from notifications.models import Notification

pytestmark = pytest.mark.django_db

NOT_FOUND = "We could not find this scan"


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


def support_url(appointment_id: int) -> str:
    return f"/appointments/{appointment_id}/support/"


def test_the_reminder_two_days_before_links_here(people):
    scan = upcoming(people.patient_a, in_days=10)
    reminder = Notification.objects.filter(subject_id=scan.pk, kind="scan_anxiety").first()
    assert reminder.link == support_url(scan.pk) == reverse("appointment_support", args=[scan.pk])
    assert resolve(reminder.link).url_name == "appointment_support"


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("ct", "CT scan"),
        ("pet", "PET scan"),
        ("mri", "MRI scan"),
        ("bone_scan", "bone scan"),
        ("restaging", "restaging visit"),
    ],
)
def test_scan_names_read_well_inside_a_sentence(kind, name):
    from appointments.models import Appointment

    assert scan_name(Appointment(kind=kind)) == name


def test_when_text_says_the_day_in_words_with_the_year_only_when_needed():
    moment = dt.datetime(2026, 12, 1, 10, 30, tzinfo=ZoneInfo("Europe/London"))
    assert when_text(moment, dt.date(2026, 11, 25)) == "Tuesday 1 December at 10:30"
    assert when_text(moment, dt.date(2025, 11, 25)) == "Tuesday 1 December 2026 at 10:30"


@time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), tick=False)
def test_own_scan_shows_the_toolkit_in_the_patients_time(client, settings):
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"
    patient = make_patient(email="nina@example.org", timezone="America/New_York")
    # 4 March 2026, 15:30 UTC is 10:30 in New York (EST, UTC-5).
    scan = upcoming(patient, kind="ct", in_days=2 + 0.5 / 24, location="City Hospital, level 2")
    client.force_login(patient)

    response = client.get(support_url(scan.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Your CT scan is on <strong>Wednesday 4 March at 10:30</strong>" in body
    assert "City Hospital, level 2" in body
    for toolkit in (
        "Breathe slowly",
        "count to 4",
        "count to 6",
        "two minutes",
        "Bring someone with you",
        "Plan something for the waiting time",
        "Know when your results will come",
        "Ask the team:</span> when and how will I get my results?",
        "Someone to talk to",
    ):
        assert toolkit in body, toolkit
    assert 'href="tel:08001234567"' in body
    assert "0800 123 4567" in body
    scan_titles = [r.title for r in response.context["support"].resources]
    assert scan_titles == [
        "A slow-breathing exercise",
        "Bring someone with you",
        "Ask when and how your results will come",
        "Plan things to do while you wait",
        "Talk to someone",
    ]
    for title in scan_titles:
        assert f'<span class="resource-title">{title}</span>' in body
    assert "Eating when you do not feel like it" not in body  # not tagged scan_anxiety
    assert "Answer one question" not in body  # no check-in before the scan day


def test_hidden_resources_are_left_out(people, client):
    Resource.objects.filter(title="Talk to someone").update(active=False)
    scan = upcoming(people.patient_a)
    client.force_login(people.patient_a)
    body = client.get(support_url(scan.pk)).content.decode()
    assert '<span class="resource-title">Talk to someone</span>' not in body
    assert '<span class="resource-title">A slow-breathing exercise</span>' in body


def test_after_the_scan_the_page_invites_the_check_in(people, client):
    scan = past(people.patient_a, kind="bone_scan", days_ago=1)
    client.force_login(people.patient_a)
    body = client.get(support_url(scan.pk)).content.decode()
    assert "Your bone scan was on" in body
    assert "Answer one question" in body
    assert f'href="/appointments/{scan.pk}/check-in/"' in body


def test_every_scan_kind_has_the_page(people, client):
    client.force_login(people.patient_a)
    for kind in ("restaging", "ct", "pet", "bone_scan", "mri"):
        scan = upcoming(people.patient_a, kind=kind)
        assert client.get(support_url(scan.pk)).status_code == 200, kind


@pytest.mark.parametrize("kind", ["blood_test", "oncology_visit", "treatment", "other"])
def test_other_appointments_have_no_scan_support(people, client, kind):
    visit = upcoming(people.patient_a, kind=kind)
    client.force_login(people.patient_a)
    response = client.get(support_url(visit.pk))
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()


def test_a_cancelled_scan_is_not_found(people, client):
    scan = past(people.patient_a, status="cancelled")
    client.force_login(people.patient_a)
    assert client.get(support_url(scan.pk)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("patient_a", 200),
        ("patient_b", 404),
        ("coordinator_a", 404),  # the page speaks to the patient; staff use admin
        ("coordinator_b", 404),
        ("admin", 404),
        ("anonymous", 302),
    ],
)
def test_only_the_patient_themself_sees_their_scan_support(people, client, persona, status):
    scan = upcoming(people.patient_a)
    user = people.all()[persona]
    if user is not None:
        client.force_login(user)
    response = client.get(support_url(scan.pk))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))
    if status == 404:
        # The same page as for an appointment that does not exist: nothing is revealed.
        missing = client.get(support_url(scan.pk + 1000))
        assert missing.status_code == 404
        assert without_csrf(response) == without_csrf(missing)


def test_a_post_is_not_allowed(people, client):
    scan = upcoming(people.patient_a)
    client.force_login(people.patient_a)
    assert client.post(support_url(scan.pk)).status_code == 405


def test_scan_support_for_is_none_for_anything_but_the_patients_own_scan(people):
    scan = upcoming(people.patient_a)
    assert support_selectors.scan_support_for(people.patient_a, scan.pk).appointment == scan
    assert support_selectors.scan_support_for(people.patient_a, str(scan.pk)) is not None
    for user in (people.patient_b, people.coordinator_a, people.admin):
        assert support_selectors.scan_support_for(user, scan.pk) is None
    assert support_selectors.scan_support_for(people.patient_a, "x") is None
    assert support_selectors.scan_support_for(people.patient_a, scan.pk + 1000) is None

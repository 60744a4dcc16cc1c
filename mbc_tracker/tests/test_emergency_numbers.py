"""Emergency numbers come only from settings: with EMERGENCY_NUMBER="112" no patient page and no
API answer says 999 (or 911) anywhere, symptom help included, and the settings' numbers are
there instead."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from accounts.tests.factories import make_patient
from appointments import services as appointments
from flags import services as flags
from symptoms.catalogue import get_catalogue, with_numbers
from symptoms.models import Symptom
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

# A number on its own: not inside a token, an id in a URL or a timestamp's fraction of a second.
OTHER_NUMBER = re.compile(r"(?<![\w./#=-])(?:999|911)(?![\w/])")
NUMBERS = {"EMERGENCY_NUMBER": "112", "CARE_TEAM_24H_LINE": "0800 123 4567"}


def other_numbers(text: str) -> list[str]:
    return [text[max(m.start() - 40, 0) : m.end() + 20] for m in OTHER_NUMBER.finditer(text)]


def words_of(data: object) -> str:
    """The text a person reads in a JSON answer: its strings, not its ids and counts."""
    if isinstance(data, str):
        return data
    if isinstance(data, dict):
        return "\n".join(words_of(value) for value in data.values())
    if isinstance(data, list):
        return "\n".join(words_of(value) for value in data)
    return ""


@pytest.fixture
def numbers():
    # Before anything is stored: stored flags carry the advice (and its numbers) they were
    # raised with, until the next evaluation (at the latest, the nightly sweep) rewrites it.
    with override_settings(**NUMBERS):
        yield


@pytest.fixture
def patient(numbers):
    user = make_patient(sites=["bone", "brain", "lung"])
    today = user.patient_profile.local_today()
    log_day(user, today - dt.timedelta(days=1), {"chest_pain": 7, "headache": 5})
    log_day(user, today, {"seizure": True, "breathless_at_rest": True})
    flags.evaluate_patient(patient=user)  # stored flags, their advice, the escalation message
    scan = appointments.appointment_create(
        patient=user,
        kind="mri",
        starts_at=timezone.now() + dt.timedelta(days=10),
        created_by=None,
    )
    return user, scan


def test_no_patient_page_names_another_emergency_number(patient):
    user, scan = patient
    client = Client()
    client.force_login(user)
    yesterday = user.patient_profile.local_today() - dt.timedelta(days=1)
    pages = [
        "/",
        "/log/",
        f"/log/{yesterday.isoformat()}/",
        "/history/",
        "/questions/",
        "/summary/",
        "/appointments/",
        f"/appointments/{scan.pk}/",
        f"/appointments/{scan.pk}/support/",
        "/notifications/",
        "/settings/",
        "/resources/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert not other_numbers(page), (path, other_numbers(page))
        assert 'href="tel:112"' in page, path  # every page gives the emergency number
    log_page = client.get("/log/").content.decode()
    assert "call 112 or go to the emergency department now" in log_page  # symptom help


def test_no_api_answer_names_another_emergency_number(patient, api_client):
    user, scan = patient
    api_client.force_authenticate(user)
    yesterday = user.patient_profile.local_today() - dt.timedelta(days=1)
    answers = {
        path: api_client.get(path)
        for path in [
            "/api/v1/symptoms/",
            "/api/v1/logs/",
            f"/api/v1/logs/{yesterday.isoformat()}/",
            "/api/v1/flags/",
            "/api/v1/notifications/",
            "/api/v1/appointments/",
            f"/api/v1/appointments/{scan.pk}/",
            "/api/v1/me/",
        ]
    }
    body = {
        "date": yesterday.isoformat(),
        "entries": [{"symptom": "coughing_blood", "present": True}],
    }
    answers["POST /api/v1/logs/"] = api_client.post("/api/v1/logs/", body, format="json")
    for path, response in answers.items():
        assert response.status_code in (200, 201), path
        text = words_of(response.json())
        assert not other_numbers(text), (path, other_numbers(text))
    symptoms = {row["code"]: row for row in answers["/api/v1/symptoms/"].json()}
    assert "call 112 or go to the emergency department now" in symptoms["seizure"]["help"]
    assert "0800 123 4567" in symptoms["confusion"]["help"]
    assert "112" in answers["POST /api/v1/logs/"].content.decode()  # the urgent advice


def test_stored_help_text_holds_placeholders_not_numbers():
    for symptom in Symptom.objects.all():
        assert not other_numbers(symptom.help_text), symptom.code
    emergencies = Symptom.objects.filter(red_flag="emergency")
    assert emergencies.exists()
    assert all("{emergency_number}" in symptom.help_text for symptom in emergencies)


@override_settings(**NUMBERS)
def test_help_text_is_filled_in_when_read_so_a_changed_setting_shows_at_once():
    seizure = get_catalogue().symptoms["seizure"]
    assert "call 112 or" in seizure.help_text
    with override_settings(EMERGENCY_NUMBER="911"):
        assert "call 911 or" in seizure.help_text  # the cached catalogue, the new number
    assert with_numbers("Call {emergency_number} or {care_team_line}; {other}") == (
        "Call 112 or 0800 123 4567; {other}"
    )

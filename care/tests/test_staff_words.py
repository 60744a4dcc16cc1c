"""Staff pages speak about the patient in the third person; patient pages keep speaking to them
(CLINICAL.md, "Staff pages speak about the patient").

A coordinator opens every page they use about a patient who has logs, urgent and soon flags
raised by the real rules (so their stored words say "You told us…"), appointments, messages and
access-log entries; the text read on each page has no second-person words about the patient.
Quoted words (``<q>``, ``<blockquote>``: the advice and messages the patient was shown) are
quotations and are left out of the scan.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory, make_patient
from appointments.tests.appointment_factories import book
from flags.models import Flag, FlagLevel
from flags.services import evaluate_patient
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.django_db

# Second-person words about the patient. " you " alone is scanned too, with the few sentences
# that speak to the member of staff themselves allowed.
PATIENT_PHRASES = (
    "you told us",
    "your record",
    "you logged",
    "your care team",
    "your details",
    "your flags",
    "your appointments",
    "saw you",
    "call you",
)
SPEAKING_TO_STAFF = (
    "change what you need",  # the appointment form, to the coordinator
    "patients you look after",
    "(you)",  # the coordinator's own row in alert burden
    "your patients",
    "your teams",
)


class _Text(HTMLParser):
    """The text a person reads on a page, without scripts, styles and quotations."""

    SKIP = {"script", "style", "q", "blockquote"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).lower()


def second_person(text: str) -> list[str]:
    found = [phrase for phrase in PATIENT_PHRASES if phrase in text]
    rest = text
    for allowed in SPEAKING_TO_STAFF:
        rest = rest.replace(allowed, "")
    found += [m.group(0) for m in re.finditer(r".{0,40}\byou(r|rs|rself)?\b.{0,40}", rest)]
    return found


@pytest.fixture
def cara(people):
    patient = make_patient(name="Cara Jones", care_team=people.team_a, sites=["bone", "brain"])
    for back in range(6, 1, -1):
        log_days_back(patient, back, {"bone_pain": 2})
    log_days_back(patient, 1, {"seizure": True, "bone_pain": 8})
    log_days_back(patient, 0, {"bone_pain": 8, "anxiety": 8}, notes="Bad night.")
    evaluate_patient(patient=patient)
    flags = Flag.objects.filter(patient=patient)
    assert flags.filter(level=FlagLevel.URGENT).exists()
    assert flags.filter(level=FlagLevel.SOON).exists()
    assert any("you told us" in flag.explanation.lower() for flag in flags)  # patient words
    now = timezone.now()
    book(  # coming up: its pages, change and cancel
        patient, kind="ct", starts_at=now + dt.timedelta(days=5), now=now, created_by=patient
    )
    book(patient, kind="pet", days=3, created_by=patient)  # in June 2026: over, with its check-in
    return patient


@pytest.fixture
def coordinator(people):
    return people.coordinator_a


def staff_pages(cara) -> list[str]:
    appointment = cara.appointments.get(kind="ct")
    over = cara.appointments.get(kind="pet")
    flag = Flag.objects.filter(patient=cara).first()
    return [
        reverse("care:panel"),
        reverse("care:record", args=[cara.pk]),
        reverse("care:record", args=[cara.pk]) + "?days=7",
        reverse("care:alert_burden"),
        reverse("appointment_list"),
        reverse("appointment_list") + f"?patient={cara.pk}",
        reverse("appointment_detail", args=[appointment.pk]),
        reverse("appointment_detail", args=[over.pk]),
        reverse("appointment_edit", args=[appointment.pk]),
        reverse("appointment_cancel", args=[appointment.pk]),
        reverse("appointment_new") + f"?patient={cara.pk}",
        # The flag action pages answer with the record and a message naming the flag.
        ("POST", reverse("care:flag_acknowledge", args=[cara.pk, flag.pk])),
    ]


def test_staff_pages_speak_about_the_patient(client, cara, coordinator):
    client.force_login(coordinator)
    client.get(reverse("care:record", args=[cara.pk]))  # access-log rows to show
    checked = 0
    for page in staff_pages(cara):
        if isinstance(page, tuple):
            response = client.post(page[1], {"note": "Phoned."}, follow=True)
        else:
            response = client.get(page)
        assert response.status_code == 200, page
        text = page_text(response.content.decode())
        if page != reverse("care:alert_burden"):  # figures per team, no patient named
            assert "cara" in text, page
        assert second_person(text) == [], (page, second_person(text))
        checked += 1
    assert checked == 12


def test_the_record_says_what_cara_logged(client, cara, coordinator):
    client.force_login(coordinator)
    text = page_text(client.get(reverse("care:record", args=[cara.pk])).content.decode())
    assert "cara logged “seizure (fit)” yesterday." in text
    assert "red-flag symptom: seizure (fit)" in text
    assert "days cara logged" in text  # trend summaries
    assert "opened the record" in text  # the access log, for staff
    panel = page_text(client.get(reverse("care:panel")).content.decode())
    assert "red-flag symptom: seizure (fit)" in panel


def test_patient_pages_still_speak_to_the_patient(client, cara):
    client.force_login(cara)
    home = page_text(client.get(reverse("home")).content.decode())
    assert "you told us" in home or "call" in home
    raise_page = page_text(client.get(reverse("raise_with_team")).content.decode())
    assert "you told us" in raise_page
    history = page_text(client.get(reverse("history")).content.decode())
    assert "days you logged" in history
    coordinator = CoordinatorFactory(
        email="looker@example.org", teams=[cara.patient_profile.care_team]
    )
    client.force_login(coordinator)
    client.get(reverse("care:record", args=[cara.pk]))
    client.force_login(cara)
    settings_page = page_text(client.get(reverse("settings")).content.decode())
    assert "opened your record" in settings_page

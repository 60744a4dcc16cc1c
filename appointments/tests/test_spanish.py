"""The appointment, scan-support and resources pages in Spanish: no English left in what a
person reads, dates in Spanish word order, and the texts made for the patient away from their
request (reminders, the calendar feed) in the patient's own language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import translation

from accounts.tests.factories import make_patient
from appointments import reminder_planning
from appointments.models import Resource
from appointments.tests.appointment_factories import NOW, book
from appointments.tests.support_factories import past, upcoming
from lib import i18n
from lib.dates import at_time, dated, duration_text, long_date
from mbc_tracker.tests.english import english_left
from notifications.models import Notification

pytestmark = pytest.mark.django_db
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


@pytest.fixture(autouse=True)
def _language_restored():
    """Spanish requests activate Spanish in this thread: later tests start from the default."""
    before = translation.get_language()
    yield
    translation.activate(before)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _spanish_resources():
    """The resource rows are translated in admin; here they stand in Spanish already."""
    Resource.objects.update(title="Respirar con calma", body="Un ejercicio corto para la espera.")


def main(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    return re.search(r"<main.*?</main>", html, flags=re.S).group(0)


# "Análisis" holds "An" for a word finder that knows no accents; the scale's " of 10, " for
# screen readers belongs to the shared scale template.
ALWAYS_ALLOWED = ("Análisis", "of 10,")


def no_english(response, *allowed: str) -> None:
    assert english_left(main(response), allowed=(*allowed, *ALWAYS_ALLOWED)) == []


def test_the_list_booking_detail_and_cancel_pages_are_in_spanish(people, client):
    patient = people.patient_a
    appointment = book(patient, location="Hospital Central")
    client.force_login(patient)
    name = patient.get_full_name()
    no_english(client.get("/appointments/", **SPANISH), name)
    no_english(client.get("/appointments/new/", **SPANISH), name)
    detail = client.get(f"/appointments/{appointment.pk}/", **SPANISH)
    no_english(detail, name)
    assert "Recordatorios que enviaremos" in main(detail)
    assert "de junio de 2026" in main(detail)  # "jueves 25 de junio de 2026"
    no_english(client.get(f"/appointments/{appointment.pk}/edit/", **SPANISH), name)
    no_english(client.get(f"/appointments/{appointment.pk}/cancel/", **SPANISH), name)


def test_a_booking_with_mistakes_explains_them_in_spanish(people, client):
    client.force_login(people.patient_a)
    response = client.post("/appointments/new/", {"kind": "", "date": "", "time": "x"}, **SPANISH)
    no_english(response)
    assert "Elija qué tipo de cita es." in main(response)


def test_saving_and_cancelling_say_so_in_spanish(people, client):
    client.force_login(people.patient_a)
    form = {
        "kind": "ct",
        "date": "2026-06-25",
        "time": "10:30",
        "duration_minutes": "90",
        "location": "",
        "preparation_notes": "",
    }
    response = client.post("/appointments/new/", form, follow=True, **SPANISH)
    no_english(response)
    text = main(response)
    assert "Guardada: Tomografía (TC), Jueves 25 de junio a las 10:30." in text
    assert "1 hora 30 minutos" in text
    appointment = people.patient_a.appointments.get()
    response = client.post(f"/appointments/{appointment.pk}/cancel/", follow=True, **SPANISH)
    no_english(response)
    assert "Cancelada: Tomografía (TC)" in main(response)


def test_staff_see_the_appointment_pages_in_spanish(people, client):
    appointment = book(people.patient_a)
    client.force_login(people.coordinator_a)
    names = [profile.user.get_full_name() for profile in people.team_a.patients.all()]
    for url in (
        "/appointments/",
        "/appointments/new/",
        f"/appointments/{appointment.pk}/",
        f"/appointments/{appointment.pk}/edit/",
        f"/appointments/{appointment.pk}/cancel/",
    ):
        no_english(client.get(url, **SPANISH), people.patient_a.get_full_name(), *names)


def test_the_support_check_in_and_resources_pages_are_in_spanish(people, client):
    patient = people.patient_a
    coming = upcoming(patient, in_days=3, location="Hospital Central")
    done = past(patient, days_ago=1)
    client.force_login(patient)
    support = client.get(f"/appointments/{coming.pk}/support/", **SPANISH)
    no_english(support)
    assert "Apoyo para su tomografía (TC)" in main(support)
    no_english(client.get(f"/appointments/{coming.pk}/check-in/", **SPANISH))
    no_english(client.get(f"/appointments/{done.pk}/check-in/", **SPANISH))
    answered = client.post(f"/appointments/{done.pk}/check-in/", {"anxiety": "8"}, **SPANISH)
    no_english(answered)
    assert "Su respuesta se guardó: 8 de 10." in main(answered)
    no_english(client.post(f"/appointments/{done.pk}/check-in/", {"anxiety": "11"}, **SPANISH))
    no_english(client.get("/resources/", **SPANISH))
    missing = client.get("/appointments/999999/support/", **SPANISH)
    assert missing.status_code == 404
    assert english_left(re.search(r"<main.*?</main>", missing.content.decode(), re.S)[0]) == []
    assert "No encontramos este escáner" in missing.content.decode()


def test_dates_read_in_spanish_word_order():
    day = dt.date(2026, 3, 1)
    with translation.override("es"):
        assert long_date(day) == "domingo 1 de marzo"
        assert dated(day) == "domingo 1 de marzo de 2026"
        assert at_time("hoy", dt.time(9, 5)) == "hoy a las 09:05"
        assert duration_text(60) == "1 hora"
    with translation.override("en"):
        assert long_date(day) == "Sunday 1 March"
        assert dated(day) == "Sunday 1 March 2026"
        assert duration_text(90) == "1 hour 30 minutes"


def test_reminders_are_written_in_the_patients_language(people, monkeypatch):
    spanish_reader = make_patient(care_team=people.team_a)
    monkeypatch.setattr(
        i18n, "language_of", lambda person: "es" if person.pk == spanish_reader.pk else "en"
    )
    book(spanish_reader, days=10)
    book(people.patient_a, days=10)
    spanish = Notification.objects.filter(recipient=spanish_reader, kind="appointment_reminder")
    english = Notification.objects.filter(recipient=people.patient_a, kind="appointment_reminder")
    assert {row.title for row in spanish} == {"Tiene un recordatorio de cita"}
    assert {row.title for row in english} == {"You have an appointment reminder"}
    scan_support = Notification.objects.filter(recipient=spanish_reader, kind="scan_anxiety")
    assert {row.title for row in scan_support} == {"Un poco de apoyo antes de su cita"}


def test_restaging_reminder_in_the_patients_language(people, monkeypatch):
    monkeypatch.setattr(i18n, "language_of", lambda person: "es")
    profile = people.patient_a.patient_profile
    reminder_planning.restaging_reminders_plan(profiles=[profile], now=NOW)
    titles = set(
        Notification.objects.filter(kind="restaging_reminder").values_list("title", flat=True)
    )
    assert titles <= {"Un recordatorio sobre su próximo control"}


def test_the_calendar_feed_names_events_in_the_patients_language(people, client, monkeypatch):
    monkeypatch.setattr(i18n, "language_of", lambda person: "es")
    book(people.patient_a)
    from appointments.selectors import feed_for

    token = feed_for(people.patient_a).token
    body = client.get(f"/api/v1/calendar/{token}.ics").content.decode()
    assert "SUMMARY:Cita" in body
    assert "X-WR-CALNAME:Citas" in body


def test_api_error_messages_follow_the_request_language(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(
        "/api/v1/appointments/",
        {"kind": "ct", "starts_at": "2026-06-25T10:30:00+01:00"},
        format="json",
        **SPANISH,
    )
    assert response.status_code == 400
    assert response.json()["patient"] == ["Indique para qué paciente es esta cita (su id)."]

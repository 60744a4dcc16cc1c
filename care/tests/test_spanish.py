"""The coordinator pages in Spanish: they render, their own words are Spanish, and API error
messages follow the request's language. (Flag titles, symptom names and trends come from other
parts of the app and are checked there.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from care.burden import format_duration
from flags.tests.factories import FlagFactory

pytestmark = pytest.mark.django_db
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


@pytest.fixture(autouse=True)
def _language_restored():
    """Spanish requests activate Spanish in this thread: later tests start from the default."""
    before = translation.get_language()
    yield
    translation.activate(before)


def page(client, url: str) -> str:
    response = client.get(url, **SPANISH)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_panel_is_in_spanish(people, client):
    FlagFactory(patient=people.patient_a, rule="red_flag", title="Possible seizure")
    client.force_login(people.coordinator_a)
    body = page(client, reverse("care:panel"))
    for words in (
        "Sus pacientes",
        "Último registro",
        "Próxima cita",
        "Urgente, esperando una llamada",
    ):
        assert words in body, words
    for english in ("Your patients", "Last log", "Next appointment", "Waiting since"):
        assert english not in body, english


def test_the_record_and_the_details_form_are_in_spanish(people, client):
    patient = people.patient_a
    FlagFactory(patient=patient, rule="red_flag", title="Possible seizure", subject="seizure")
    client.force_login(people.coordinator_a)
    body = page(client, reverse("care:record", args=[patient.pk]))
    for words in ("Volver a sus pacientes", "Quién vio este expediente", "Anotar la llamada"):
        assert words in body, words
    for english in ("Back to your patients", "Who viewed this record", "Record the call"):
        assert english not in body, english
    edit = page(client, reverse("care:patient_edit", args=[patient.pk]) + "?tz=Madrid")
    assert "Guardar datos" in edit and "Save details" not in edit
    assert "Número de teléfono" in edit


def test_recording_a_call_says_so_in_spanish(people, client):
    patient = people.patient_a
    flag = FlagFactory(patient=patient, rule="red_flag", title="Possible seizure")
    client.force_login(people.coordinator_a)
    response = client.post(
        reverse("care:flag_contact", args=[patient.pk, flag.pk]),
        {"outcome": "no_answer", "note": ""},
        follow=True,
        **SPANISH,
    )
    assert response.status_code == 200
    assert "Llamada sobre" in response.content.decode()


def test_the_alert_burden_pages_are_in_spanish(people, client):
    FlagFactory(patient=people.patient_a, rule="red_flag", reported_at=timezone.now())
    client.force_login(people.coordinator_a)
    body = page(client, reverse("care:alert_burden"))
    assert "Carga de alertas" in body and "What the figures mean" not in body
    assert "7 o 30 días" in body
    flags = page(
        client,
        reverse("care:burden_flags") + f"?team={people.team_a.pk}&figure=live",
    )
    assert "Todas las alertas abiertas o confirmadas" in flags


def test_durations_read_in_spanish():
    with translation.override("es"):
        assert format_duration(dt.timedelta(days=2, hours=3)) == "2 días 3 h"
        assert format_duration(dt.timedelta(seconds=20)) == "menos de 1 min"
    with translation.override("en"):
        assert format_duration(dt.timedelta(days=1)) == "1 day"


def test_api_errors_follow_the_request_language(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.get("/api/v1/patients/?team=999999", **SPANISH)
    assert response.status_code == 404
    assert response.json()["detail"] == "No es uno de sus equipos de atención."

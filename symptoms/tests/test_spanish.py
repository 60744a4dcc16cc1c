"""The patient's symptom pages in Spanish: no English left in what this app writes, temperatures
with a decimal comma, and the words the log page's scripts use (offline too) in the page."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from mbc_tracker.tests.english import english_left
from notifications.models import Kind, Notification
from symptoms import charts
from symptoms.catalogue import get_catalogue
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.django_db

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
LOG = reverse("log")


def chosen_languages(monkeypatch) -> dict[int, str]:
    """Who reads which language ({user id: code}); everyone else reads the default. Stands for
    the person's own setting, whether or not the user model has that field yet."""
    chosen: dict[int, str] = {}

    def read(user: User) -> str:
        return chosen.get(user.pk, "")

    monkeypatch.setattr(User, "language", property(read, lambda user, value: None), raising=False)
    return chosen


@pytest.fixture
def languages(monkeypatch) -> dict[int, str]:
    return chosen_languages(monkeypatch)


def catalogue_words() -> tuple[str, ...]:
    """The catalogue's own names and help (translated in admin, not in these catalogues), as
    they read at the start of a sentence or inside one."""
    words: list[str] = []
    for symptom in get_catalogue().symptoms.values():
        for text in (symptom.name, symptom.help_text):
            if text:
                words += [text, text[:1].lower() + text[1:]]
    return tuple(sorted(set(words), key=len, reverse=True))


def main_of(html: str) -> str:
    """The page's own part: the shared layout (header, navigation, footer) belongs to the
    project's templates and is checked there."""
    match = re.search(r"<main\b.*?</main>", html, re.S)
    assert match, "no <main> on the page"
    return match.group(0)


def assert_spanish(html: str, *allowed: str) -> None:
    left = english_left(main_of(html), allowed=(*allowed, *catalogue_words()))
    assert not left, left
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert not english_left(f"<p>{title}</p>", allowed=catalogue_words()), title


def spanish_get(client, url: str, **extra):
    response = client.get(url, **ES, **extra)
    assert response.status_code in (200, 404), response.status_code
    return response, response.content.decode()


def test_the_empty_log_page_is_in_spanish(people, client):
    client.force_login(people.patient_a)
    _response, body = spanish_get(client, LOG)
    assert_spanish(body)
    assert "¿Qué le molesta?" in body and "Me siento como siempre" in body
    assert "Si se la tomó, por ejemplo 37,5 o 37.5" in body
    assert "38,0 °C o más" in body  # the fever line with a decimal comma
    assert 'data-fever-from="38.0"' in body  # the script reads a plain number


def test_a_filled_day_is_in_spanish_with_a_decimal_comma(people, client):
    patient = people.patient_a
    log_days_back(patient, 0, {"bone_pain": 6, "seizure": True, "fever": Decimal("37.4")})
    client.force_login(patient)
    _response, body = spanish_get(client, LOG)
    assert_spanish(body)
    assert "El registro de hoy está guardado" in body
    assert "37,4 °C" in body and 'value="37,4"' in body
    assert ": sí" in body


def test_answers_that_need_another_look_are_in_spanish(people, client):
    client.force_login(people.patient_a)
    data = {"chosen": ["bone_pain"], "fever": "38.45", "notes": "", "q": ""}
    response = client.post(LOG, data, **ES)
    body = response.content.decode()
    assert response.status_code == 200
    assert_spanish(body)
    assert "Algunas respuestas necesitan revisión" in body
    assert "elija qué tan fuerte fue, del 1 al 10" in body
    assert "no 38,45" in body


@pytest.mark.parametrize("typed", ["38,4", "38.4"])
def test_spanish_temperatures_take_a_comma_or_a_point(people, client, typed):
    patient = people.patient_a
    client.force_login(patient)
    data = {"fever": typed, "notes": "", "q": ""}
    response = client.post(LOG, data, **ES)
    assert response.status_code == 302
    assert patient.daily_logs.get().entries.get().temperature == Decimal("38.4")


def test_a_day_out_of_range_is_in_spanish(people, client):
    client.force_login(people.patient_a)
    today = people.patient_a.patient_profile.local_today()
    for day in (today + dt.timedelta(days=2), today - dt.timedelta(days=45)):
        response, body = spanish_get(client, reverse("log_day", kwargs={"day": day}))
        assert response.status_code == 404
        assert_spanish(body)
        assert "Este día no se puede registrar" in body
        assert " de " in body  # "martes 3 de noviembre"


def test_a_saved_day_with_urgent_advice_is_in_spanish(people, client, languages):
    # The worker stores the flags in the patient's language (here at once: tasks run eagerly).
    languages[people.patient_a.pk] = "es"
    client.force_login(people.patient_a)
    data = {"chosen": ["seizure"], "fever": "38,6", "notes": "", "q": ""}
    response = client.post(LOG, data, **ES, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert_spanish(body)
    assert "Gracias. Hoy quedó guardado." in body
    assert "Siga los consejos que aparecen arriba en esta página." in body
    assert "Fiebre: llame a su equipo de atención ahora" in body
    assert "Su temperatura fue de 38,6 °C hoy." in body
    assert "Díganos qué ha hecho:" in body and "Ya llamé a mi equipo de atención" in body


def test_the_log_page_carries_the_words_of_its_scripts(people, client):
    client.force_login(people.patient_a)
    _response, body = spanish_get(client, LOG)
    data = json.loads(re.search(r'id="offline-data"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert data["locale"] == "es" and data["decimal"] == ","
    texts = data["texts"]
    assert texts["kept_heading"] == "Guardado en este teléfono"
    assert texts["choose_score"].startswith("{name}: elija qué tan fuerte fue")
    assert texts["finder_none"] == (
        "Nada coincide con «{query}». Pruebe otra palabra, o escríbalo en las notas."
    )
    # The {gaps} the script fills in are not words.
    words = [re.sub(r"\{\w+\}", "", text) for text in texts.values()]
    assert not english_left("".join(f"<p>{text}</p>" for text in words))
    english = json.loads(
        re.search(
            r'id="offline-data"[^>]*>(.*?)</script>', client.get(LOG).content.decode(), re.S
        ).group(1)
    )
    assert english["locale"] == "en-GB" and english["texts"]["sent_heading"] == "Sent"


def test_the_shared_scripts_words_come_in_spanish(people, client):
    from django.template.loader import render_to_string

    with translation.override("es"):
        html = render_to_string("_script_texts.html")
    texts = json.loads(re.search(r">(.*)</script>", html, re.S).group(1))
    assert texts["show_password"] == "Mostrar contraseña"
    # The {gaps} the script fills in are not words.
    words = [re.sub(r"\{\w+\}", "", text) for text in texts.values()]
    assert not english_left("".join(f"<p>{text}</p>" for text in words))


def test_history_with_data_is_in_spanish(people, client):
    patient = people.patient_a
    for back in range(5):
        log_days_back(patient, back, {"bone_pain": 3 + back, "fever": Decimal("37.5")})
    client.force_login(patient)
    _response, body = spanish_get(client, reverse("history"))
    assert_spanish(body)
    assert "Su historial" in body and "Huesos" in body
    assert "presente en 5 de 5 días que registró" in body
    assert "37,5 °C" in body
    assert "No hubo síntomas de cerebro, hígado o pulmones en estos 30 días." in body


def test_an_empty_history_is_in_spanish(people, client):
    client.force_login(people.patient_a)
    _response, body = spanish_get(client, reverse("history"))
    assert_spanish(body)


def test_question_edit_is_in_spanish(people, client):
    question = people.patient_a.questions.create(text="¿Puedo viajar?")
    client.force_login(people.patient_a)
    _response, body = spanish_get(client, reverse("question_edit", args=[question.pk]))
    assert_spanish(body)
    response = client.post(reverse("question_edit", args=[question.pk]), {"text": " "}, **ES)
    assert_spanish(response.content.decode())
    assert "Escriba su pregunta, o salga de esta página." in response.content.decode()


def test_chart_words_and_numbers_follow_the_language():
    days = [dt.date(2026, 11, 2) + dt.timedelta(days=n) for n in range(3)]
    with translation.override("es"):
        text = charts.summarise(
            "Fiebre", "temperature", days, [37.5, None, 38.4], 2, fever_line=38.0
        )
        assert text == (
            "Fiebre: se tomó 2 días. El valor más alto fue 38,4 °C el 4 nov; "
            "el último, 38,4 °C el 4 nov. 38,0 °C o más en 1 día."
        )
        assert charts.value_text("severity", 6) == "6 (moderado)"
    with translation.override("en"):
        assert charts.value_text("temperature", 38.4) == "38.4 °C"


def test_api_errors_follow_the_request_language(people, api_client):
    api_client.force_authenticate(people.patient_a)
    today = people.patient_a.patient_profile.local_today()
    payload = {"date": today.isoformat(), "entries": [{"symptom": "fever", "value": 50}]}
    response = api_client.post(reverse("api-logs"), payload, format="json", **ES)
    assert response.status_code == 400
    assert "la temperatura debe estar entre 34,0 y 43,0 °C" in json.dumps(
        response.json(), ensure_ascii=False
    )


def test_the_daily_nudge_is_in_the_patients_language(people, languages):
    from symptoms.reminder_planning import log_reminders_plan

    languages[people.patient_a.pk] = "es"
    now = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
    profiles = [people.patient_a.patient_profile, people.patient_b.patient_profile]
    log_reminders_plan(profiles=profiles, now=now)
    nudges = Notification.objects.filter(kind=Kind.LOG_REMINDER)
    spanish = {(n.title, n.body) for n in nudges if n.recipient_id == people.patient_a.pk}
    english = {(n.title, n.body) for n in nudges if n.recipient_id == people.patient_b.pk}
    assert spanish == {("¿Cómo se siente hoy?", "Una nota rápida toma unos segundos.")}
    assert english == {("How are you today?", "A quick note takes a few seconds.")}

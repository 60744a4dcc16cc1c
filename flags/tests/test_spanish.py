"""Flags in Spanish: the advice and explanations a Spanish-speaking patient reads (stored in their
language when the worker writes a flag), their pages and the PDF, the urgent banner and its
answers, and the alerts each coordinator gets in their own language."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import CoordinatorFactory
from flags import rules, services, views
from flags.models import Flag
from flags.rules import wording
from flags.selectors import flag_staff_explanation, flag_staff_title
from flags.tests.flag_helpers import NOW, day, live
from flags.tests.test_summary_document import _page_texts
from mbc_tracker.tests.english import english_left
from notifications.models import Notification
from symptoms.tests.factories import log_day
from symptoms.tests.test_spanish import ES, assert_spanish, catalogue_words, chosen_languages

pytestmark = pytest.mark.django_db


@pytest.fixture
def languages(monkeypatch) -> dict[int, str]:
    return chosen_languages(monkeypatch)


def urgent_flag(people) -> Flag:
    log_day(people.patient_a, day(0), {"seizure": True, "fever": 38.6}, now=NOW)
    with time_machine.travel(NOW, tick=False):
        services.evaluate_patient(patient=people.patient_a, now=NOW)
    return live(people.patient_a, "fever")[0]


def test_the_rules_speak_spanish_when_asked():
    symptoms = {
        "fever": rules.SymptomFacts(
            "fever", "Temperatura", "general", "temperature", "none", False
        ),
        "fatigue": rules.SymptomFacts("fatigue", "Cansancio", "general", "severity", "none", False),
    }
    today = dt.date(2026, 3, 10)
    facts = rules.PatientFacts(
        sites=frozenset({"bone"}),
        today=today,
        logs=(
            rules.DayLog(today, {"fever": Decimal("38.4")}),
            rules.DayLog(today - dt.timedelta(days=1), {"fatigue": 8}),
        ),
    )
    numbers = rules.AdviceNumbers(emergency="911", care_line="0800 123 456")
    with translation.override("es"):
        findings = {f.rule: f for f in rules.evaluate(facts, symptoms=symptoms, numbers=numbers)}
    fever = findings["fever"]
    assert fever.title == "Fiebre: llame a su equipo de atención ahora"
    assert fever.explanation.startswith("Su temperatura fue de 38,4 °C hoy.")
    assert fever.advice == (
        "Llame ahora a la línea de 24 horas de su equipo de atención, al 0800 123 456. "
        "Cuénteles qué notó y cuándo empezó."
    )
    for finding in findings.values():
        text = f"<p>{finding.title}</p><p>{finding.explanation}</p><p>{finding.advice}</p>"
        assert not english_left(text, allowed=("Temperatura", "Cansancio")), finding
    assert findings["severe"].explanation == "Calificó cansancio con 8 de 10 ayer."
    with translation.override("es"):
        assert wording.day(dt.date(2026, 3, 7), today) == "el sábado 7 de marzo"
        assert wording.date(dt.date(2026, 3, 7)) == "7 de marzo de 2026"
    with translation.override("en"):
        english = rules.evaluate(facts, symptoms=symptoms, numbers=numbers)
    assert any(f.title == "High temperature: call your care team now" for f in english)


def test_a_flag_is_stored_in_the_patients_language_and_staff_read_their_own(people, languages):
    languages[people.patient_a.pk] = "es"
    flag = urgent_flag(people)
    assert flag.title == "Fiebre: llame a su equipo de atención ahora"
    assert "38,6 °C hoy" in flag.explanation
    with translation.override("en"):
        assert flag_staff_title(flag.rule, flag.subject) == "Fever"
        assert flag_staff_explanation(flag, name="Alice", today=day(0)) == (
            "Alice logged a high temperature today."
        )
    with translation.override("es"):
        assert flag_staff_title(flag.rule, flag.subject) == "Fiebre"
        assert flag_staff_explanation(flag, name="Alice", today=day(0)) == (
            "Alice registró fiebre hoy."
        )


def test_an_english_patient_keeps_english_flags(people, languages):
    flag = urgent_flag(people)
    assert flag.title == "High temperature: call your care team now"


def test_coordinators_get_alerts_in_their_own_language(people, languages):
    spanish = CoordinatorFactory(email="coord.es@example.org", teams=[people.team_a])
    languages[spanish.pk] = "es"
    languages[people.patient_a.pk] = "es"
    flag = urgent_flag(people)
    alerts = Notification.objects.filter(subject_id=flag.pk)
    by_key = {note.key: note for note in alerts}
    urgent_es = by_key[f"flag:{flag.pk}:urgent:{spanish.pk}"]
    urgent_en = by_key[f"flag:{flag.pk}:urgent:{people.coordinator_a.pk}"]
    assert urgent_es.title == "Un paciente necesita una llamada"
    assert urgent_es.body.startswith(
        "Un paciente de su equipo de atención tiene una alerta urgente"
    )
    assert urgent_en.title == "A patient needs a call"
    assert by_key[f"flag:{flag.pk}:escalation:{spanish.pk}"].title == (
        "Sigue pendiente: un paciente necesita una llamada"
    )
    patient = by_key[f"flag:{flag.pk}:escalation:{people.patient_a.pk}"]
    assert patient.title == "¿Le ha llamado su equipo de atención?"
    assert not english_left(f"<p>{patient.title}</p><p>{patient.body}</p>")


def test_the_morning_digest_is_in_the_coordinators_language(people, languages):
    languages[people.coordinator_a.pk] = "es"
    log_day(people.patient_a, day(0), {"fatigue": 8}, now=NOW)
    with time_machine.travel(NOW, tick=False):
        services.evaluate_patient(patient=people.patient_a, now=NOW)
        services.flag_digests_plan(now=NOW)
    digests = Notification.objects.filter(key__startswith=f"digest:{people.coordinator_a.pk}:")
    assert digests
    for digest in digests:
        assert digest.title == "Alertas para revisar hoy"
        assert digest.body == (
            "1 alerta para revisar hoy, de 1 paciente. Abra MBC Tracker para verlas."
        )


def test_raise_with_team_is_in_spanish(people, client, languages):
    languages[people.patient_a.pk] = "es"
    urgent_flag(people)
    people.patient_a.questions.create(text="¿Puedo viajar en enero?")
    client.force_login(people.patient_a)
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        body = client.get(reverse("raise_with_team"), **ES).content.decode()
    assert_spanish(body)
    assert "Para hablar con su equipo de atención" in body
    assert "¿Qué opciones de tratamiento tengo?" in body
    assert "Los días en que se basa: 10 mar" in body
    # The urgent banner at the top of the page, with its buttons.
    assert "Llame ahora a la línea de 24 horas de su equipo de atención" in body
    assert "Voy a llamar ahora" in body


def test_answering_the_banner_is_in_spanish(people, client, languages):
    languages[people.patient_a.pk] = "es"
    flag = urgent_flag(people)
    client.force_login(people.patient_a)
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        response = client.post(
            reverse("flag_respond", args=[flag.pk]),
            {"response": "called_team", "next": reverse("history")},
            follow=True,
            **ES,
        )
    body = response.content.decode()
    assert_spanish(body)
    assert "Gracias por decírnoslo. Su equipo de atención verá su respuesta." in body
    assert "Lo que nos dijo" in body
    assert "Nos dijo que llamó a su equipo a las 10:05." in body
    lost = client.post(
        reverse("flag_respond_pending"), {"response": "nonsense", "next": "/"}, follow=True, **ES
    )
    assert "No pudimos guardar su respuesta en este momento." in lost.content.decode()


def test_the_visit_summary_and_its_pdf_are_in_spanish(people, client, languages):
    languages[people.patient_a.pk] = "es"
    urgent_flag(people)
    for back in range(1, 6):
        log_day(people.patient_a, day(-back), {"bone_pain": 3 + back}, now=NOW)
    people.patient_a.questions.create(text="¿Puedo viajar en enero?")
    client.force_login(people.patient_a)
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        body = client.get(reverse("visit_summary"), **ES).content.decode()
        request = RequestFactory().get(reverse("visit_summary_pdf"), **ES)
        request.user = people.patient_a
        with translation.override("es"):
            document, _made = views.summary_document(request, people.patient_a.patient_profile)
    assert_spanish(body, people.patient_a.get_full_name())
    assert "Resumen para la visita" in body and "10 de marzo de 2026" in body
    assert "Urgente · Fiebre · señalada el mar 10 mar 2026" in body
    text = " ".join(_page_texts(document))
    assert "Resumen para la visita" in text and "Mis preguntas" in text
    summary = text.split("Resumen para la visita", 1)[1]
    left = english_left(
        f"<p>{html.escape(summary)}</p>",
        allowed=(people.patient_a.get_full_name(), "MBC Tracker", *catalogue_words()),
    )
    # The shared layout's footer (the project's templates) may still be English here.
    left = [t for t in left if not re.search(r"24-hour line|emergency, call|Log out", t)]
    assert not left, left


def test_staff_api_errors_follow_the_request_language(people, api_client):
    flag = urgent_flag(people)
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(
        reverse("api-flag-resolve", args=[flag.pk]), {"note": ""}, format="json", **ES
    )
    assert response.status_code == 400
    assert "Añada una nota breve que diga cómo se resolvió" in str(response.json())

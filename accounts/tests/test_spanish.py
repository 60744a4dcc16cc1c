"""Account pages and emails in Spanish: the home pages, settings, the two-step pages, form and
validation messages, and the invitation, written in the invited person's language whatever the
language of the request or task that sends it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.forms import PatientSettingsForm
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, authenticator_for, make_patient
from lib import i18n
from mbc_tracker.tests.english import english_left

pytestmark = pytest.mark.django_db
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
# Names and places that are the same in every language.
NAMES = ("Alice", "Team A", "New Zealand", "New York")


def reads_spanish(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """The person has chosen Spanish: their own setting once accounts have one, otherwise
    ``lib.i18n`` is told so (texts made for them go through ``in_language_of`` either way)."""
    if "language" in {field.name for field in User._meta.get_fields()}:
        User.objects.filter(pk=user.pk).update(language="es")
        user.language = "es"
        return
    chosen = i18n.language_of
    monkeypatch.setattr(
        i18n, "language_of", lambda person: "es" if person.pk == user.pk else chosen(person)
    )


def spanish(client, url: str, **extra) -> str:
    response = client.get(url, **SPANISH, **extra)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_patient_home_in_spanish(people, client):
    client.force_login(people.patient_a)
    body = spanish(client, reverse("home"))
    assert "Hola, Alice" in body
    assert "Todavía no hizo el registro de hoy" in body
    assert "Hueso" in body  # where the cancer has spread, from the choices
    assert english_left(body, allowed=NAMES) == []


def test_the_home_page_of_a_patient_without_a_team_in_spanish(client):
    patient = UserFactory(name="Alice Patient")
    client.force_login(patient)
    body = spanish(client, reverse("home"))
    assert "Su cuenta todavía no está vinculada" in body
    assert english_left(body, allowed=NAMES) == []


def test_the_admin_home_in_spanish(people, client):
    client.force_login(people.admin)
    body = spanish(client, reverse("home"))
    assert "Inscribir a un paciente" in body
    assert english_left(body) == []


def _without_record_download(body: str) -> str:
    """The settings page less the record download's section (the exports app's own words)."""
    start = body.find('<section class="card" id="record-export"')
    if start == -1:
        return body
    return body[:start] + body[body.index("</section>", start) + len("</section>") :]


def test_the_patient_settings_page_in_spanish(people, client):
    client.force_login(people.patient_a)
    body = spanish(client, reverse("settings"))
    for words in (
        "Nombre completo",
        "Su zona horaria",
        "Dónde se ha extendido el cáncer",
        "Quién ha mirado su expediente",
        "Notificaciones en este teléfono",
        "Cerrar sesión en todos sus dispositivos",
    ):
        assert words in body
    assert english_left(_without_record_download(body), allowed=NAMES) == []


def test_the_time_zone_search_and_form_errors_in_spanish(people, client):
    client.force_login(people.patient_a)
    body = spanish(client, reverse("settings") + "?tz=auckland")
    assert "Encontramos 1 zona horaria para “auckland”" in body
    assert "Resultados para “auckland”" in body
    assert "Auckland (hora de Nueva Zelanda)" in body
    body = spanish(client, reverse("settings") + "?tz=atlantis")
    assert "Ninguna zona horaria coincide con “atlantis”" in body
    response = client.post(
        reverse("settings"),
        {"name": "Alice Patient", "phone": "call me", "timezone": "Europe/London"},
        **SPANISH,
    )
    body = response.content.decode()
    assert "Revise las respuestas marcadas abajo." in body
    assert "Este no parece un número de teléfono" in body
    # Django's own form errors come in Spanish too (DRF's catalogue words this one).
    assert "Este campo es requerido." in re.findall(r"error-text[^>]*>([^<]*)", body)
    assert english_left(_without_record_download(body), allowed=NAMES) == []


def test_saving_settings_says_so_in_spanish(people, client):
    client.force_login(people.patient_a)
    response = client.post(
        reverse("settings"),
        {"name": "Alice Patient", "timezone": "Europe/London", "log_reminder_time": "19:00"},
        **SPANISH,
        follow=True,
    )
    assert "Su configuración está guardada." in response.content.decode()


def test_the_form_labels_follow_the_language_they_are_shown_in():
    with translation.override("es"):
        form = PatientSettingsForm(current_zone="Europe/London")
        assert str(form.fields["name"].label) == "Nombre completo"
        assert "empiece con + y el código del país" in form.fields["phone"].help_text
    with translation.override("en"):
        form = PatientSettingsForm(current_zone="Europe/London")
        assert str(form.fields["name"].label) == "Full name"


def test_the_two_step_pages_in_spanish(people, client):
    coordinator = people.coordinator_a
    client.post(reverse("login"), {"username": coordinator.email, "password": PASSWORD})
    body = spanish(client, reverse("two_step_setup"))
    assert "Configurar el inicio de sesión en dos pasos" in body
    assert 'aria-label="Código QR para escanear"' in body
    assert english_left(body, allowed=("Microsoft Authenticator", "Google Authenticator")) == []
    response = client.post(reverse("two_step_setup"), {"code": "000000"}, **SPANISH)
    assert "Ese código no coincide." in response.content.decode()


def test_the_two_step_code_and_manage_pages_in_spanish(people, client):
    coordinator = people.coordinator_a
    authenticator_for(coordinator)
    client.post(reverse("login"), {"username": coordinator.email, "password": PASSWORD})
    body = spanish(client, reverse("two_step_verify"))
    assert "Escriba su código" in body
    assert english_left(body) == []
    client.force_login(coordinator)
    body = spanish(client, reverse("two_step"))
    assert "El inicio de sesión en dos pasos está activado" in body
    assert english_left(body) == []
    response = client.post(reverse("two_step"), **SPANISH, follow=True)
    body = response.content.decode()
    assert "Sus códigos de recuperación" in body
    assert english_left(body) == []


def test_validation_messages_in_spanish(people):
    with translation.override("es"), pytest.raises(Exception) as refused:
        services.new_email("patient.a@example.org")
    assert "Ya hay alguien registrado" in str(refused.value)


def test_the_invitation_is_written_in_the_invited_persons_language(monkeypatch, settings):
    patient = make_patient(name="Alice Patient")
    patient.set_unusable_password()
    patient.save()
    reads_spanish(patient, monkeypatch)
    with translation.override("en"):  # the task's or coordinator's language does not matter
        services.invitation_send(user=User.objects.get(pk=patient.pk))
    (message,) = mail.outbox
    assert message.subject == "Su cuenta de MBC Tracker está lista"
    assert message.body.startswith("Hola, Alice:")
    assert english_left(message.body, allowed=NAMES) == []


def test_an_english_reader_gets_the_invitation_in_english_from_a_spanish_request():
    patient = make_patient(name="Alice Patient")
    patient.set_unusable_password()
    patient.save()
    with translation.override("es"):
        services.invitation_send(user=patient)
    (message,) = mail.outbox
    assert message.subject == "Your MBC Tracker account is ready"
    assert "Your care team has set up an MBC Tracker account for you." in message.body


def test_the_password_reset_email_follows_the_person_when_they_chose(people, client, monkeypatch):
    reads_spanish(people.patient_a, monkeypatch)
    if "language" not in {field.name for field in User._meta.get_fields()}:
        # Before accounts hold a language, the form reads the person's attribute directly.
        monkeypatch.setattr(User, "language", "es", raising=False)
    client.post(reverse("password_reset"), {"email": "patient.a@example.org"})
    (message,) = mail.outbox
    assert message.subject == "Elija su contraseña de MBC Tracker"

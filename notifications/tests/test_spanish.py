"""The message centre, the notification settings and the outbox's own words in Spanish. An email
is finished at send time (the dispatcher has no request): its added words follow the recipient's
language, never the language the dispatcher happens to run in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.tests.factories import make_patient
from lib import i18n
from mbc_tracker.tests.english import english_left
from notifications import services
from notifications.models import Kind, Notification, Status
from notifications.planning import outbox_sync
from notifications.push import payload
from notifications.tests.factories import NotificationFactory, message_pair

pytestmark = pytest.mark.django_db
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)  # a Monday
HOUR = dt.timedelta(hours=1)
# Words the app planned in Spanish (planning is the planning app's; these stand for its words).
TITLE = "Su recordatorio diario"
BODY = "¿Cómo se siente hoy? Cuéntenos en MBC Tracker."


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


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_message_centre_in_spanish(client):
    patient = make_patient(name="Alice Patient", timezone="Europe/Madrid")
    for key in ("one", "two"):
        message_pair(
            patient, key=key, status=Status.SENT, due_at=NOW - HOUR, title=TITLE, body=BODY
        )
    message_pair(patient, key="later", due_at=NOW + HOUR, title=TITLE, body=BODY)
    client.force_login(patient)
    body = client.get(reverse("notification_list"), **SPANISH).content.decode()
    for words in ("Sus mensajes", "2 nuevos", "Marcar todos como vistos", "Próximas"):
        assert words in body
    assert "lunes 15 de junio, 13:00" in body  # a Spanish date, in the patient's zone
    assert english_left(body, allowed=("Europe/Madrid",)) == []
    response = client.post(reverse("notifications_read_all"), **SPANISH, follow=True)
    assert "Todos sus mensajes están marcados como vistos." in response.content.decode()


def test_an_empty_message_centre_in_spanish(client):
    patient = make_patient(name="Alice Patient")
    client.force_login(patient)
    body = client.get(reverse("notification_list"), **SPANISH).content.decode()
    assert "Todavía no hay nada aquí." in body
    assert english_left(body, allowed=("Europe/London",)) == []


@pytest.mark.parametrize("push_on", [True, False])
def test_the_notification_settings_in_spanish(client, settings, push_on):
    settings.WEBPUSH_ENABLED = push_on
    settings.WEBPUSH_VAPID_PUBLIC_KEY = "key" if push_on else ""
    patient = make_patient(name="Alice Patient")
    client.force_login(patient)
    body = client.get(reverse("settings"), **SPANISH).content.decode()
    start = body.index('id="phone-notifications"')
    section = body[start : body.index("</section>", start)]
    assert "Cómo le avisamos" in section
    assert "Recordatorio del registro diario" in section  # the kinds, from the choices
    assert "Correo electrónico (siempre, por seguridad)" in section
    assert english_left("<section " + section) == []


def test_the_email_footer_is_in_the_recipients_language(monkeypatch, settings):
    settings.SITE_URL = "https://mbc.example.org"
    patient = make_patient(name="Alice Patient")
    reads_spanish(patient, monkeypatch)
    NotificationFactory(recipient=patient, kind=Kind.LOG_REMINDER, title=TITLE, body=BODY)
    with translation.override("en"):  # the dispatcher's own language does not matter
        assert services.dispatch_due().sent == 1
    (email,) = mail.outbox
    assert email.subject == TITLE
    assert "Abra MBC Tracker para ver los detalles: https://mbc.example.org/" in email.body
    assert "Puede cambiar la hora de los recordatorios en su configuración." in email.body
    assert english_left(email.body) == []


def test_an_english_recipient_gets_english_words_from_a_spanish_dispatcher():
    patient = make_patient(name="Alice Patient")
    NotificationFactory(recipient=patient)
    with translation.override("es"):
        services.dispatch_due()
    (email,) = mail.outbox
    assert "Open MBC Tracker to see the details" in email.body


def test_a_push_payload_carries_the_words_planned_for_the_recipient():
    patient = make_patient(name="Alice Patient")
    row = NotificationFactory(recipient=patient, title=TITLE, body=BODY)
    assert payload(row)["title"] == TITLE
    assert payload(row)["body"] == BODY


def test_kinds_and_channels_read_in_spanish():
    with translation.override("es"):
        assert str(Kind.APPOINTMENT_REMINDER.label) == "Recordatorio de cita"
        assert str(Kind.FLAG_ALERT.label) == "Alerta del equipo de atención"


def test_planning_again_rewords_messages_not_sent_yet_and_leaves_the_sent_ones():
    """A person who chooses another language gets their coming reminders in it at the next
    planning (the words are the planner's, written in the person's language)."""
    patient = make_patient(name="Alice Patient")
    later = NOW + HOUR

    def plan(key: str, title: str, body: str) -> services.Planned:
        return services.Planned(
            key=key,
            kind=Kind.LOG_REMINDER,
            recipient_id=patient.pk,
            due_at=later,
            title=title,
            body=body,
            link="/log/",
            subject_type="test",
            subject_id=patient.pk,
        )

    english = [plan("coming", "Your daily reminder", "How are you today?")]
    outbox_sync(
        scope=Notification.objects.filter(subject_type="test"),
        keep={"coming"},
        planned=english,
        now=NOW,
    )
    message_pair(patient, key="gone", status=Status.SENT, due_at=NOW - HOUR, subject_type="test")
    spanish = [plan("coming", TITLE, BODY)]
    created = outbox_sync(
        scope=Notification.objects.filter(subject_type="test"),
        keep={"coming", "gone"},
        planned=spanish,
        now=NOW,
    )
    assert created == 0
    assert set(Notification.objects.filter(key="coming").values_list("title", "body")) == {
        (TITLE, BODY)
    }
    assert set(Notification.objects.filter(key="gone").values_list("title", flat=True)) == {
        "You have an appointment reminder"
    }

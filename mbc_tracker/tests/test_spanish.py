"""The project's own pages and messages in Spanish: the layout, sign-in and password pages, the
offline page, the 403 and 503 pages, the installable app's words, API error messages and the
date phrases every page uses. English stays the default."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tests.factories import PASSWORD
from lib import dates
from mbc_tracker import outage
from mbc_tracker.tests.english import english_left

pytestmark = pytest.mark.django_db
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def spanish_page(client, url: str, *, status: int = 200, **extra) -> str:
    response = client.get(url, **SPANISH, **extra)
    assert response.status_code == status, url
    body = response.content.decode()
    assert '<html lang="es">' in body
    return body


@pytest.mark.parametrize(
    "name",
    ["login", "password_reset", "password_reset_done", "password_reset_complete", "offline"],
)
def test_signed_out_pages_read_in_spanish(client, name):
    body = spanish_page(client, reverse(name))
    assert english_left(body) == []


def test_the_login_page_in_spanish_keeps_its_labels_and_errors_spanish(people, client):
    body = spanish_page(client, reverse("login"))
    assert "Iniciar sesión" in body
    assert "Correo electrónico" in body
    response = client.post(
        reverse("login"), {"username": "patient.a@example.org", "password": "x"}, **SPANISH
    )
    body = response.content.decode()
    assert "no coinciden" in body
    assert english_left(body) == []


def test_the_password_reset_confirm_page_and_django_password_rules_in_spanish(people, client):
    user = people.patient_a
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    response = client.get(url, **SPANISH, follow=True)
    body = response.content.decode()
    assert "Elija su contraseña" in body
    assert english_left(body) == []
    # Django's own password rules and form errors come with Django's Spanish.
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "abc", "new_password2": "abc"},
        **SPANISH,
    )
    body = response.content.decode()
    assert "contraseña es demasiado corta" in body
    assert english_left(body) == []
    expired = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": "nope-nope"})
    body = spanish_page(client, expired)
    assert "Este enlace ya no funciona" in body
    assert english_left(body) == []


def test_the_password_reset_email_follows_the_page_language(people, client):
    client.post(reverse("password_reset"), {"email": "patient.a@example.org"}, **SPANISH)
    (message,) = mail.outbox
    assert message.subject == "Elija su contraseña de MBC Tracker"
    assert "Alguien pidió elegir o cambiar la contraseña" in message.body
    assert english_left(message.body) == []


def test_the_password_change_pages_in_spanish(people, client):
    client.force_login(people.patient_a)
    body = spanish_page(client, reverse("password_change"))
    assert english_left(body) == []
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a calm new phrase 2026",
            "new_password2": "a calm new phrase 2026",
        },
        **SPANISH,
        follow=True,
    )
    body = response.content.decode()
    assert "Su contraseña está cambiada" in body
    assert english_left(body) == []


def test_the_layout_in_spanish_for_a_signed_in_patient(people, client):
    client.force_login(people.patient_a)
    body = spanish_page(client, reverse("home"))
    for words in ("Ir al contenido principal", "Historial", "Mensajes", "Cerrar sesión"):
        assert words in body
    assert "Línea de 24 horas de su equipo de atención" in body


def test_the_403_page_in_spanish(people, client):
    client.force_login(people.patient_a)
    body = spanish_page(client, reverse("care:panel"), status=403)
    assert "Esta página no está disponible para usted" in body
    assert english_left(body) == []


def test_the_lockout_page_in_spanish(rf):
    from accounts.lockout import lockout_response

    request = rf.get("/accounts/login/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override("es"):
        response = lockout_response(request)
        api = lockout_response(rf.post("/api/v1/auth/token/"))
    body = response.content.decode()
    assert "Espere unos minutos, por favor" in body
    assert english_left(body) == []
    assert "Demasiados intentos" in json.loads(api.content)["detail"]


def test_the_outage_pages_in_spanish():
    error = OperationalError("connection refused")
    with translation.override("es"):
        page = outage.outage_response(RequestFactory().get("/log/"), error)
        api = outage.outage_response(RequestFactory().get("/api/v1/me/"), error)
    body = page.content.decode()
    assert page.status_code == 503
    assert "Volveremos en unos minutos" in body
    assert english_left(body) == []
    assert json.loads(api.content)["detail"].startswith("El servicio no está disponible")


def test_the_outage_page_stays_english_by_default():
    with translation.override("en"):
        page = outage.outage_response(RequestFactory().get("/log/"), OperationalError("x"))
    assert "We will be back in a few minutes" in page.content.decode()


def test_the_manifest_and_service_worker_speak_the_page_language(client):
    manifest = json.loads(client.get(reverse("manifest"), **SPANISH).content)
    assert manifest["lang"] == "es"
    assert manifest["description"].startswith("Anote cada día")
    english = json.loads(client.get(reverse("manifest")).content)
    assert english["lang"] == "en-GB"
    worker = client.get(reverse("service_worker"), **SPANISH).content.decode()
    assert 'var OFFLINE_TEXT = "No tiene conexi\\u00f3n.";' in worker
    assert "You are offline" not in worker


def test_api_error_messages_in_spanish(people, api_client):
    response = api_client.get("/api/v1/nothing-here/", **SPANISH)
    assert response.status_code == 404
    assert response.json()["detail"] == "No hay nada en esta dirección."
    response = api_client.get("/api/v1/me/", **SPANISH)
    assert response.status_code == 401  # DRF's own words come with DRF's Spanish
    assert "credenciales" in response.json()["detail"]


def test_api_parser_messages_in_spanish(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(
        "/api/v1/me/", data="[" * 50 + "]" * 50, content_type="application/json", **SPANISH
    )
    assert response.status_code == 400
    assert "demasiados niveles anidados" in response.json()["detail"]


def test_paging_messages_in_spanish(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.get("/api/v1/notifications/?page=x", **SPANISH)
    assert response.status_code == 400
    assert response.json() == {"page": ["El número de página es un número entero desde 1."]}


TODAY = dt.date(2026, 12, 2)  # a Wednesday


def test_date_phrases_in_spanish():
    with translation.override("es"):
        assert dates.short_date(dt.date(2026, 11, 3)) == "3 nov"
        assert dates.long_date(dt.date(2026, 11, 26), today=TODAY) == "jueves 26 de noviembre"
        assert dates.long_date(dt.date(2025, 11, 26), today=TODAY) == (
            "miércoles 26 de noviembre de 2025"
        )
        assert dates.day_name(TODAY, TODAY) == "hoy"
        assert dates.capitalised(dates.day_name(TODAY, TODAY)) == "Hoy"
        assert dates.days_ago(4) == "hace 4 días"
        assert dates.when(dt.datetime(2026, 12, 3, 10, 30), TODAY) == "mañana a las 10:30"
        assert dates.last_seen(dt.datetime(2026, 11, 30, 9, 5), TODAY) == (
            "el lunes 30 de noviembre a las 09:05"
        )
        assert dates.full_date(dt.date(2026, 11, 3)) == "3 de noviembre de 2026"
        assert dates.dated_day(dt.date(2026, 11, 3)) == "mar 3 nov 2026"
        assert dates.date_list([dt.date(2026, 11, 3), dt.date(2026, 11, 4)]) == "3 nov, 4 nov 2026"


def test_the_admin_site_in_spanish_with_djangos_own_words(people, client):
    client.force_login(people.admin)
    body = client.get(reverse("admin:index"), **SPANISH).content.decode()
    assert "Administración de MBC Tracker" in body
    assert "Personas y equipos de atención" in body
    assert "Acciones recientes" in body  # Django's admin, with Django's Spanish
    body = client.get(reverse("admin:accounts_user_changelist"), **SPANISH).content.decode()
    assert "Cerrar sesión en todas partes" in body


def test_the_scale_names_its_bands_in_spanish():
    from django.template.loader import render_to_string

    bands = [
        {"name": "none", "options": [{"id": "a0", "value": 0}]},
        {"name": "moderate", "options": [{"id": "a5", "value": 5, "checked": True}]},
    ]
    with translation.override("es"):
        html = render_to_string("_scale.html", {"name": "anxiety", "band_rows": [bands]})
    assert '5<span class="visually-hidden"> de 10, moderado</span>' in html
    assert 'class="scale-band scale-moderate"' in html  # the style keeps the stored name
    assert english_left(html) == []
    with translation.override("en"):
        html = render_to_string("_scale.html", {"name": "anxiety", "band_rows": [bands]})
    assert '5<span class="visually-hidden"> of 10, moderate</span>' in html

"""Web sessions: "Sign out everywhere" on the settings page, and staff sessions that end after
STAFF_IDLE_MINUTES without a request while patients keep theirs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import credentials
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
EVERYWHERE = reverse("sign_out_everywhere")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web_session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signed_in(client: Client, **headers: str) -> bool:
    """Whether the client's session still signs it in (whatever the page then shows)."""
    return client.get(reverse("settings"), headers=headers).wsgi_request.user.is_authenticated


def token_works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code == 200


# --- Sign out everywhere ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["patient_a", "coordinator_a", "admin"])
def test_settings_page_offers_sign_out_everywhere_and_says_what_it_does(people, persona):
    page = web_session(getattr(people, persona)).get(reverse("settings"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{EVERYWHERE}"' in html
    assert "and here too" in html


@pytest.mark.parametrize("persona", ["patient_a", "coordinator_a"])
def test_sign_out_everywhere_ends_every_session_and_token_this_one_included(people, persona):
    user = getattr(people, persona)
    here, elsewhere = web_session(user), web_session(user)
    key = credentials.api_token_issue(user=user, device="Phone").key
    bystander = web_session(people.patient_b)
    bystander_key = credentials.api_token_issue(user=people.patient_b).key

    response = here.post(EVERYWHERE)

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("signed out everywhere" in note for note in notes)
    assert not signed_in(here)
    assert not signed_in(elsewhere)
    assert not token_works(key)
    assert signed_in(bystander)
    assert token_works(bystander_key)


def test_the_confirmation_shows_on_the_sign_in_page(people):
    response = web_session(people.patient_a).post(EVERYWHERE, follow=True)
    assert response.status_code == 200
    assert b"You are signed out everywhere" in response.content


def test_sign_out_everywhere_needs_a_post_and_a_sign_in(people):
    client = web_session(people.patient_a)
    assert client.get(EVERYWHERE).status_code == 405
    assert signed_in(client)
    anonymous = Client().post(EVERYWHERE)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_sign_out_everywhere_needs_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.patient_a)
    assert client.post(EVERYWHERE).status_code == 403
    assert signed_in(client)


# --- Staff idle timeout --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator_a", "admin"])
def test_staff_idle_for_31_minutes_are_signed_out(people, persona, _clock, settings):
    settings.STAFF_IDLE_MINUTES = 30
    client = web_session(getattr(people, persona))
    assert signed_in(client)

    _clock.shift(31 * MINUTE)

    assert not signed_in(client)


@pytest.mark.parametrize("persona", ["coordinator_a", "admin"])
def test_staff_active_every_20_minutes_for_2_hours_stay_signed_in(people, persona, _clock):
    client = web_session(getattr(people, persona))
    assert signed_in(client)
    for _ in range(6):
        _clock.shift(20 * MINUTE)
        assert signed_in(client)


def test_a_patient_idle_for_2_hours_stays_signed_in(people, _clock):
    client = web_session(people.patient_a)
    assert signed_in(client)
    _clock.shift(120 * MINUTE)
    assert signed_in(client)


def test_a_patient_keeps_the_usual_session_length(people, _clock, settings):
    client = web_session(people.patient_a)
    assert signed_in(client)
    _clock.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
    assert not signed_in(client)


def test_the_idle_limit_is_a_setting(people, _clock, settings):
    settings.STAFF_IDLE_MINUTES = 10
    client = web_session(people.coordinator_a)
    assert signed_in(client)
    _clock.shift(11 * MINUTE)
    assert not signed_in(client)


def test_the_panel_refreshing_itself_is_not_activity(people, _clock):
    """A triage panel left open on an unattended screen polls every minute; that must not keep
    the session alive."""
    client = web_session(people.coordinator_a)
    assert signed_in(client)
    for _ in range(31):
        _clock.shift(MINUTE)
        client.get(
            reverse("care:panel"), headers={"HX-Request": "true", "X-Background-Refresh": "1"}
        )
    assert not signed_in(client)


def test_a_signed_out_panel_refresh_sends_the_whole_page_to_sign_in(people, _clock):
    client = web_session(people.coordinator_a)
    assert signed_in(client)
    _clock.shift(31 * MINUTE)
    response = client.get(
        reverse("care:panel"), headers={"HX-Request": "true", "X-Background-Refresh": "1"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_api_token_requests_make_no_session(people):
    key = credentials.api_token_issue(user=people.coordinator_a).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_staff_who_sign_in_and_do_nothing_for_31_minutes_are_signed_out(people, _clock):
    """The idle clock starts at sign-in, not at the first page after it."""
    client = web_session(people.coordinator_a)
    _clock.shift(31 * MINUTE)
    assert not signed_in(client)


def test_staff_signing_in_through_the_login_page_start_on_the_idle_clock(people, _clock, settings):
    client = Client()
    response = client.post(
        reverse("login"), {"username": "coord.a@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 30 * 60
    patient = Client()
    patient.post(reverse("login"), {"username": "patient.a@example.org", "password": PASSWORD})
    assert patient.session.get_expiry_age() == settings.SESSION_COOKIE_AGE

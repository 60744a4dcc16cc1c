"""Web sessions: how long they last per role ("Keep me signed in on this phone" for patients,
the idle clock for staff), "Sign out on all your devices" on the settings page, and a sign-out
that leaves nothing of the site on the browser."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import credentials
from accounts.tests.factories import PASSWORD, app_code, authenticator_for

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
    assert any("signed out on all your devices" in note for note in notes)
    assert not signed_in(here)
    assert not signed_in(elsewhere)
    assert not token_works(key)
    assert signed_in(bystander)
    assert token_works(bystander_key)


def test_the_confirmation_shows_on_the_sign_in_page(people):
    response = web_session(people.patient_a).post(EVERYWHERE, follow=True)
    assert response.status_code == 200
    assert b"You are signed out on all your devices" in response.content


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


# --- Session length per role, chosen at the login form ------------------------------------------

DAY = dt.timedelta(days=1)
STAFF = ["coordinator_a", "admin"]


def log_in(client: Client, email: str, *, remember: bool):
    data = {"username": email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content[:300]
    return response


def test_a_patient_who_ticks_keep_me_signed_in_stays_signed_in_for_30_days(people, _clock):
    client = Client()
    response = log_in(client, "patient.a@example.org", remember=True)

    cookie = response.cookies["sessionid"]
    assert int(cookie["max-age"]) == 30 * 24 * 60 * 60
    assert client.session.get_expiry_age() == 30 * 24 * 60 * 60
    _clock.shift(13 * dt.timedelta(hours=1))  # past the usual 12 hours
    assert signed_in(client)
    for _ in range(29):  # used every day: the 30 days are counted from sign-in all the same
        _clock.shift(DAY)
        assert signed_in(client)
    _clock.shift(12 * dt.timedelta(hours=1))  # 30 days and an hour after signing in
    assert not signed_in(client)


def test_a_carer_chooses_like_a_patient_on_their_own_phone(people, _clock):
    from accounts.tests.factories import make_carer

    make_carer(people.patient_a, email="carer.phone@example.org")
    remembered, browser_only = Client(), Client()
    response = log_in(remembered, "carer.phone@example.org", remember=True)
    assert int(response.cookies["sessionid"]["max-age"]) == 30 * 24 * 60 * 60
    response = log_in(browser_only, "carer.phone@example.org", remember=False)
    assert browser_only.session.get_expire_at_browser_close()
    _clock.shift(13 * dt.timedelta(hours=1))  # past the usual 12 hours
    assert signed_in(remembered)
    assert not signed_in(browser_only)


def test_a_patient_who_does_not_tick_it_is_signed_out_when_the_browser_closes(
    people, _clock, settings
):
    client = Client()
    response = log_in(client, "patient.a@example.org", remember=False)

    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert client.session.get_expire_at_browser_close()
    # A browser left open: the server still ends the session after the usual 12 hours.
    _clock.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
    assert signed_in(client)
    _clock.shift(2 * MINUTE)
    assert not signed_in(client)


def test_how_long_a_patient_stays_signed_in_is_a_setting(people, _clock, settings):
    settings.PATIENT_REMEMBER_DAYS = 7
    assert b"For 7 days." in Client().get(reverse("login")).content
    client = Client()
    log_in(client, "patient.a@example.org", remember=True)
    assert client.session.get_expiry_age() == 7 * 24 * 60 * 60
    _clock.shift(7 * DAY + MINUTE)
    assert not signed_in(client)


@pytest.mark.parametrize("persona", STAFF)
def test_staff_who_tick_the_box_still_pass_two_steps_and_sign_out_when_idle(
    people, persona, _clock
):
    user = getattr(people, persona)
    device = authenticator_for(user)
    client = Client()
    response = log_in(client, user.email, remember=True)
    assert int(response.cookies["sessionid"]["max-age"]) == 30 * 60

    # The second step is asked for as always, and the box changed nothing.
    assert client.get("/")["Location"].startswith("/accounts/two-step/code/")
    response = client.post("/accounts/two-step/code/", {"code": app_code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.session.get_expiry_age() == 30 * 60

    _clock.shift(20 * MINUTE)
    assert signed_in(client)  # active: the idle clock moves on
    _clock.shift(31 * MINUTE)
    assert not signed_in(client)


@pytest.mark.parametrize("persona", STAFF)
def test_staff_sessions_never_last_days(people, persona, _clock, settings):
    user = getattr(people, persona)
    client = Client()
    log_in(client, user.email, remember=True)
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


def test_sign_out_everywhere_ends_a_30_day_session_on_another_phone(people, _clock):
    phone = Client()
    log_in(phone, "patient.a@example.org", remember=True)
    key = credentials.api_token_issue(user=people.patient_a, device="Phone").key
    _clock.shift(3 * DAY)
    assert signed_in(phone) and token_works(key)

    laptop = Client()
    log_in(laptop, "patient.a@example.org", remember=False)
    response = laptop.post(EVERYWHERE)

    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert not signed_in(phone)
    assert not signed_in(laptop)
    assert not token_works(key)


def test_the_settings_page_words_it_for_patients(people):
    html = web_session(people.patient_a).get(reverse("settings")).content.decode()
    assert '<h2 id="everywhere-heading">Sign out on all your devices</h2>' in html
    assert "even where you chose to stay signed in" in html


# --- Signing out leaves nothing behind on the browser -------------------------------------------


def test_logging_out_clears_the_browsers_copy_of_the_site(people):
    client = Client()
    log_in(client, "patient.a@example.org", remember=True)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert not signed_in(client)


def test_only_signing_out_clears_it(people):
    client = web_session(people.patient_a)
    for url in (reverse("home"), reverse("settings"), reverse("log")):
        assert "Clear-Site-Data" not in client.get(url)
    assert "Clear-Site-Data" not in Client().get(reverse("login"))


def test_logging_out_before_the_second_step_clears_it_too(people):
    authenticator_for(people.coordinator_a)
    client = Client()
    log_in(client, "coord.a@example.org", remember=False)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_signing_out_of_admin_clears_it_too(people):
    client = web_session(people.admin)
    response = client.post(reverse("admin:logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert not signed_in(client)


def test_the_settings_page_says_until_when_this_phone_keeps_you_signed_in(people):
    client = Client()
    log_in(client, "patient.a@example.org", remember=True)
    html = client.get(reverse("settings")).content.decode()
    # Signed in at 13:00 in London on Monday 15 June: 30 days on, where the patient lives.
    assert "It keeps you signed in until Wednesday 15 July, unless you log out." in html

    other = Client()
    log_in(other, "patient.a@example.org", remember=False)
    assert "You chose to stay signed in" not in other.get(reverse("settings")).content.decode()

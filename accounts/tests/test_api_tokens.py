"""API tokens per device: expiry, the older single tokens, signing out one device or everywhere,
and a password change ending every token."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token as LegacyToken
from rest_framework.test import APIClient

from accounts import credentials
from accounts.api import authentication
from accounts.api.authentication import TokenAuthentication
from accounts.models import ApiToken
from accounts.tests.factories import PASSWORD, app_code, authenticator_for
from accounts.tokens import key_digest, session_auth_hash

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sign_in(
    email: str = "patient.a@example.org", device: str | None = None, code: str | None = None
) -> dict:
    body = {"email": email, "password": PASSWORD}
    if code is not None:
        body["code"] = code  # care staff: the code from their authenticator app
    if device is not None:
        body["device"] = device
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def me_status(key: str) -> int:
    return client_for(key).get("/api/v1/me/").status_code


def test_each_sign_in_is_its_own_token_with_an_expiry(people, settings):
    settings.API_TOKEN_DAYS = 30
    phone = sign_in(device="Alice's phone")
    tablet = sign_in(device="Tablet")

    assert phone["token"] != tablet["token"]
    assert dt.datetime.fromisoformat(phone["expires"]) == NOW + 30 * DAY
    assert me_status(phone["token"]) == 200
    assert me_status(tablet["token"]) == 200
    stored = ApiToken.objects.get(device="Alice's phone")
    assert stored.user == people.patient_a
    # Only a digest is kept: the database never holds a key that works.
    assert stored.digest == key_digest(phone["token"])
    assert phone["token"] not in {stored.digest, stored.user_hash}


def test_a_token_works_until_it_expires_then_401(people, settings, _clock):
    settings.API_TOKEN_DAYS = 30
    key = sign_in()["token"]

    _clock.move_to(NOW + 30 * DAY - dt.timedelta(seconds=1))
    assert me_status(key) == 200
    _clock.move_to(NOW + 30 * DAY)
    response = client_for(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert "sign in again" in response.json()["detail"]


def test_expired_tokens_are_tidied_at_the_next_sign_in(people, _clock):
    sign_in()
    _clock.move_to(NOW + 31 * DAY)
    sign_in()
    assert ApiToken.objects.filter(user=people.patient_a).count() == 1


@pytest.mark.parametrize("device", ["line\nbreak", "x" * 65, "tab\there"])
def test_a_bad_device_name_is_400_and_no_token(people, device):
    response = APIClient().post(
        TOKEN_URL,
        {"email": "patient.a@example.org", "password": PASSWORD, "device": device},
        format="json",
    )
    assert response.status_code == 400
    assert "device" in response.json()
    assert not ApiToken.objects.exists()


def test_an_unknown_token_is_401(people):
    assert me_status("not-a-token") == 401


def _detail(key: str) -> tuple[int, str]:
    response = client_for(key).get("/api/v1/me/")
    return response.status_code, response.json()["detail"]


def test_each_refusal_is_401_with_its_own_message(people, _clock):
    assert _detail("not-a-token") == (401, "Invalid token.")

    expired = sign_in()["token"]
    _clock.move_to(NOW + 365 * DAY)
    assert _detail(expired) == (401, "This sign-in has ended. Please sign in again.")
    _clock.move_to(NOW)

    changed = sign_in()["token"]
    people.patient_a.set_password("a whole new passphrase")
    people.patient_a.save()
    assert _detail(changed) == (401, "This sign-in has ended. Please sign in again.")

    inactive = sign_in("patient.b@example.org")["token"]
    people.patient_b.is_active = False
    people.patient_b.save()
    assert _detail(inactive) == (401, "User inactive or deleted.")


def _staff_token(user) -> str:
    key = "staff-key"
    ApiToken.objects.create(
        user=user,
        digest=key_digest(key),
        user_hash=user.get_session_auth_hash(),
        expires_at=NOW + DAY,
    )
    return key


def test_the_token_lookup_brings_the_user_and_their_profile_in_one_query(
    people, django_assert_num_queries
):
    patient_key = sign_in()["token"]
    staff_key = _staff_token(people.coordinator_a)
    with django_assert_num_queries(2):
        patient, _ = TokenAuthentication().authenticate_credentials(patient_key)
        staff, _ = TokenAuthentication().authenticate_credentials(staff_key)
    with django_assert_num_queries(0):
        assert patient.patient_profile.pk == people.patient_a.patient_profile.pk
        assert not hasattr(staff, "patient_profile")
    assert (patient, staff) == (people.patient_a, people.coordinator_a)


def _fields(instance) -> dict:
    return {k: v for k, v in vars(instance).items() if not k.startswith("_")}


def test_the_compiled_token_lookup_reads_what_the_queryset_reads(people):
    for key in (sign_in()["token"], _staff_token(people.coordinator_a)):
        digest = key_digest(key)
        compiled, orm = authentication._token(digest), authentication._token_query(digest).first()
        assert _fields(compiled) == _fields(orm)
        assert _fields(compiled.user) == _fields(orm.user)
        if hasattr(orm.user, "patient_profile"):
            assert _fields(compiled.user.patient_profile) == _fields(orm.user.patient_profile)
        else:
            assert not hasattr(compiled.user, "patient_profile")
    assert authentication._token(key_digest("not-a-token")) is None


# --- The single tokens issued before tokens expired --------------------------------------------


def _move_legacy_tokens() -> None:
    migration = importlib.import_module("accounts.migrations.0007_api_tokens")
    migration.move_legacy_tokens(apps, None)


def test_an_older_token_is_accepted_until_one_lifetime_after_it_was_made(people, settings, _clock):
    settings.API_TOKEN_DAYS = 30
    legacy = LegacyToken.objects.create(user=people.patient_a)
    LegacyToken.objects.filter(pk=legacy.pk).update(created=NOW - 10 * DAY)
    _move_legacy_tokens()

    assert not LegacyToken.objects.exists()  # plain-text keys are gone from the database
    assert me_status(legacy.key) == 200
    _clock.move_to(NOW + 20 * DAY - dt.timedelta(seconds=1))
    assert me_status(legacy.key) == 200
    _clock.move_to(NOW + 20 * DAY)
    assert me_status(legacy.key) == 401


def test_an_older_token_already_past_its_lifetime_is_401(people, settings):
    settings.API_TOKEN_DAYS = 30
    legacy = LegacyToken.objects.create(user=people.patient_a)
    LegacyToken.objects.filter(pk=legacy.pk).update(created=NOW - 31 * DAY)
    _move_legacy_tokens()
    assert me_status(legacy.key) == 401


def test_an_older_token_made_after_the_upgrade_is_taken_over_on_first_use(people, _clock):
    legacy = LegacyToken.objects.create(user=people.patient_a)
    LegacyToken.objects.filter(pk=legacy.pk).update(created=NOW - 29 * DAY)

    assert me_status(legacy.key) == 200
    assert not LegacyToken.objects.exists()
    token = ApiToken.objects.get(digest=key_digest(legacy.key))
    assert token.expires_at == NOW + DAY
    _clock.move_to(NOW + DAY)
    assert me_status(legacy.key) == 401


def test_a_password_change_ends_an_older_token_too(people):
    legacy = LegacyToken.objects.create(user=people.patient_a)
    _move_legacy_tokens()
    people.patient_a.set_password("a whole new passphrase")
    people.patient_a.save()
    assert me_status(legacy.key) == 401


# --- Signing out ---------------------------------------------------------------------------------


def test_logout_ends_only_this_token(people):
    phone, tablet = sign_in()["token"], sign_in()["token"]
    other = sign_in("patient.b@example.org")["token"]

    assert client_for(phone).post("/api/v1/auth/logout/").status_code == 204

    assert me_status(phone) == 401
    assert me_status(tablet) == 200
    assert me_status(other) == 200


def test_logout_with_a_web_session_ends_that_session(people):
    client = APIClient()
    client.force_login(people.patient_a)
    token = sign_in()["token"]
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert me_status(token) == 200


def web_session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signed_in(client: Client) -> bool:
    return client.get(reverse("settings")).wsgi_request.user.is_authenticated


def test_logout_all_ends_every_token_and_session_of_the_caller_only(people):
    phone, tablet = sign_in()["token"], sign_in()["token"]
    browser = web_session(people.patient_a)
    other_token = sign_in("patient.b@example.org")["token"]
    other_browser = web_session(people.patient_b)

    assert client_for(phone).post("/api/v1/auth/logout-all/").status_code == 204

    assert me_status(phone) == 401
    assert me_status(tablet) == 401
    assert not signed_in(browser)
    assert not ApiToken.objects.filter(user=people.patient_a).exists()
    # Nobody else is touched.
    assert me_status(other_token) == 200
    assert signed_in(other_browser)
    # Signing in again works at once.
    assert me_status(sign_in()["token"]) == 200


@pytest.mark.parametrize("path", ["/api/v1/auth/logout/", "/api/v1/auth/logout-all/"])
def test_signing_out_needs_a_sign_in(people, path):
    token = sign_in()["token"]
    assert APIClient().post(path).status_code == 401
    assert client_for("not-a-token").post(path).status_code == 401
    assert me_status(token) == 200


def test_a_staff_member_signs_out_everywhere_too(people):
    key = sign_in("coord.a@example.org", code=app_code(authenticator_for(people.coordinator_a)))[
        "token"
    ]
    browser = web_session(people.coordinator_a)
    assert client_for(key).post("/api/v1/auth/logout-all/").status_code == 204
    assert me_status(key) == 401
    assert not signed_in(browser)


# --- The list of signed-in devices ---------------------------------------------------------------


def test_the_device_list_is_the_callers_own_working_tokens(people, _clock):
    old = sign_in(device="Old phone")["token"]
    _clock.shift(DAY)
    phone = sign_in(device="Phone")["token"]
    sign_in("patient.b@example.org", device="Bella's phone")
    client_for(old).post("/api/v1/auth/logout/")

    response = client_for(phone).get("/api/v1/auth/tokens/")

    assert response.status_code == 200
    assert [(t["device"], t["current"]) for t in response.json()] == [("Phone", True)]
    assert set(response.json()[0]) == {"id", "device", "created", "expires", "current"}


def test_revoking_another_persons_token_is_404_and_leaves_it_working(people):
    mine = sign_in()["token"]
    theirs = sign_in("patient.b@example.org")["token"]
    their_id = ApiToken.objects.get(digest=key_digest(theirs)).pk

    response = client_for(mine).delete(f"/api/v1/auth/tokens/{their_id}/")

    assert response.status_code == 404
    assert me_status(theirs) == 200
    assert client_for(mine).delete("/api/v1/auth/tokens/999999/").status_code == 404


def test_revoking_one_of_my_devices_from_another(people):
    phone = sign_in(device="Phone")["token"]
    lost = sign_in(device="Lost tablet")["token"]
    lost_id = ApiToken.objects.get(device="Lost tablet").pk

    assert client_for(phone).delete(f"/api/v1/auth/tokens/{lost_id}/").status_code == 204
    assert me_status(lost) == 401
    assert me_status(phone) == 200


def test_the_device_endpoints_need_a_sign_in(people):
    assert APIClient().get("/api/v1/auth/tokens/").status_code == 401
    assert APIClient().delete("/api/v1/auth/tokens/1/").status_code == 401


# --- Password changes ------------------------------------------------------------------------


def test_a_web_password_change_ends_every_token_and_other_session_but_keeps_this_one(people):
    token = sign_in()["token"]
    other_browser = web_session(people.patient_a)
    browser = web_session(people.patient_a)

    response = browser.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a whole new passphrase",
            "new_password2": "a whole new passphrase",
        },
    )

    assert response.status_code == 302
    assert me_status(token) == 401
    assert not signed_in(other_browser)
    assert signed_in(browser)  # Django's update_session_auth_hash keeps the one that changed it


def test_a_password_reset_link_ends_every_token_and_session(people):
    token = sign_in()["token"]
    browser = web_session(people.patient_a)
    reset = Client()
    reset.post(reverse("password_reset"), {"email": "patient.a@example.org"})
    from django.core import mail

    link = next(line for line in mail.outbox[-1].body.splitlines() if "/reset/" in line)
    path = link[link.index("/accounts/reset/") :].strip()
    form_page = reset.get(path, follow=True)
    new = "a whole new passphrase"
    done = reset.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    assert me_status(token) == 401
    assert not signed_in(browser)


def test_an_admin_setting_a_password_ends_every_token(people):
    token = sign_in()["token"]
    admin = web_session(people.admin)
    new = "a whole new passphrase"
    response = admin.post(
        f"/admin/accounts/user/{people.patient_a.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert me_status(token) == 401
    assert signed_in(admin)  # the admin's own session is not the patient's


def test_sessions_made_before_sign_outs_were_counted_stay_valid(people):
    """With no sign-out everywhere yet, the hash is Django's own: nobody is signed out by the
    upgrade."""
    user = people.patient_a
    assert user.sign_outs == 0
    assert user.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(user)
    assert session_auth_hash(password=user.password, sign_outs=1) != (user.get_session_auth_hash())


def test_sign_out_everywhere_is_one_service_for_every_door(people):
    key = credentials.api_token_issue(user=people.patient_a, device="x").key
    browser = web_session(people.patient_a)
    assert credentials.sign_out_everywhere(user=people.patient_a) == 1
    assert me_status(key) == 401
    assert not signed_in(browser)


def test_an_admin_can_sign_a_person_out_everywhere(people):
    token = sign_in()["token"]
    browser = web_session(people.patient_a)
    bystander = sign_in("patient.b@example.org")["token"]
    admin = web_session(people.admin)

    response = admin.post(
        "/admin/accounts/user/",
        {"action": "sign_out_everywhere", "_selected_action": [people.patient_a.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert b"Signed out everywhere: 1 person" in response.content
    assert me_status(token) == 401
    assert not signed_in(browser)
    assert me_status(bystander) == 200
    assert signed_in(admin)


def test_a_coordinator_cannot_use_the_admin_to_sign_anyone_out(people):
    token = sign_in()["token"]
    coordinator = web_session(people.coordinator_a)
    response = coordinator.post(
        "/admin/accounts/user/",
        {"action": "sign_out_everywhere", "_selected_action": [people.patient_a.pk]},
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert me_status(token) == 200

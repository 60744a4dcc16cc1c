"""Two-step sign-in for staff: required for coordinators and admins on the website, in admin and
for API tokens; never for patients. Set-up, codes, recovery codes, lockout and reset.

These tests sign in through the real pages (password, then code); they never use the
``force_login`` shortcut, which stands for a sign-in already completed.
"""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32encode

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_step
from accounts.models import ApiToken
from accounts.tests.factories import PASSWORD, app_code, authenticator_for

pytestmark = pytest.mark.django_db
CODE_PAGE = "/accounts/two-step/code/"
SETUP_PAGE = "/accounts/two-step/set-up/"
STAFF = ["coordinator_a", "admin"]


def sign_in(client, email: str, url: str = "/accounts/login/"):
    """The first step only: email and password through the login form."""
    response = client.post(url, {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


def type_code(client, code: str, next_url: str = "/"):
    return client.post(CODE_PAGE, {"code": code, "next": next_url})


def later(seconds: int) -> time_machine.travel:
    """Past the wait a wrong code imposes on the next try (1 s, 2 s, 4 s...)."""
    return time_machine.travel(timezone.now() + dt.timedelta(seconds=seconds), tick=True)


def past_each_wait(tries: int) -> list[int]:
    """Seconds from now for each of several wrong codes, each past the wait the one before
    imposes (1 s after the first, then 2, 4, ...), so that every try is really checked."""
    offsets, offset = [], 0
    for attempt in range(tries):
        offset += 2**attempt + 1
        offsets.append(offset)
    return offsets


# --- Who is asked -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", STAFF)
def test_staff_type_a_code_after_their_password_at_web_login(people, client, persona):
    user = getattr(people, persona)
    device = authenticator_for(user)
    response = sign_in(client, user.email)
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_PAGE}?next=%2F"

    page = client.get(response["Location"])
    assert "Enter the 6-digit code from your authenticator app" in page.content.decode()
    assert 'aria-label="Main"' not in page.content.decode()  # no menu of pages not yet open

    response = type_code(client, app_code(device))
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("persona", STAFF)
def test_staff_without_an_app_are_sent_to_set_one_up(people, client, persona):
    user = getattr(people, persona)
    sign_in(client, user.email)
    response = client.get("/")
    assert response["Location"] == f"{SETUP_PAGE}?next=%2F"
    # Nothing else opens, and the code page sends them back to set-up.
    assert client.get("/settings/")["Location"].startswith(SETUP_PAGE)
    assert client.get(CODE_PAGE)["Location"].startswith(SETUP_PAGE)


def test_patients_are_never_asked_for_a_code(people, client):
    sign_in(client, people.patient_a.email)
    assert client.get("/").status_code == 200
    assert client.get("/settings/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get(CODE_PAGE)["Location"] == "/"
    assert client.get(SETUP_PAGE)["Location"] == "/"
    assert not TOTPDevice.objects.exists()


def test_admin_types_a_code_at_admin_login_too(people, client):
    device = authenticator_for(people.admin)
    response = sign_in(client, people.admin.email, url="/admin/login/?next=/admin/")
    assert response["Location"] == "/admin/"
    response = client.get("/admin/")
    assert response["Location"] == f"{CODE_PAGE}?next=%2Fadmin%2F"
    assert client.get("/admin/accounts/user/")["Location"].startswith(CODE_PAGE)

    response = type_code(client, app_code(device), next_url="/admin/")
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_without_an_app_sets_one_up_before_admin_opens(people, client):
    sign_in(client, people.admin.email, url="/admin/login/?next=/admin/")
    assert client.get("/admin/")["Location"] == f"{SETUP_PAGE}?next=%2Fadmin%2F"


def test_coordinators_have_no_admin_even_after_both_steps(people, client):
    device = authenticator_for(people.coordinator_a)
    response = client.post(
        "/admin/login/", {"username": people.coordinator_a.email, "password": PASSWORD}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    sign_in(client, people.coordinator_a.email)
    type_code(client, app_code(device))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_admin_site_asks_the_same_rule(people, rf):
    request = rf.get("/admin/")
    request.user = people.admin  # never through the middleware: not verified
    from django.contrib import admin

    assert not admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/patients/",
        "/alert-burden/",
        "/appointments/",
        "/notifications/",
        "/settings/",
        "/accounts/two-step/",
        "/accounts/two-step/recovery-codes/",
        "/accounts/password_change/",
        "/admin/",
        "/admin/accounts/patientprofile/",
    ],
)
def test_an_unverified_staff_session_reaches_no_page(people, client, path):
    authenticator_for(people.admin)
    sign_in(client, people.admin.email)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_PAGE)


def test_an_unverified_staff_session_opens_a_patient_record_never(people, client):
    authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    response = client.get(f"/patients/{people.patient_a.pk}/")
    assert response["Location"] == f"{CODE_PAGE}?next=%2Fpatients%2F{people.patient_a.pk}%2F"
    # A form sent before the code is refused too, and sends no page address along.
    response = client.post(f"/patients/{people.patient_a.pk}/edit/", {"name": "Changed"})
    assert response["Location"] == CODE_PAGE
    people.patient_a.refresh_from_db()
    assert people.patient_a.name == "Alice Patient"


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/patients/", "/api/v1/flags/"])
def test_the_api_through_an_unverified_staff_session_is_403(people, client, path):
    device = authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    response = client.get(path)
    assert response.status_code == 403
    assert "code from your authenticator app" in response.json()["detail"]
    type_code(client, app_code(device))
    assert client.get(path).status_code == 200


def test_a_panel_refresh_before_the_code_moves_the_whole_page(people, client):
    authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    response = client.get("/patients/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(CODE_PAGE)


def test_signing_out_works_before_the_code(people, client):
    authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_code_page_goes_only_to_pages_of_this_site(people, client):
    device = authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    response = type_code(client, app_code(device), next_url="https://elsewhere.example/")
    assert response["Location"] == "/"


# --- Codes -------------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_the_next_try_waits(people, client):
    device = authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"
    response = type_code(client, wrong)
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()

    response = type_code(client, app_code(device))  # right, but too soon after a wrong one
    assert "Please wait" in response.content.decode()
    assert client.get("/").status_code == 302

    with later(2):
        response = type_code(client, app_code(device))
        assert response.status_code == 302
        assert client.get("/").status_code == 200


def test_a_code_is_accepted_once(people, client):
    device = authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    code = app_code(device)
    type_code(client, code)
    client.post("/accounts/logout/")
    sign_in(client, people.coordinator_a.email)
    response = type_code(client, code)
    assert response.status_code == 200 and "did not work" in response.content.decode()


def test_wrong_codes_count_towards_the_lockout(people, client, settings):
    device = authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    responses = []
    for offset in past_each_wait(settings.AXES_FAILURE_LIMIT):
        with later(offset):
            responses.append(type_code(client, "000000"))
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    assert "Please wait" in responses[-1].content.decode()
    assert "_auth_user_id" not in client.session  # signed out: the password is asked again
    # The password alone does not open the door again during the lockout.
    response = client.post(
        "/accounts/login/", {"username": people.coordinator_a.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert device.pk  # the app itself stays set up


# --- Setting up ---------------------------------------------------------------------------------


def test_set_up_end_to_end(people, client):
    user = people.coordinator_a
    sign_in(client, user.email)
    page = client.get(f"{SETUP_PAGE}?next=/patients/")
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # The QR code is inline SVG (no image request, no inline style), with a text alternative.
    assert '<svg role="img" aria-label="QR code to scan"' in body
    assert str(two_step.qr_code_svg(device)) in body
    assert "style=" not in body
    # The key, for typing, in groups of four.
    secret = b32encode(device.bin_key).decode()
    groups = re.findall(r"<span>([A-Z2-7]{4})</span>", body)
    assert "".join(groups) == secret and len(groups) == 8
    # A reload shows the same key: an app that scanned it still matches.
    client.get(SETUP_PAGE)
    assert TOTPDevice.objects.get(user=user).key == device.key

    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP_PAGE, {"code": wrong, "next": "/patients/"})
    assert response.status_code == 200
    assert "That code did not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/")["Location"].startswith(SETUP_PAGE)

    with later(2):
        response = client.post(SETUP_PAGE, {"code": app_code(device), "next": "/patients/"})
        assert response["Location"] == "/accounts/two-step/recovery-codes/?next=%2Fpatients%2F"
        device.refresh_from_db()
        assert device.confirmed

        codes_page = client.get(response["Location"])
        assert codes_page["Cache-Control"] == "no-store"
        shown = re.findall(r"<code>([a-z2-7]{4} [a-z2-7]{4})</code>", codes_page.content.decode())
        assert len(shown) == 10
        stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
        assert {code.replace(" ", "") for code in shown} == stored
        assert 'href="/patients/"' in codes_page.content.decode()
        # Shown once only.
        again = client.get("/accounts/two-step/recovery-codes/")
        assert again["Location"] == "/accounts/two-step/"
        assert client.get("/patients/").status_code == 200

    entry = LogEntry.objects.get_for_object(user).latest("timestamp")
    assert entry.changes_dict == {"two-step sign-in": ["", "set up"]}
    assert entry.actor == user


def test_with_an_app_the_set_up_page_cannot_replace_it(people, client):
    device = authenticator_for(people.coordinator_a)
    sign_in(client, people.coordinator_a.email)
    assert client.get(SETUP_PAGE)["Location"].startswith(CODE_PAGE)
    assert client.post(SETUP_PAGE, {"code": "123456"})["Location"].startswith(CODE_PAGE)
    assert list(TOTPDevice.objects.filter(user=people.coordinator_a)) == [device]


# --- Recovery codes ---------------------------------------------------------------------------


def test_a_recovery_code_works_once(people, client):
    user = people.coordinator_a
    authenticator_for(user)
    first, second, *_ = two_step.recovery_codes_renew(user=user)

    sign_in(client, user.email)
    response = type_code(client, two_step.show_code(first).upper())  # as written down
    assert response["Location"] == "/"
    assert "9 left" in client.get("/").content.decode()
    client.post("/accounts/logout/")

    sign_in(client, user.email)
    response = type_code(client, first)
    assert response.status_code == 200 and "did not work" in response.content.decode()
    with later(2):
        assert type_code(client, f"{second[:4]}-{second[4:]}")["Location"] == "/"
    assert two_step.recovery_codes_left(user) == 8


def test_new_recovery_codes_replace_the_old_ones(people, client):
    user = people.coordinator_a
    client.force_login(user)  # a completed sign-in (see conftest)
    old = two_step.recovery_codes_renew(user=user)
    assert "10 recovery codes left" in client.get("/accounts/two-step/").content.decode()
    response = client.post("/accounts/two-step/")
    assert response["Location"] == "/accounts/two-step/recovery-codes/"
    shown = re.findall(
        r"<code>([a-z2-7 ]{9})</code>", client.get(response["Location"]).content.decode()
    )
    new = {code.replace(" ", "") for code in shown}
    assert len(new) == 10 and not new & set(old)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == new


def test_staff_settings_link_to_two_step_and_patients_get_no_such_page(people, client):
    client.force_login(people.coordinator_a)
    assert "/accounts/two-step/" in client.get("/settings/").content.decode()
    client.force_login(people.patient_a)
    assert "/accounts/two-step/" not in client.get("/settings/").content.decode()
    assert client.get("/accounts/two-step/").status_code == 403


# --- Admin reset ----------------------------------------------------------------------------


def test_an_admin_resets_a_coordinators_two_step_and_it_is_audited(people, client):
    coordinator = people.coordinator_a
    authenticator_for(coordinator)
    two_step.recovery_codes_renew(user=coordinator)
    nurse = type(client)()
    nurse.force_login(coordinator)
    assert nurse.get("/").status_code == 200

    client.force_login(people.admin)
    change_page = client.get(f"/admin/accounts/user/{coordinator.pk}/change/").content.decode()
    assert "On (authenticator app; 10 recovery codes left)" in change_page
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_step", "_selected_action": [coordinator.pk, people.patient_a.pk]},
        follow=True,
    )
    assert "Two-step sign-in reset for" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    entry = LogEntry.objects.get_for_object(coordinator).latest("timestamp")
    assert entry.changes_dict == {"two-step sign-in": ["", "reset by an administrator"]}
    assert entry.actor == people.admin
    assert AdminLogEntry.objects.filter(
        object_id=str(coordinator.pk), change_message="Reset two-step sign-in."
    ).exists()
    # The coordinator's open session now has to set up an app again before anything else.
    assert nurse.get("/")["Location"].startswith(SETUP_PAGE)


# --- API tokens ---------------------------------------------------------------------------------

TOKEN_URL = "/api/v1/auth/token/"


@pytest.mark.parametrize("persona", STAFF)
def test_staff_get_a_token_only_with_a_code(people, api_client, persona):
    user = getattr(people, persona)
    device = authenticator_for(user)
    body = {"email": user.email, "password": PASSWORD}
    response = api_client.post(TOKEN_URL, body, format="json")
    assert response.status_code == 400 and "code" in response.json()
    response = api_client.post(TOKEN_URL, {**body, "code": "000000"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == ["That code did not work."]
    assert not ApiToken.objects.exists()

    with later(2):
        response = api_client.post(TOKEN_URL, {**body, "code": app_code(device)}, format="json")
        assert response.status_code == 200
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert api_client.get("/api/v1/patients/").status_code == 200


def test_staff_without_an_app_are_told_to_set_one_up_first(people, api_client):
    body = {"email": people.coordinator_a.email, "password": PASSWORD, "code": "123456"}
    response = api_client.post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert "Set up two-step sign-in first" in response.json()["code"][0]
    assert not ApiToken.objects.exists()


def test_patients_get_a_token_without_a_code(people, api_client):
    body = {"email": people.patient_a.email, "password": PASSWORD}
    assert api_client.post(TOKEN_URL, body, format="json").status_code == 200


def test_a_wrong_code_for_a_token_counts_towards_the_lockout(people, api_client, settings):
    user = people.coordinator_a
    device = authenticator_for(user)
    body = {"email": user.email, "password": PASSWORD}
    statuses = []
    for offset in past_each_wait(settings.AXES_FAILURE_LIMIT):
        with later(offset):
            statuses.append(
                api_client.post(TOKEN_URL, {**body, "code": "000000"}, format="json").status_code
            )
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    with later(120):
        response = api_client.post(TOKEN_URL, {**body, "code": app_code(device)}, format="json")
    assert response.status_code == 429
    assert not ApiToken.objects.exists()

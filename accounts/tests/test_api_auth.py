"""POST /api/v1/auth/token/: tokens, bad credentials, throttling and lockout."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from accounts.tests.factories import PASSWORD
from accounts.tokens import key_digest

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_token_for_good_credentials_works_for_later_requests(people, api_client):
    response = api_client.post(
        URL, {"email": "PATIENT.A@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(digest=key_digest(token)).user == people.patient_a

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").json()["id"] == people.patient_a.pk


@pytest.mark.parametrize(
    "body",
    [
        {"email": "patient.a@example.org", "password": "wrong"},
        {"email": "nobody@example.org", "password": PASSWORD},
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "patient.a@example.org"},
        {},
    ],
)
def test_bad_credentials_are_400(people, api_client, body):
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(people, api_client):
    people.patient_a.is_active = False
    people.patient_a.save()
    response = api_client.post(
        URL, {"email": "patient.a@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400


def test_login_attempts_are_throttled_with_retry_after(people, api_client, settings):
    settings.AXES_FAILURE_LIMIT = 100  # throttling, not lockout, is under test here
    statuses = [
        api_client.post(URL, {"email": f"x{i}@example.org", "password": "x"}, format="json")
        for i in range(11)
    ]
    assert [r.status_code for r in statuses[:10]] == [400] * 10
    assert statuses[10].status_code == 429
    assert int(statuses[10]["Retry-After"]) > 0


def test_lockout_after_repeated_failures_even_with_the_right_password(people, api_client):
    for _ in range(5):
        api_client.post(URL, {"email": "patient.a@example.org", "password": "nope"}, format="json")
    response = api_client.post(
        URL, {"email": "patient.a@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "wait" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_lockout_covers_web_login_too(people, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "patient.a@example.org", "password": "no"})
    response = client.post(
        reverse("login"), {"username": "patient.a@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert b"Please wait" in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_covers_admin_login(people, client):
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin@example.org", "password": "no"})
    response = client.post("/admin/login/", {"username": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locking_one_account_leaves_others_alone(people, api_client):
    for _ in range(5):
        api_client.post(URL, {"email": "patient.a@example.org", "password": "nope"}, format="json")
    response = api_client.post(
        URL, {"email": "patient.b@example.org", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_api_without_credentials_is_401(api_client):
    assert api_client.get("/api/v1/me/").status_code == 401
    assert api_client.get("/api/v1/patients/").status_code == 401

"""A language per person: it wins over the browser's on pages and in the API (session or token),
the API and the settings page change it through one service, and visitors who are not signed in
pick one on the login page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import credentials, services
from accounts.models import User

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"
SPANISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {credentials.api_token_issue(user=user).key}")
    return client


# --- Which language a request is answered in ------------------------------------------------


def test_anonymous_visitors_get_their_browsers_language_else_english(client):
    assert client.get(reverse("login"), **SPANISH_BROWSER)["Content-Language"] == "es"
    assert client.get(reverse("login"), **ENGLISH_BROWSER)["Content-Language"] == "en"
    assert client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "en"
    assert client.get(reverse("login"))["Content-Language"] == "en"


def test_a_chosen_language_wins_over_the_browsers_on_pages(people, client):
    services.language_set(user=people.patient_a, language="es")
    client.force_login(people.patient_a)
    response = client.get(reverse("settings"), **ENGLISH_BROWSER)
    assert response["Content-Language"] == "es"
    assert response.wsgi_request.LANGUAGE_CODE == "es"
    assert '<html lang="es"' in response.content.decode()


def test_no_choice_follows_the_browser_when_signed_in(people, client):
    client.force_login(people.patient_a)
    assert client.get(reverse("settings"), **SPANISH_BROWSER)["Content-Language"] == "es"
    assert client.get(reverse("settings"), **ENGLISH_BROWSER)["Content-Language"] == "en"


def test_a_token_signed_in_api_request_is_answered_in_the_persons_language(people):
    services.language_set(user=people.patient_a, language="es")
    response = token_client(people.patient_a).get("/api/v1/symptoms/", **ENGLISH_BROWSER)
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    names = {symptom["code"]: symptom["name"] for symptom in response.json()}
    assert names["bone_pain"] == "Dolor de huesos"
    assert names["seizure"] == "Convulsión"


def test_the_api_follows_the_browser_without_a_choice(people):
    client = token_client(people.patient_a)
    spanish = client.get("/api/v1/symptoms/", **SPANISH_BROWSER)
    english = client.get("/api/v1/symptoms/", **ENGLISH_BROWSER)
    assert spanish["Content-Language"] == "es" and english["Content-Language"] == "en"
    assert {s["code"]: s["name"] for s in english.json()}["bone_pain"] == "Bone pain"
    assert {s["code"]: s["name"] for s in spanish.json()}["bone_pain"] == "Dolor de huesos"


def test_one_processs_catalogue_never_answers_in_another_language(people):
    """The catalogue is cached per process: one copy per language, never one for all."""
    spanish, english = token_client(people.patient_a), token_client(people.patient_b)
    services.language_set(user=people.patient_a, language="es")
    for _ in range(2):
        es = {s["code"]: s["help"] for s in spanish.get("/api/v1/symptoms/").json()}
        en = {s["code"]: s["help"] for s in english.get("/api/v1/symptoms/").json()}
        assert es["fever"].startswith("Su temperatura en °C")
        assert en["fever"].startswith("Your temperature in °C")


# --- PATCH /api/v1/me/ ------------------------------------------------------------------------


def test_me_reads_null_until_a_language_is_chosen(people, api_client):
    api_client.force_authenticate(people.patient_a)
    assert api_client.get(ME).json()["language"] is None
    response = api_client.patch(ME, {"language": "es"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["language"] == "es"
    people.patient_a.refresh_from_db()
    assert people.patient_a.language == "es"


@pytest.mark.parametrize("back_to_browser", [None, ""])
def test_null_or_empty_goes_back_to_the_browsers_language(people, api_client, back_to_browser):
    services.language_set(user=people.patient_a, language="es")
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(ME, {"language": back_to_browser}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["language"] is None
    people.patient_a.refresh_from_db()
    assert people.patient_a.language == ""


@pytest.mark.parametrize("persona", ["coordinator_a", "admin"])
def test_any_role_may_choose_a_language(people, api_client, persona):
    user = getattr(people, persona)
    api_client.force_authenticate(user)
    response = api_client.patch(ME, {"language": "es"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["language"] == "es"


@pytest.mark.parametrize("language", ["fr", "ES", "español", 7, ["es"]])
def test_a_language_we_do_not_offer_is_a_clear_400(people, api_client, language):
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(ME, {"language": language}, format="json")
    assert response.status_code == 400
    message = " ".join(map(str, response.json()["language"]))
    assert "en, es" in message
    people.patient_a.refresh_from_db()
    assert people.patient_a.language == ""


def test_language_is_not_a_patient_setting(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(ME, {"patient": {"language": "es"}}, format="json")
    assert response.status_code == 400
    assert "patient.language" in response.json()


def test_the_answer_to_the_patch_is_in_the_language_just_chosen(people):
    client = token_client(people.patient_a)
    response = client.patch(ME, {"language": "es"}, format="json", **ENGLISH_BROWSER)
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    # The next request is answered in it too, whatever the browser says.
    assert client.get(ME, **ENGLISH_BROWSER)["Content-Language"] == "es"
    response = client.patch(ME, {"language": None}, format="json", **ENGLISH_BROWSER)
    assert response["Content-Language"] == "en"


# --- The settings page and the login page ------------------------------------------------------


@pytest.mark.parametrize("persona", ["patient_a", "coordinator_a", "admin"])
def test_every_role_has_the_picker_and_it_saves(people, client, persona):
    user = getattr(people, persona)
    client.force_login(user)
    page = client.get(reverse("settings")).content.decode()
    assert 'action="/settings/language/"' in page
    assert 'name="language" value="es"' in page
    response = client.post(reverse("settings_language"), {"language": "es"})
    assert response.status_code == 302
    assert response["Location"] == reverse("settings") + "#language"
    user.refresh_from_db()
    assert user.language == "es"
    followed = client.get(reverse("settings"), **ENGLISH_BROWSER)
    assert followed["Content-Language"] == "es"
    page = followed.content.decode()
    assert 'name="language" value="es" checked' in page


def test_the_picker_goes_back_to_the_browsers_language(people, client):
    services.language_set(user=people.patient_a, language="es")
    client.force_login(people.patient_a)
    client.post(reverse("settings_language"), {"language": ""})
    people.patient_a.refresh_from_db()
    assert people.patient_a.language == ""
    assert client.get(reverse("settings"), **ENGLISH_BROWSER)["Content-Language"] == "en"


def test_the_picker_refuses_a_language_we_do_not_offer(people, client):
    client.force_login(people.patient_a)
    response = client.post(reverse("settings_language"), {"language": "xx"}, follow=True)
    assert "We do not offer “xx”" in response.content.decode()
    people.patient_a.refresh_from_db()
    assert people.patient_a.language == ""


def test_the_picker_needs_a_post_and_a_sign_in(people, client):
    assert client.post(reverse("settings_language"), {"language": "es"}).status_code == 302
    client.force_login(people.patient_a)
    assert client.get(reverse("settings_language")).status_code == 405


def test_visitors_switch_language_on_the_login_page_without_javascript(client):
    page = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'name="language" value="es"' in page
    response = client.post(
        reverse("set_language"), {"language": "es", "next": reverse("login")}, **ENGLISH_BROWSER
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("login"), **ENGLISH_BROWSER)["Content-Language"] == "es"

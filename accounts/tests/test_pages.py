"""Web pages: login, logout, home per role, settings and password reset."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tests.factories import PASSWORD, make_patient

pytestmark = pytest.mark.django_db


def test_login_page_is_calm_and_plain(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Email address" in response.content
    assert b"Forgotten your password" in response.content


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_email_any_case_then_logout(people, client):
    response = client.post(
        reverse("login"), {"username": "Patient.A@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_a_kind_message(people, client):
    response = client.post(reverse("login"), {"username": "patient.a@example.org", "password": "x"})
    assert response.status_code == 200
    assert b"do not match" in response.content


def test_patient_home_shows_their_overview(people, client):
    client.force_login(people.patient_a)
    body = client.get(reverse("home")).content.decode()
    assert "Hello, Alice" in body
    assert "Team A" in body
    assert "Bone" in body
    assert "Bella" not in body


def test_coordinator_home_lists_their_panel_only(people, client):
    make_patient(name="Carl Third", care_team=people.team_a, sites=["brain", "lung"])
    client.force_login(people.coordinator_a)
    body = client.get(reverse("home")).content.decode()
    assert "Alice Patient" in body
    assert "Carl Third" in body
    assert "Brain, Lung" in body
    assert "Bella Patient" not in body


def test_coordinator_search_and_foreign_team_filter(people, client):
    make_patient(name="Carl Third", care_team=people.team_a)
    client.force_login(people.coordinator_a)
    body = client.get(reverse("home"), {"q": "carl"}).content.decode()
    assert "Carl Third" in body
    assert "Alice Patient" not in body
    # Asking for another team's id shows the coordinator's own panel, never the other team.
    body = client.get(reverse("home"), {"team": people.team_b.pk}).content.decode()
    assert "Bella Patient" not in body
    assert "Alice Patient" in body


def test_coordinator_panel_query_count_is_constant(people, client, django_assert_max_num_queries):
    client.force_login(people.coordinator_a)
    with django_assert_max_num_queries(8):  # 6, + two-step device, + access-log lock
        client.get(reverse("home"))
    for _ in range(25):
        make_patient(care_team=people.team_a)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("home")).status_code == 200


def test_admin_home_links_to_admin(people, client):
    client.force_login(people.admin)
    body = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") in body


def test_patient_saves_settings(people, client):
    client.force_login(people.patient_a)
    response = client.post(
        reverse("settings"),
        {
            "name": "Alice Patient",
            "preferred_name": "Ally",
            "sites": ["bone", "lung"],
            "timezone": "America/Chicago",
            "log_reminder_time": "18:15",
        },
    )
    assert response.status_code == 302
    profile = people.patient_a.patient_profile
    profile.refresh_from_db()
    assert profile.sites == ["bone", "lung"]
    assert profile.timezone == "America/Chicago"
    assert profile.log_reminder_time == dt.time(18, 15)
    assert "Hello, Ally" in client.get(reverse("home")).content.decode()


def test_bad_settings_show_errors_and_save_nothing(people, client):
    client.force_login(people.patient_a)
    response = client.post(
        reverse("settings"),
        {
            "name": "Changed",
            "sites": ["kidney"],
            "timezone": "Nowhere/Town",
            "log_reminder_time": "25:99",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please check the answers marked below" in body
    assert body.count('class="error-text"') == 3
    people.patient_a.refresh_from_db()
    assert people.patient_a.name == "Alice Patient"
    assert people.patient_a.patient_profile.timezone == "Europe/London"


def test_staff_settings_change_name_only(people, client):
    client.force_login(people.coordinator_a)
    body = client.get(reverse("settings")).content.decode()
    assert "time zone" not in body.lower()
    response = client.post(reverse("settings"), {"name": "Nurse Ann"})
    assert response.status_code == 302
    people.coordinator_a.refresh_from_db()
    assert people.coordinator_a.name == "Nurse Ann"


def test_password_reset_by_email(people, client):
    response = client.post(reverse("password_reset"), {"email": "PATIENT.A@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    page = client.get(path, follow=True)
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "another-good-pass-7", "new_password2": "another-good-pass-7"},
    )
    assert response.status_code == 302
    people.patient_a.refresh_from_db()
    assert people.patient_a.check_password("another-good-pass-7")


def test_password_reset_for_unknown_email_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "ghost@example.org"})
    assert response.status_code == 302
    assert not mail.outbox


def test_pages_send_security_headers(client):
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"  # each dependency: mbc_tracker/tests/test_degrade.py


# --- The login and password pages: "Keep me signed in" and "Show password" --------------------

SHOW_PASSWORD_JS = "js/show-password.js"


# The page's words for its scripts (templates/_script_texts.html): data, never run.
DATA_BLOCK = re.compile(r'<script type="application/json"[^>]*>.*?</script>', re.S)


def scripts(html: str) -> list[str]:
    """The tags of scripts that run (data blocks left out)."""
    return re.findall(r"<script\b[^>]*>", DATA_BLOCK.sub("", html))


def test_login_offers_keep_me_signed_in_as_a_labelled_checkbox(client):
    html = client.get(reverse("login")).content.decode()
    assert re.search(
        r'<label class="check"><input type="checkbox" name="remember"[^>]*> '
        r"Keep me signed in on this phone</label>",
        html,
    )
    assert "For 30 days. Only tick this on a phone that nobody else uses." in html


@pytest.mark.parametrize("persona", [None, "patient_a"])
def test_password_pages_load_the_show_password_script_and_no_inline_script(people, client, persona):
    pages = [reverse("login")]
    if persona:
        client.force_login(getattr(people, persona))
        pages = [reverse("password_change")]
    for url in pages:
        html = client.get(url).content.decode()
        tags = scripts(html)
        assert any(SHOW_PASSWORD_JS in tag and " defer" in tag for tag in tags), url
        assert all("src=" in tag for tag in tags), url  # the CSP allows no inline script
        # Without JavaScript nothing is missing: the toggle is only ever added by the script.
        assert "Show password" not in DATA_BLOCK.sub("", html)


def test_the_set_password_page_loads_the_script_too(people, client):

    user = people.patient_a
    url = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    page = client.get(url, follow=True)
    assert b"Choose your password" in page.content
    assert SHOW_PASSWORD_JS.encode() in page.content


def test_the_show_password_script_is_served(client):

    path = finders.find(SHOW_PASSWORD_JS)
    assert path is not None
    source = Path(path).read_text(encoding="utf-8")
    assert 'type = "checkbox"' in source and "aria-controls" in source

"""Web pages: login, logout, home per role, settings and password reset."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

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
    with django_assert_max_num_queries(6):
        client.get(reverse("home"))
    for _ in range(25):
        make_patient(care_team=people.team_a)
    with django_assert_max_num_queries(6):
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

"""The printable visit summary (last 4 weeks) and its PDF download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flags.summary_pdf import StaticOnlyFetcher
from flags.tests.test_questions import make_flag
from symptoms.models import PatientQuestion
from symptoms.questions import STANDARD_QUESTIONS
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.django_db

SUMMARY = reverse("visit_summary")
PDF = reverse("visit_summary_pdf")


@pytest.fixture
def alice(people):
    patient = people.patient_a
    for days_back, pain in [(20, 2), (10, 5), (3, 6), (0, 7)]:
        log_days_back(patient, days_back, {"bone_pain": pain})
    log_days_back(patient, 29, {"fatigue": 9})  # just before the 4 weeks: not in the summary
    make_flag(patient)
    PatientQuestion.objects.create(patient=patient, text="Can I travel in May?")
    PatientQuestion.objects.create(patient=patient, text="Asked already", done=True)
    return patient


def test_the_summary_has_charts_flags_and_questions(alice, client):
    client.force_login(alice)

    response = client.get(SUMMARY)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "Bone pain: chart of the last 28 days" in body
    assert "logged on 4 of 28 days." in body
    assert "Tiredness" not in body  # 29 days ago: before the 4 weeks
    assert "Bone pain that keeps coming back" in body and "3 Nov, 4 Nov 2026" in body
    assert "Can I travel in May?" in body and "Asked already" not in body
    for question in STANDARD_QUESTIONS:
        assert question in body
    assert "Show as a table" not in body  # nothing interactive on paper
    assert f'href="{PDF}"' in body


def test_the_pdf_is_a_pdf_download_with_a_neutral_name(alice, client):
    client.force_login(alice)
    today = alice.patient_profile.local_today()

    response = client.get(PDF)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        f'attachment; filename="visit-summary-{today:%Y-%m-%d}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]


def test_the_pdf_fetcher_serves_our_stylesheet_and_nothing_else():
    fetcher = StaticOnlyFetcher("http://testserver/")

    css = fetcher.fetch("http://testserver/static/css/app.css")

    assert css.content_type == "text/css" and b"urgent-banner" in css.read()
    for url in [
        "https://fonts.example.com/font.css",
        "http://testserver/summary/",
        "http://testserver/static/../mbc_tracker/settings.py",
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


@pytest.mark.parametrize("url", [SUMMARY, PDF])
@pytest.mark.parametrize("who", ["coordinator_a", "admin"])
def test_staff_are_sent_home(people, client, url, who):
    client.force_login(getattr(people, who))
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("home")


@pytest.mark.parametrize("url", [SUMMARY, PDF])
def test_anonymous_people_are_asked_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))

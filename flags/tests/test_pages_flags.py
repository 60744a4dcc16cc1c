"""Urgent advice at once: saving a log runs the pure rules in the request and the very next page
shows every urgent finding as a banner with the number to call (CLINICAL.md)."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from flags import tasks
from symptoms.tests.test_pages_log import every_field_at_rest, messages_in

pytestmark = pytest.mark.django_db

LOG = reverse("log")


def banners(body: str) -> list[str]:
    return re.findall(r'<section class="urgent-banner[^"]*" role="alert".*?</section>', body, re.S)


def save(client, patient, **answers):
    client.force_login(patient)
    data = every_field_at_rest(client, LOG)
    data.update(answers)
    return client.post(LOG, data, follow=True)


@pytest.fixture
def numbers(settings):
    settings.EMERGENCY_NUMBER = "112"
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"


def test_an_emergency_red_flag_shows_the_emergency_banner_on_the_next_page(people, client, numbers):
    response = save(client, people.patient_a, seizure="yes")

    assert response.redirect_chain == [(LOG, 302)]
    body = response.content.decode()
    (banner,) = banners(body)
    assert 'Call <a href="tel:112">112</a> or go to the emergency department now' in banner
    assert "Seizure (fit)" in banner
    assert 'href="tel:112"' in banner
    assert "999" not in banner  # the number comes from settings, in the advice too
    # The banner comes first, then the thank-you, which no longer says "nothing else to do".
    assert body.index("urgent-banner") < body.index("Thank you — today is saved.")
    assert "nothing else to do" not in messages_in(response)


def test_a_fever_of_38_shows_the_24_hour_line(people, client, numbers):
    response = save(client, people.patient_a, fever="38.0")

    (banner,) = banners(response.content.decode())
    assert "Call your care team's 24-hour line now on" in banner.replace("&#x27;", "'")
    assert 'href="tel:08001234567">0800 123 4567</a>' in banner
    assert "38.0 °C" in banner
    assert "emergency department" not in banner


def test_37_9_is_not_a_fever(people, client, numbers):
    response = save(client, people.patient_a, fever="37.9")

    assert banners(response.content.decode()) == []
    assert "nothing else to do today" in messages_in(response)


def test_a_normal_day_has_no_banner(people, client):
    response = save(client, people.patient_a, bone_pain="3")

    assert banners(response.content.decode()) == []
    assert 'role="alert"' not in response.content.decode()


def test_the_advice_stays_on_every_page_until_stored_then_shows_once(people, client):
    """Before the worker runs, the save's advice stays at the top of the next pages; once the
    flag is stored it shows as that flag, never twice."""
    from flags import services as flag_services

    save(client, people.patient_a, seizure="yes")
    (banner,) = banners(client.get(reverse("history")).content.decode())
    assert "Seizure (fit)" in banner and 'action="/flags/respond/"' in banner

    flag_services.evaluate_patient(patient=people.patient_a)
    (banner,) = banners(client.get(LOG).content.decode())
    assert banner.count("urgent-finding") == 1
    assert "/flags/respond/" not in banner  # the stored flag's own answer form


def test_emergency_and_call_now_findings_get_one_banner_each_emergency_first(people, client):
    body = save(client, people.patient_a, seizure="yes", fever="38.5").content.decode()

    emergency, call_now = banners(body)
    assert "emergency department now" in emergency and "Seizure (fit)" in emergency
    assert "24-hour line now" in call_now.replace("&#x27;", "'") and "38.5 °C" in call_now


def test_the_quick_actions_run_the_rules_too(people, client):
    """ "I feel as usual" clears an earlier fever today: no banner."""
    patient = people.patient_a
    client.force_login(patient)
    today = patient.patient_profile.local_today()

    response = client.post(reverse("log_usual", kwargs={"day": today}), follow=True)

    assert banners(response.content.decode()) == []


def test_a_broken_broker_does_not_touch_the_save_or_the_banner(
    people, client, django_capture_on_commit_callbacks
):
    """The urgent advice never goes through Celery: with the enqueue failing, it still shows."""
    broken = mock.patch.object(
        tasks.evaluate_patient_flags, "apply_async", side_effect=OperationalError("broker down")
    )
    with broken as enqueue, django_capture_on_commit_callbacks(execute=True):
        response = save(client, people.patient_a, seizure="yes")

    # The worker was asked, and the broker failed (a kept connection is tried once more afresh).
    assert 1 <= enqueue.call_count <= 2
    assert response.redirect_chain == [(LOG, 302)]
    assert len(banners(response.content.decode())) == 1
    assert people.patient_a.daily_logs.count() == 1


def test_if_the_rules_fail_the_log_is_kept_and_the_general_advice_shown(people, client):
    with mock.patch("flags.rules.evaluate", side_effect=RuntimeError("bug")):
        response = save(client, people.patient_a, seizure="yes")

    assert response.redirect_chain == [(LOG, 302)]
    body = response.content.decode()
    assert "we could not check them just now" in body
    assert 'href="tel:999"' in body
    assert "nothing else to do" not in messages_in(response)
    assert (
        people.patient_a.dailylog_set.exists()
        if hasattr(people.patient_a, "dailylog_set")
        else True
    )

"""The settings page's "Notifications on this phone": devices, removal and channel choices
without JavaScript; the VAPID public key for push.js; and the push settings at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from notifications.models import Kind, NotificationPreference, PushSubscription
from notifications.tests.factories import PushSubscriptionFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_section_shows_the_key_devices_and_choices(client, people, vapid):
    PushSubscriptionFactory(user=people.patient_a, device="Firefox on Android")
    client.force_login(people.patient_a)
    page = client.get("/settings/").content.decode()
    assert "Notifications on this phone" in page
    assert f'data-push-key="{vapid}"' in page
    assert "Firefox on Android" in page
    assert 'name="push_log_reminder"' in page
    assert "js/push.js" in page


@pytest.mark.django_db
def test_with_push_off_the_page_says_so(client, people, settings):
    settings.WEBPUSH_ENABLED = False
    client.force_login(people.patient_a)
    page = client.get("/settings/").content.decode()
    assert "not switched on for this site" in page
    assert "data-push-key" not in page


@pytest.mark.django_db
def test_removing_a_device_without_javascript(client, people):
    mine = PushSubscriptionFactory(user=people.patient_a)
    theirs = PushSubscriptionFactory(user=people.patient_b)
    client.force_login(people.patient_a)
    assert client.post(f"/settings/devices/{theirs.pk}/remove/").status_code == 404
    response = client.post(f"/settings/devices/{mine.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"].endswith("/settings/#phone-notifications")
    assert list(PushSubscription.objects.all()) == [theirs]


@pytest.mark.django_db
def test_saving_choices_without_javascript(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.patient_a)
    # Email ticked for log reminders only; push ticked for everything else.
    data = {"email_log_reminder": "on"}
    data |= {f"push_{kind}": "on" for kind in Kind.values if kind != Kind.LOG_REMINDER}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/settings/notification-choices/", data).status_code == 302
    saved = {
        row.kind: (row.email, row.push)
        for row in NotificationPreference.objects.filter(user=people.patient_a)
    }
    assert saved[Kind.LOG_REMINDER] == (True, False)
    assert saved[Kind.SCAN_ANXIETY] == (False, True)
    assert Kind.FLAG_ALERT not in saved  # email stays on for safety alerts: nothing changed


def _settings_import(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WEBPUSH_")}
    return subprocess.run(
        [sys.executable, "-c", "import mbc_tracker.settings as s; print(s.WEBPUSH_ENABLED)"],
        cwd=ROOT,
        env={**clean, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )


def test_half_a_push_configuration_stops_start_up():
    result = _settings_import(WEBPUSH_CONTACT="mailto:ops@example.org")
    assert result.returncode != 0
    assert "WEBPUSH_VAPID_PRIVATE_KEY" in result.stderr


def test_a_full_push_configuration_turns_push_on(tmp_path):
    from notifications.management.commands.webpush_dev_keys import new_pair

    private, public = new_pair()
    result = _settings_import(
        VAR_DIR=str(tmp_path),
        WEBPUSH_VAPID_PRIVATE_KEY=private,
        WEBPUSH_VAPID_PUBLIC_KEY=public,
        WEBPUSH_CONTACT="mailto:ops@example.org",
    )
    assert result.stdout.strip() == "True", result.stderr
    assert _settings_import(VAR_DIR=str(tmp_path)).stdout.strip() == "False"


def test_development_keys_are_written_once_and_read_in_development(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DEBUG = True
    call_command("webpush_dev_keys")
    written = json.loads((tmp_path / "webpush_vapid.json").read_text())
    call_command("webpush_dev_keys")  # kept, not replaced
    assert json.loads((tmp_path / "webpush_vapid.json").read_text()) == written
    result = _settings_import(VAR_DIR=str(tmp_path))
    assert result.stdout.strip() == "True", result.stderr

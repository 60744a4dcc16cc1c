"""Settings, "Notifications on this phone", on a phone: push.js subscribes and sends the
subscription to the API with the page's CSRF token; devices are removed and channel choices
saved with plain forms; axe-clean, no sideways scrolling.

The browser's own push service cannot be reached from a test, so the page is given a stand-in
for ``navigator.serviceWorker.ready`` (the PWA's service worker) whose ``pushManager`` returns a
subscription with real keys; everything from there (permission, ``toJSON()``, the POST, CSRF)
is the page's own code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import make_patient
from mbc_tracker.tests import browser as ui
from notifications.management.commands.webpush_dev_keys import new_pair
from notifications.models import Kind, NotificationPreference, PushSubscription
from notifications.tests.fake_push import b64url

pytestmark = pytest.mark.browser

ENDPOINT = "https://push.example.net/send/browser-test"

FAKE_PUSH = """
(function (subscription) {
  Notification.requestPermission = function () { return Promise.resolve("granted"); };
  var fake = {
    endpoint: subscription.endpoint,
    toJSON: function () { return subscription; },
  };
  var registration = {
    pushManager: {
      getSubscription: function () { return Promise.resolve(null); },
      subscribe: function (options) {
        window.__pushKeyLength = options.applicationServerKey.length;
        return Promise.resolve(fake);
      },
    },
  };
  Object.defineProperty(navigator, "serviceWorker", {
    value: { ready: Promise.resolve(registration) },
  });
})(%s);
"""


def test_a_patient_turns_on_notifications_on_this_phone(
    page: Page, live_server: Any, axe: Axe, vapid: str
) -> None:
    patient = make_patient(email="alice@example.org", name="Alice Smith")
    subscription = {
        "endpoint": ENDPOINT,
        "expirationTime": None,
        "keys": {"p256dh": new_pair()[1], "auth": b64url(b"0123456789abcdef")},
    }
    page.add_init_script(FAKE_PUSH % json.dumps(subscription))

    ui.log_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/settings/")
    section = page.get_by_role("region", name="Notifications on this phone")
    expect(section).to_contain_text("No phone gets our notifications yet.")
    ui.assert_accessible(axe, page)
    ui.assert_no_horizontal_scroll(page)

    section.get_by_role("button", name="Get notifications on this phone").click()
    expect(section.get_by_role("status")).to_contain_text("Done.")
    assert page.evaluate("window.__pushKeyLength") == 65  # the VAPID public key's bytes
    device = PushSubscription.objects.get()
    assert (device.user, device.endpoint) == (patient, ENDPOINT)

    page.reload()
    section = page.get_by_role("region", name="Notifications on this phone")
    expect(section.get_by_role("button", name="Stop on this device")).to_be_visible()
    ui.assert_accessible(axe, page)

    daily = section.get_by_role("group", name="Daily log reminder")
    daily.get_by_label("Email").uncheck()
    section.get_by_role("button", name="Save these choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    choice = NotificationPreference.objects.get(user=patient, kind=Kind.LOG_REMINDER)
    assert (choice.email, choice.push) == (False, True)

    section = page.get_by_role("region", name="Notifications on this phone")
    section.get_by_role("button", name="Stop on this device").click()
    expect(page.get_by_text("will not get notifications from us any more")).to_be_visible()
    assert not PushSubscription.objects.exists()

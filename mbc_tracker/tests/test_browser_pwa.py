"""The installable app on a phone (390x844, Debian's Chromium): the service worker takes over,
the log page opens with no network, a bad day logged offline is kept on the phone with the
advice shown at once, and it reaches the server exactly once when the network returns, with the
urgent advice of the server's answer on the page. Chromium's own installability check passes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import Page, expect, sync_playwright

from accounts.tests.factories import make_patient
from mbc_tracker.tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    TIMEOUT_MS,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
)
from symptoms.models import DailyLog

pytestmark = pytest.mark.browser

KEPT = "Saved on this phone. It will be sent when you are online."
# How many logs are kept on the phone (IndexedDB), read without the log page's script.
KEPT_COUNT = """new Promise(resolve => {
    const open = indexedDB.open("mbc-offline-logs");
    open.onsuccess = () => {
        const count = open.result.transaction("logs").objectStore("logs").count();
        count.onsuccess = () => resolve(count.result);
    };
})"""


def _eventually(page: Page, expression: str) -> Any:
    """The value of a (promise-returning) expression once it is truthy: ``wait_for_function``
    would take the promise itself as its truthy answer."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        value = page.evaluate(expression)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(50)


def _wait_for_worker(page: Page) -> None:
    """The service worker is installed and controls the page."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def _logs(patient: Any) -> list[DailyLog]:
    return list(DailyLog.objects.filter(patient=patient).prefetch_related("entries"))


def _wait_for_logs(patient: Any, count: int) -> list[DailyLog]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        logs = _logs(patient)
        if len(logs) >= count:
            return logs
        time.sleep(0.1)
    return _logs(patient)


def test_a_bad_day_logged_offline_is_sent_once_when_the_network_returns(
    page: Page, live_server: Any, axe: Axe, settings: Any
) -> None:
    settings.EMERGENCY_NUMBER = "999"
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"
    patient = make_patient(email="alice@example.org", name="Alice Smith", sites=["bone", "brain"])
    log_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/log/")
    _wait_for_worker(page)
    page.reload()  # now through the worker, which keeps this page for offline use
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    assert_accessible(axe, page)

    page.context.set_offline(True)
    page.locator('label[for="pick_seizure"]').click()
    page.locator('label[for="pick_bone_pain"]').click()
    bone = page.get_by_role("group", name="Bone pain: how bad, from 1 to 10?")
    bone.locator("label").filter(has=page.get_by_role("radio", name="8", exact=True)).click()
    page.locator("#id_fever").fill("38,4")
    page.get_by_role("button", name="Save", exact=True).last.click()

    # At once, from the page itself: what to do now, and that nothing is lost.
    status = page.locator("#offline-status")
    expect(status.get_by_text(KEPT)).to_be_visible()
    emergency = status.get_by_role("alert").filter(has_text="emergency department")
    expect(emergency.get_by_role("heading", level=2)).to_have_text(
        "Call 999 or go to the emergency department now"
    )
    expect(emergency).to_contain_text("Seizure (fit)")
    expect(emergency.get_by_role("link", name="Call 999 now")).to_have_attribute("href", "tel:999")
    call_now = status.get_by_role("alert").filter(has_text="24-hour line")
    expect(call_now).to_contain_text("38.4 °C")
    expect(call_now.get_by_role("link", name="Call 0800 123 4567 now")).to_have_attribute(
        "href", "tel:08001234567"
    )
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    assert _logs(patient) == []

    # Still offline: the page opens from the phone's copy and the log is still waiting.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    expect(page.locator("#offline-status").get_by_text(KEPT)).to_be_visible()
    expect(page.locator("#offline-status")).to_contain_text("Seizure (fit)")
    kept = page.evaluate("LogStore.all()")
    assert [record["date"] for record in kept] == [
        patient.patient_profile.local_today().isoformat()
    ]
    assert _logs(patient) == []

    # Another page with no network: the offline page, with both numbers.
    page.goto(f"{live_server.url}/history/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.locator("#main").get_by_role("link", name="999")).to_have_attribute(
        "href", "tel:999"
    )
    assert_accessible(axe, page)
    page.go_back()
    expect(page.locator("#offline-status").get_by_text(KEPT)).to_be_visible()

    # Online again: sent once, and the server's urgent advice is on the page.
    page.context.set_offline(False)
    status = page.locator("#offline-status")
    expect(status.get_by_role("status").filter(has_text="Sent")).to_be_visible()
    expect(status.get_by_text(KEPT)).to_be_hidden()
    emergency = status.get_by_role("alert").filter(has_text="emergency department")
    expect(emergency).to_contain_text("Seizure")
    logs = _wait_for_logs(patient, 1)
    assert len(logs) == 1
    entries = {entry.symptom_id: entry for entry in logs[0].entries.all()}
    assert entries["seizure"].present is True
    assert entries["bone_pain"].severity == 8
    assert entries["fever"].temperature == Decimal("38.4")
    assert page.evaluate("LogStore.all()") == []
    assert_accessible(axe, page)

    # The same stored log sent twice more stays one log.
    results = page.evaluate(
        """async (record) => {
            const token = document.querySelector(".log-form [name=csrfmiddlewaretoken]").value;
            const first = await LogStore.put(record).then(() => LogStore.send(record, token));
            const second = await LogStore.put(record).then(() => LogStore.send(record, token));
            return [first.status, second.status, (await LogStore.all()).length];
        }""",
        {**kept[0]},
    )
    assert results == ["sent", "sent", 0]
    assert len(_logs(patient)) == 1


@pytest.fixture
def profile_page(
    _allow_orm_beside_playwright: None,
    transactional_db: None,
    django_db_serialized_rollback: None,
    tmp_path: Path,
) -> Iterator[Page]:
    """A phone page in a browser with a real profile on disk: Chromium never offers to install
    an app from a private (incognito) context, which is what ``browser.new_context`` gives."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            **PHONE,
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
            connections.close_all()


def test_chromium_finds_the_app_installable(profile_page: Page, live_server: Any) -> None:
    page = profile_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert _eventually(
        page, "navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))"
    )
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest["errors"]
    result = cdp.send("Page.getInstallabilityErrors")
    print(f"\nPage.getInstallabilityErrors on {page.url}: {result}")
    assert result["installabilityErrors"] == []


def test_background_sync_sends_a_kept_log_with_no_page_open_and_sign_out_clears_the_cache(
    page: Page, live_server: Any
) -> None:
    """The service worker sends a log kept offline by itself (Background Sync), with the log
    page closed; signing out deletes what it cached (the log page holds health data)."""
    patient = make_patient(email="alice@example.org", name="Alice Smith", sites=["brain"])
    log_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/log/")
    _wait_for_worker(page)
    page.reload()
    page.context.set_offline(True)
    page.locator('label[for="pick_confusion"]').click()
    page.get_by_role("button", name="Save", exact=True).last.click()
    call_now = page.locator("#offline-status").get_by_role("alert")
    expect(call_now).to_contain_text("Call your care team's 24-hour line now")
    expect(call_now).to_contain_text("Confusion")

    # Away from the log page (its script would send too), then online: only the worker sends.
    page.goto(f"{live_server.url}/offline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    page.context.set_offline(False)
    page.evaluate("navigator.serviceWorker.ready.then(r => r.sync.register('send-logs'))")
    logs = _wait_for_logs(patient, 1)
    assert [entry.symptom_id for entry in logs[0].entries.all()] == ["confusion"]
    assert _eventually(page, KEPT_COUNT + ".then(count => count === 0)")

    page.goto(f"{live_server.url}/history/")
    page.goto(f"{live_server.url}/log/")
    assert page.evaluate("caches.keys().then(keys => keys.length)") == 1
    # Of the pages, only the log page and the offline page are kept; never the API.
    kept = page.evaluate(
        """caches.keys().then(keys => caches.open(keys[0])).then(cache => cache.keys())
            .then(requests => requests.map(request => new URL(request.url).pathname))"""
    )
    pages = {path for path in kept if not path.startswith("/static/")}
    assert pages == {"/log/", "/offline/"}, kept
    assert page.evaluate("caches.match('/log/', {ignoreVary: true}).then(hit => !!hit)")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.evaluate("caches.match('/log/', {ignoreVary: true}).then(hit => !!hit)") is False


def test_a_push_message_shows_the_servers_words_as_a_notification(
    page: Page, live_server: Any
) -> None:
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto(f"{live_server.url}/accounts/login/")
    assert _eventually(
        page, "navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))"
    )
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 5
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    registration = next(r for r in registrations if r["scopeURL"] == f"{live_server.url}/")
    payload = {
        "title": "How are you today?",
        "body": "A minute to log your day helps your care team.",
        "url": "/log/",
        "tag": "log_reminder",
    }
    # Read as soon as it is shown: a headless browser may take it down again quickly, so on a
    # busy machine the same message is delivered again (at most three times) until it is seen.
    shown = None
    for _ in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": live_server.url,
                "registrationId": registration["registrationId"],
                "data": json.dumps(payload),
            },
        )
        shown = _eventually(
            page,
            """navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list =>
                list.length ? list.map(n => ({title: n.title, body: n.body, tag: n.tag,
                                              url: n.data.url})) : null)""",
        )
        if shown:
            break
    assert shown == [payload]


def _keep_a_log_offline(page: Page, live_server: Any, symptom: str) -> None:
    page.goto(f"{live_server.url}/log/")
    _wait_for_worker(page)
    page.reload()
    page.context.set_offline(True)
    page.locator(f'label[for="pick_{symptom}"]').click()
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.locator("#offline-status").get_by_text(KEPT)).to_be_visible()


def test_signing_out_sends_a_kept_log_first_or_asks_before_it_is_lost(
    page: Page, live_server: Any
) -> None:
    """Signing out clears the site's storage on this phone, so a log kept offline is sent
    first when the network is back; with no network the patient is asked, and may stay."""
    patient = make_patient(email="alice@example.org", name="Alice Smith", sites=["brain"])
    log_in(page, live_server.url, "alice@example.org")

    # No network: asked; saying no keeps them signed in with the log still on the phone.
    _keep_a_log_offline(page, live_server, "confusion")
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Log out").click()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not asked and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert asked and "has not been sent yet" in asked[0]
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    assert page.evaluate(KEPT_COUNT) == 1
    assert _logs(patient) == []

    # The network is back: once signed out, the log is on the server (sent by the sign-out, or
    # by the page or the worker on their own when the network returned; never lost).
    page.context.set_offline(False)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    logs = _wait_for_logs(patient, 1)
    assert [entry.symptom_id for entry in logs[0].entries.all()] == ["confusion"]

"""Urgent advice at once, in a real browser on a phone (390x844): a patient saves an emergency
red-flag symptom and the very next page tells them to call the emergency number."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import make_patient
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser


def test_saving_a_seizure_shows_the_emergency_banner_at_once(
    page: Page, live_server: Any, axe: Axe, settings: Any
) -> None:
    settings.EMERGENCY_NUMBER = "999"
    make_patient(email="alice@example.org", name="Alice Smith", sites=["bone", "brain"])
    log_in(page, live_server.url, "alice@example.org")

    page.goto(f"{live_server.url}/log/")
    page.locator('label[for="pick_seizure"]').click()
    expect(page.locator("#id_seizure")).to_contain_text("Please call 999")
    page.get_by_role("button", name="Save", exact=True).last.click()

    page.wait_for_url(f"{live_server.url}/log/")
    banner = page.get_by_role("alert").filter(has_text="emergency department")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("heading", level=2)).to_have_text(
        "Call 999 or go to the emergency department now"
    )
    expect(banner).to_contain_text("Seizure (fit)")
    expect(banner.get_by_role("link", name="Call 999 now")).to_have_attribute("href", "tel:999")
    expect(page.get_by_role("status")).to_contain_text("Thank you — today is saved")
    assert banner.bounding_box()["y"] < page.get_by_role("status").bounding_box()["y"]
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    # The patient's next stop: the page of things to raise, from the saved card.
    page.get_by_role("link", name="Things to raise with your care team").click()
    page.wait_for_url(f"{live_server.url}/questions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("To raise with your care team")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)


def test_a_patient_answers_the_urgent_banner_on_a_phone(
    page: Page, live_server: Any, axe: Axe, settings: Any
) -> None:
    """The day after a fever: home shows the advice at the top, with the number; the patient taps
    "I have called my care team" and the banner says so, with the time."""
    from flags.tests.factories import FlagFactory

    settings.EMERGENCY_NUMBER = "999"
    settings.CARE_TEAM_24H_LINE = "0800 123 4567"
    patient = make_patient(email="cara@example.org", name="Cara Jones", sites=["bone"])
    flag = FlagFactory(
        patient=patient,
        rule="fever",
        subject="fever",
        title="A temperature of 38.4 °C",
        explanation="A fever during treatment can be serious.",
        advice="Call your care team's 24-hour line now.",
    )
    log_in(page, live_server.url, "cara@example.org")

    page.goto(f"{live_server.url}/")
    banner = page.get_by_role("alert").filter(has_text="24-hour line")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("A temperature of 38.4 °C")
    expect(banner.get_by_role("link", name="Call 0800 123 4567 now")).to_have_attribute(
        "href", "tel:08001234567"
    )
    assert banner.bounding_box()["y"] < page.get_by_role("heading", level=1).bounding_box()["y"]
    expect(page.get_by_text("nothing else to do")).to_have_count(0)
    assert_accessible(axe, page)

    banner.get_by_role("button", name="I have called my care team").click()

    page.wait_for_url(f"{live_server.url}/#attention")
    banner = page.get_by_role("alert").filter(has_text="A temperature of 38.4 °C")
    expect(banner.get_by_role("heading", level=2)).to_have_text("What you told us")
    expect(banner).to_contain_text("You told us you called your team at ")
    expect(banner).to_contain_text("If things get worse, call 999.")
    expect(banner.get_by_role("button", name="I have called my care team")).to_have_attribute(
        "aria-pressed", "true"
    )
    flag.refresh_from_db()
    assert flag.patient_response == "called_team" and flag.status == "open"
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

"""Real-browser checks of the settings page's phone and time-zone search (with and without
JavaScript) and of the visit summary on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from accounts.models import PatientProfile
from accounts.tests.factories import make_patient
from mbc_tracker.tests.browser import (
    PHONE,
    _open_page,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
)
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.browser


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    yield from _open_page(browser, {**PHONE, "java_script_enabled": False})


def _find_and_save_auckland(page: Page, url: str) -> None:
    log_in(page, url, "cara@example.org")
    page.goto(f"{url}/settings/")
    page.get_by_label("Search all time zones by city or country").fill("auckland")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/settings/?tz=auckland*")
    expect(page.get_by_label("Your time zone")).to_have_value("Pacific/Auckland")
    expect(page.get_by_role("status").filter(has_text="We found 1 time zone")).to_be_visible()
    page.get_by_label("Phone number (optional)").fill("07911 123456")
    page.get_by_label("Best time to call (optional)").fill("mornings")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_patient_finds_their_time_zone_and_saves_a_phone_number(
    page: Page, page_without_js: Page, live_server: Any, axe: Axe, javascript: bool
) -> None:
    patient = make_patient(email="cara@example.org", name="Cara Jones", timezone="Europe/London")
    browser_page = page if javascript else page_without_js

    _find_and_save_auckland(browser_page, live_server.url)

    profile = PatientProfile.objects.get(pk=patient.pk)
    assert profile.timezone == "Pacific/Auckland"
    assert (str(profile.phone), profile.call_time) == ("+447911123456", "mornings")
    assert_no_horizontal_scroll(browser_page)
    if javascript:
        assert_accessible(axe, browser_page)


def test_the_visit_summary_reads_well_on_a_phone(page: Page, live_server: Any, axe: Axe) -> None:
    patient = make_patient(email="cara@example.org", name="Cara Anne Jones", sites=["bone", "lung"])
    for days_back in range(10):
        log_days_back(patient, days_back, {"bone_pain": 2 + days_back % 5, "cough": 3})

    log_in(page, live_server.url, "cara@example.org")
    page.goto(f"{live_server.url}/summary/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Visit summary")
    expect(page.get_by_text("Cara Anne Jones", exact=True)).to_be_visible()
    expect(page.get_by_role("figure")).to_have_count(2)
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

"""A coordinator edits a patient's details from the record, on a phone (390x844) and a desktop:
the page passes axe with and without errors, never scrolls sideways, and the record then shows
the new values."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser
NURSE = "nurse@example.org"


def test_a_coordinator_edits_a_patients_details(
    page: Page, desktop_page: Page, live_server: Any, axe: Axe
) -> None:
    team = CareTeamFactory(name="North Breast Unit")
    CoordinatorFactory(email=NURSE, name="Nora Nurse", teams=[team])
    cara = make_patient(name="Cara Jones", care_team=team, sites=["bone"])

    phone = page  # 390x844
    log_in(phone, live_server.url, NURSE)
    phone.goto(f"{live_server.url}/patients/{cara.pk}/")
    expect(phone.locator("#profile-heading").locator("..")).to_contain_text("Not recorded")
    phone.get_by_role("link", name="Edit details of Cara Jones").click()
    phone.wait_for_url(f"{live_server.url}/patients/{cara.pk}/edit/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Cara\u2019s details")
    assert_accessible(axe, phone)
    assert_no_horizontal_scroll(phone)

    # A number nobody can call: nothing is saved, and the page says why.
    phone.get_by_label("Phone number").fill("12345")
    phone.get_by_label("Current treatment").fill("Letrozole and palbociclib")
    phone.get_by_role("button", name="Save details").click()
    expect(phone.get_by_role("alert")).to_contain_text("Nothing is saved yet")
    assert_accessible(axe, phone)
    assert_no_horizontal_scroll(phone)

    phone.get_by_label("Phone number").fill("07911 123456")
    phone.get_by_label("HER2").select_option("low")
    phone.get_by_label("Date of birth").fill("1970-03-04")
    phone.get_by_role("button", name="Save details").click()
    phone.wait_for_url(f"{live_server.url}/patients/{cara.pk}/")
    profile = phone.locator("#profile-heading").locator("..")
    expect(profile).to_contain_text("+44 7911 123456")
    expect(profile).to_contain_text("HER2 Low")
    expect(profile).to_contain_text("Letrozole and palbociclib")
    expect(profile).to_contain_text("4 Mar 1970")

    log_in(desktop_page, live_server.url, NURSE)
    desktop_page.goto(f"{live_server.url}/patients/{cara.pk}/edit/")
    expect(desktop_page.get_by_label("Phone number")).to_have_value("+447911123456")
    assert_accessible(axe, desktop_page)

"""In a real browser at 390x844: the scan support page, then a check-in of 8 that shows help at
once. axe finds no serious or critical problems, and nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import make_patient
from appointments.models import ScanCheckIn
from appointments.tests.support_factories import past, upcoming
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser


def test_scan_support_and_a_high_check_in_on_a_phone(page: Page, live_server: Any, axe: Axe):
    patient = make_patient(email="alice@example.org", name="Alice Smith")
    coming = upcoming(patient, kind="ct", in_days=2, location="Imaging, level 1")
    done = past(patient, kind="bone_scan", days_ago=1)
    log_in(page, live_server.url, "alice@example.org")

    page.goto(f"{live_server.url}/appointments/{coming.pk}/support/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Support for your CT scan")
    expect(page.get_by_role("heading", name="Breathe slowly")).to_be_visible()
    expect(page.get_by_text("when and how will I get my results?")).to_be_visible()
    page.get_by_text("Talk to someone").click()  # a collapsed resource opens
    expect(page.get_by_text("you do not have to carry it alone")).to_be_visible()
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/appointments/{done.pk}/check-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How are you feeling?")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Save my answer").click()  # nothing chosen yet
    expect(page.get_by_role("alert")).to_contain_text("Please choose a number from 0")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    page.get_by_role("group", name="How anxious are you feeling?").get_by_role(
        "radio", name="8 of 10, very"
    ).check()
    page.get_by_label("Anything you would like to add? (optional)").fill("Cannot sleep.")
    page.get_by_role("button", name="Save my answer").click()
    expect(
        page.get_by_role("heading", name="You do not have to wait for results alone")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Talk to someone")).to_be_visible()
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    checkin = ScanCheckIn.objects.get()
    assert (checkin.appointment_id, checkin.anxiety, checkin.note) == (done.pk, 8, "Cannot sleep.")

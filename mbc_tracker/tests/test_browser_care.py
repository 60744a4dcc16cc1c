"""The coordinator's triage panel in a real browser: acknowledging an urgent flag on a patient's
record moves them down the panel, and a panel left open on a phone (390x844) reorders itself
(htmx polling) without losing its scroll position. axe checks at desktop and phone sizes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from flags.tests.factories import FlagFactory
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser
NURSE = "nurse@example.org"


def _row_names(page: Page) -> list[str]:
    return page.locator("#triage-panel tbody th[scope=row] a").all_inner_texts()


def test_acknowledging_an_urgent_flag_reorders_the_panel(
    page: Page, desktop_page: Page, live_server: Any, axe: Axe, settings: Any
) -> None:
    settings.CARE_PANEL_REFRESH_SECONDS = 1
    team = CareTeamFactory(name="North Breast Unit")
    CoordinatorFactory(email=NURSE, name="Nora Nurse", teams=[team])
    amy = make_patient(name="Amy Early", care_team=team, sites=["brain"])
    ben = make_patient(name="Ben Later", care_team=team, sites=["bone"])
    FlagFactory(
        patient=amy,
        rule="red_flag",
        subject="seizure",
        title="Seizure (fit): get emergency help now",
        age=dt.timedelta(hours=3),
    )
    FlagFactory(
        patient=ben,
        rule="fever",
        title="Temperature of 38 °C or more",
        age=dt.timedelta(minutes=10),
    )
    for number in range(14):  # enough quiet patients for the phone page to scroll
        make_patient(name=f"Quiet Patient {number:02d}", care_team=team)

    # A phone with the panel open, before anything changes.
    phone = page  # 390x844
    log_in(phone, live_server.url, NURSE)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your patients")
    assert _row_names(phone)[:3] == ["Amy Early", "Ben Later", "Quiet Patient 00"]
    assert_accessible(axe, phone)
    assert_no_horizontal_scroll(phone)
    phone.evaluate("window.scrollTo(0, 400)")
    scrolled = phone.evaluate("window.scrollY")
    assert scrolled > 0

    # The desktop: the same panel, then Amy's record, acknowledged in one step.
    log_in(desktop_page, live_server.url, NURSE)
    assert _row_names(desktop_page)[:2] == ["Amy Early", "Ben Later"]
    expect(desktop_page.locator("#triage-panel tbody tr").first).to_contain_text(
        "Urgent, waiting for a call"
    )
    assert_accessible(axe, desktop_page)
    desktop_page.get_by_role("link", name="Amy Early").click()
    desktop_page.wait_for_url(f"{live_server.url}/patients/{amy.pk}/")
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Amy Early")
    assert_accessible(axe, desktop_page)
    desktop_page.get_by_label("Note (optional)").fill("Called Amy; her partner is driving her in.")
    # Staff pages name the flag in staff words (the stored title speaks to the patient).
    desktop_page.get_by_role(
        "button", name="Acknowledge flag: Red-flag symptom: Seizure (fit)"
    ).click()
    expect(desktop_page.get_by_role("status")).to_contain_text(
        "Seizure (fit) for Amy Early: acknowledged."
    )
    expect(desktop_page.locator("#flags")).to_contain_text("Acknowledged by Nora Nurse")
    desktop_page.get_by_role("link", name="Back to your patients").click()
    desktop_page.wait_for_url(f"{live_server.url}/patients/")
    assert _row_names(desktop_page)[:2] == ["Ben Later", "Amy Early"]
    expect(desktop_page.locator("#triage-panel tbody tr").nth(1)).to_contain_text(
        "Urgent, acknowledged"
    )

    # The phone's panel reorders itself, and the page stays where it was scrolled to.
    expect(phone.locator("#triage-panel tbody th[scope=row] a").first).to_have_text("Ben Later")
    assert _row_names(phone)[:2] == ["Ben Later", "Amy Early"]
    assert phone.evaluate("window.scrollY") == scrolled
    assert_accessible(axe, phone)

    # The record reads on a phone too: no sideways scrolling, nothing for axe to flag.
    phone.get_by_role("link", name="Ben Later").click()
    phone.wait_for_url(f"{live_server.url}/patients/{ben.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ben Later")
    expect(phone.locator("#flags")).to_contain_text("Fever")  # staff words for the flag
    assert_accessible(axe, phone)
    assert_no_horizontal_scroll(phone)

"""Real-browser checks: people log in on a phone or a desktop and the pages pass axe.

Fixtures and helpers come from mbc_tracker/tests/browser.py (Debian's Chromium, never
downloaded: if it is missing these tests fail, they do not skip).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in
from symptoms.models import DailyLog

pytestmark = pytest.mark.browser


def test_patient_logs_in_on_a_phone_and_sees_their_overview(
    page: Page, live_server: Any, axe: Axe
) -> None:
    make_patient(
        email="alice@example.org",
        name="Alice Smith",
        care_team=CareTeamFactory(name="Riverside Breast Unit"),
        sites=["bone", "liver"],
    )

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    log_in(page, live_server.url, "alice@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Riverside Breast Unit")
    expect(main).to_contain_text("Bone, Liver")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.wait_for_url(f"{live_server.url}/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)


def test_coordinator_sees_their_patient_on_a_desktop(
    desktop_page: Page, live_server: Any, axe: Axe
) -> None:
    team = CareTeamFactory(name="Riverside Breast Unit")
    make_patient(email="bella@example.org", name="Bella Jones", care_team=team)
    CoordinatorFactory(email="coordinator@example.org", teams=[team])

    log_in(desktop_page, live_server.url, "coordinator@example.org")
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Your patients")
    panel = desktop_page.get_by_role("table", name="Patients you look after")
    expect(panel.get_by_role("rowheader", name="Bella Jones")).to_be_visible()
    assert_accessible(axe, desktop_page)


def test_patient_logs_a_usual_day_in_two_taps_and_a_bad_day_then_sees_history_on_a_phone(
    page: Page, live_server: Any, axe: Axe
) -> None:
    patient = make_patient(email="alice@example.org", name="Alice Smith", sites=["bone"])
    yesterday = patient.patient_profile.local_today() - dt.timedelta(days=1)
    log_in(page, live_server.url, "alice@example.org")

    # A normal day: two taps from the home page.
    page.get_by_role("link", name="Log how you feel today").click()  # tap 1
    page.wait_for_url(f"{live_server.url}/log/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today, ")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="I feel as usual").click()  # tap 2
    expect(page.get_by_role("status")).to_contain_text("Thank you — today is saved")
    expect(page.get_by_role("heading", name="Today is saved")).to_be_visible()
    log = DailyLog.objects.get(patient=patient)
    assert (log.date, log.entries.count()) == (patient.patient_profile.local_today(), 0)

    # A bad day (yesterday): three symptoms, each of a different kind of answer.
    page.get_by_role("navigation", name="Other days").get_by_role("link").nth(-2).click()
    page.wait_for_url(f"{live_server.url}/log/{yesterday.isoformat()}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Yesterday, ")
    page.locator('label[for="pick_bone_pain"]').click()
    page.get_by_role("group", name="Bone pain: how bad").get_by_role("radio", name="7").check()
    page.locator('label[for="pick_nausea"]').click()
    page.get_by_role("group", name="Nausea or vomiting: how bad").get_by_role(
        "radio", name="5"
    ).check()
    page.get_by_label("Temperature").fill("38.4")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.get_by_role("status")).to_contain_text("Thank you — yesterday is saved")
    expect(page.get_by_role("alert")).to_contain_text("Call your care team's 24-hour line now")
    expect(page.locator('input[name="bone_pain"][value="7"]')).to_be_checked()
    bad_day = DailyLog.objects.get(patient=patient, date=yesterday)
    assert {e.symptom_id: float(e.value) for e in bad_day.entries.all()} == {
        "bone_pain": 7.0,
        "nausea": 5.0,
        "fever": 38.4,
    }

    # History shows all three.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    page.wait_for_url(f"{live_server.url}/history/")
    for name in ("Bone pain", "Nausea or vomiting", "Temperature"):
        expect(page.get_by_role("img", name=f"{name}: chart of the last 30 days")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Highest 7 (severe)")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

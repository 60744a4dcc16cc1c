"""A coordinator sets up two-step sign-in in a real browser, as with a new authenticator app:
the key is read off the page (as a person types it into their app) and the codes computed from
it as the app does. Then signs out and in again with a code.
"""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, CareTeamFactory, CoordinatorFactory, make_patient
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


def code_from_key(key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key now (or a step later)."""
    totp = TOTP(b32decode(key.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_a_coordinator_sets_up_an_app_then_signs_in_with_it(
    page: Page, live_server: Any, axe: Axe
) -> None:
    team = CareTeamFactory(name="Riverside Breast Unit")
    make_patient(email="bella@example.org", name="Bella Jones", care_team=team)
    CoordinatorFactory(email="nurse@example.org", teams=[team])
    url = live_server.url

    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email address", exact=True).fill("nurse@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/accounts/two-step/set-up/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("img", name="QR code to scan")).to_be_visible()
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    # Nothing else opens before the app is confirmed.
    page.goto(f"{url}/patients/")
    page.wait_for_url(f"{url}/accounts/two-step/set-up/**")

    key = page.locator("#secret-key").inner_text()
    assert len(key.split()) == 8
    page.get_by_label("6-digit code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("That code did not match")).to_be_visible()
    time.sleep(1.1)  # a wrong code makes the next try wait a second
    page.get_by_label("6-digit code from the app").fill(code_from_key(key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    page.wait_for_url(f"{url}/accounts/two-step/recovery-codes/**")
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="I have kept them safe: continue").click()
    page.wait_for_url(f"{url}/patients/")
    expect(page.get_by_role("rowheader", name="Bella Jones")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Email address", exact=True).fill("nurse@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/accounts/two-step/code/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    # The code used to set up was this 30-second step's: the app's next one is accepted.
    page.get_by_label("6-digit code", exact=True).fill(code_from_key(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your patients")

"""Signing in on a phone in a real browser: "Show password" (added by a small script, absent
without JavaScript), "Keep me signed in on this phone", and a sign-out that leaves nothing of
the site on the phone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from accounts.tests.factories import PASSWORD, make_patient
from mbc_tracker.tests.browser import (
    PHONE,
    _open_page,
    assert_accessible,
    assert_no_horizontal_scroll,
)

pytestmark = pytest.mark.browser
DAY_SECONDS = 24 * 60 * 60


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    yield from _open_page(browser, {**PHONE, "java_script_enabled": False})


def session_cookie(page: Page) -> dict[str, Any]:
    return next(c for c in page.context.cookies() if c["name"] == "sessionid")


def test_show_password_then_stay_signed_in_for_30_days(
    page: Page, live_server: Any, axe: Axe
) -> None:
    make_patient(email="dora@example.org", name="Dora Smith")
    url = live_server.url
    page.goto(f"{url}/accounts/login/")
    password = page.get_by_label("Password", exact=True)
    show = page.get_by_role("checkbox", name="Show password")
    expect(show).not_to_be_checked()
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    page.get_by_label("Email address", exact=True).fill("dora@example.org")
    password.fill(PASSWORD)
    expect(password).to_have_attribute("type", "password")
    show.check()
    expect(password).to_have_attribute("type", "text")
    expect(password).to_have_value(PASSWORD)
    assert_accessible(axe, page)
    show.uncheck()
    expect(password).to_have_attribute("type", "password")
    show.check()  # left showing: sending the form hides it again

    page.get_by_label("Keep me signed in on this phone").check()
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/")
    lasts = session_cookie(page)["expires"] - time.time()
    assert 30 * DAY_SECONDS - 120 < lasts <= 30 * DAY_SECONDS

    # Changing the password: one box shows all three.
    page.goto(f"{url}/accounts/password_change/")
    boxes = page.locator("input[type=password]")
    expect(boxes).to_have_count(3)
    page.get_by_role("checkbox", name="Show passwords").check()
    expect(page.locator("form input[type=password]")).to_have_count(0)
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)


def test_without_ticking_the_session_ends_with_the_browser(page: Page, live_server: Any) -> None:
    make_patient(email="dora@example.org", name="Dora Smith")
    url = live_server.url
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email address", exact=True).fill("dora@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/")
    assert session_cookie(page)["expires"] == -1  # a browser-session cookie


def test_without_javascript_there_is_no_toggle_and_sign_in_works(
    page_without_js: Page, live_server: Any
) -> None:
    make_patient(email="dora@example.org", name="Dora Smith")
    url = live_server.url
    page = page_without_js
    page.goto(f"{url}/accounts/login/")
    expect(page.get_by_role("checkbox", name="Show password")).to_have_count(0)
    page.get_by_label("Email address", exact=True).fill("dora@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Keep me signed in on this phone").check()
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dora")


def test_logging_out_clears_what_the_site_kept_on_the_phone(page: Page, live_server: Any) -> None:
    make_patient(email="dora@example.org", name="Dora Smith")
    url = live_server.url
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email address", exact=True).fill("dora@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Keep me signed in on this phone").check()
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/")
    page.evaluate("localStorage.setItem('draft', 'a day of symptoms')")
    page.evaluate("caches.open('pages').then(c => c.put('/x', new Response('kept')))")
    assert "pages" in page.evaluate("caches.keys()")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{url}/accounts/login/")
    assert page.evaluate("localStorage.getItem('draft')") is None
    # The login page may start the service worker again: it keeps only the app's shell.
    assert "pages" not in page.evaluate("caches.keys()")
    assert page.evaluate("caches.match('/x').then(hit => !!hit)") is False

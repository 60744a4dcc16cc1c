"""Shared browser-test set-up (a pytest plugin, loaded from the root conftest.py): fixtures
``browser``, ``page`` (390x844 phone) and ``desktop_page``, ``axe``, and helpers.

Drives Debian's Chromium (/usr/bin/chromium) headless through Playwright's sync API against
pytest-django's live server. Browsers are never downloaded: if Chromium is missing these tests
fail, they do not skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accounts.models import Role, User
from accounts.tests.factories import PASSWORD, app_code, authenticator_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_WIDTH = 390
# The app serves people in the UK: the browser asks for British English and keeps UK time.
LOCALE = {"locale": "en-GB", "timezone_id": "Europe/London"}
PHONE = {
    **LOCALE,
    "viewport": {"width": PHONE_WIDTH, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {**LOCALE, "viewport": {"width": 1280, "height": 800}}
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000


@pytest.fixture
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
    make (factories) happen between browser steps, never concurrently with them."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser(
    _allow_orm_beside_playwright: None,
    transactional_db: None,
    django_db_serialized_rollback: None,
) -> Iterator[Browser]:
    """A browser per test, started after the test's database is ready: Playwright's event loop
    gives later code a different database connection, so the database must come first."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # Database work done by the test while Playwright ran used a connection of its own.
        connections.close_all()


def _open_page(browser: Browser, context_options: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page (390x844, touch, double-density pixels) with its own cookies."""
    yield from _open_page(browser, PHONE)


@pytest.fixture
def desktop_page(browser: Browser) -> Iterator[Page]:
    """A fresh desktop-sized page (1280x800) with its own cookies."""
    yield from _open_page(browser, DESKTOP)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def assert_accessible(axe: Axe, page: Page) -> None:
    """No serious or critical axe violations on the page as it stands."""
    violations = axe.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    details = "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe found problems on {page.url}:\n{details}"


def assert_no_horizontal_scroll(page: Page, width: int = PHONE_WIDTH) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px > {width}px"


def log_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the form. Staff then type the code their authenticator app shows (an
    app set up beforehand, its code computed from the device's secret as the app does)."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    user = User.objects.get(email__iexact=email)
    if user.role != Role.PATIENT:
        device = authenticator_for(user)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base_url}/accounts/two-step/code/**")
        page.get_by_label("6-digit code", exact=True).fill(app_code(device))
        page.get_by_role("button", name="Continue").click()
    else:
        page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")

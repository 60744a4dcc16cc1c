"""Real-browser checks: people log in on a phone or a desktop and the pages pass axe.

Drives Debian's Chromium (/usr/bin/chromium) headless through Playwright's sync API against
pytest-django's live server. Browsers are never downloaded: if Chromium is missing these tests
fail, they do not skip.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accounts.tests.factories import PASSWORD, CareTeamFactory, CoordinatorFactory, make_patient
from symptoms.models import DailyLog

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module", autouse=True)
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


@pytest.fixture(scope="module")
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
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


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
    page.get_by_role("group", name="Bone pain", exact=True).get_by_role(
        "radio", name="7 of 10, severe"
    ).check()
    page.get_by_role("group", name="Nausea or vomiting", exact=True).get_by_role(
        "radio", name="5 of 10, moderate"
    ).check()
    page.get_by_label("Temperature").fill("38.4")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.get_by_role("status")).to_contain_text("Thank you — yesterday is saved")
    expect(page.get_by_text("Please call your care team's 24-hour line now")).to_be_visible()
    expect(page.get_by_role("radio", name="7 of 10, severe").first).to_be_checked()
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

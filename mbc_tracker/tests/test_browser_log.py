"""A bad day on a phone (390x844), with and without JavaScript: three symptoms (one outside the
patient's own sites) and a temperature typed with a decimal comma, logged from the home page's
"Log how you feel today" within 2 screens of scrolling and 8 taps, and stored as typed.

How the budget is measured: every tap goes through ``Budget.tap``, which counts it and, like a
thumb, first scrolls the page only as far as needed to bring the target fully into view above
the sticky Save bar (``window.scrollBy``). After every step the page's scroll position is read, and
the distance between consecutive positions is added up, so scrolling done by the browser itself
(focus, Playwright's own scrolling) is counted as well. Typing into a focused box is not a tap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.tests.factories import make_patient
from mbc_tracker.tests.browser import (
    PHONE,
    TIMEOUT_MS,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
)
from symptoms.models import DailyLog

pytestmark = pytest.mark.browser

SCREEN = PHONE["viewport"]["height"]
MAX_SCROLL = 2 * SCREEN
MAX_TAPS = 8
MARGIN = 8  # a thumb leaves a little room around what it taps


@dataclass
class Budget:
    page: Page
    taps: int = 0
    scrolled: float = 0.0
    deepest: float = 0.0
    last_y: float = 0.0
    steps: list[str] = field(default_factory=list)

    def scroll_y(self) -> float:
        return -self.page.locator("html").bounding_box()["y"]

    def note_scroll(self) -> None:
        y = self.scroll_y()
        self.scrolled += abs(y - self.last_y)
        self.deepest = max(self.deepest, y)
        self.last_y = y

    def start(self) -> None:
        """A new page: its scroll position starts again at the top."""
        self.last_y = self.scroll_y()

    def _visible_bottom(self) -> float:
        bar = self.page.locator(".save-bar")
        if bar.count():
            box = bar.bounding_box()
            if box and box["y"] < SCREEN:
                return box["y"]
        return SCREEN

    def bring_into_view(self, target: Locator, *, in_save_bar: bool = False) -> None:
        box = target.bounding_box()
        assert box is not None, f"{target} is not on the page"
        top, bottom = box["y"], box["y"] + box["height"]
        visible_bottom = SCREEN if in_save_bar else self._visible_bottom()
        if top < 0:
            delta = top - MARGIN
        elif bottom > visible_bottom:
            delta = bottom - visible_bottom + MARGIN
        else:
            return
        self.page.evaluate("delta => window.scrollBy(0, delta)", delta)
        self.note_scroll()

    def tap(self, target: Locator, what: str, *, in_save_bar: bool = False) -> None:
        self.bring_into_view(target, in_save_bar=in_save_bar)
        self.note_scroll()
        target.click()
        self.taps += 1
        self.steps.append(f"{what} @{self.last_y:.0f}")
        if not in_save_bar:  # Save loads the next page: its scroll position is not a move
            self.note_scroll()

    def reveal(self, target: Locator) -> None:
        """Scroll (no tap) so an answer's feedback can be read."""
        self.bring_into_view(target)


def chip(page: Page, name: str) -> Locator:
    return page.locator("label.chip").filter(has_text=re.compile(f"^{re.escape(name)}$"))


def score(page: Page, symptom: str, value: int) -> Locator:
    group = page.get_by_role("group", name=f"{symptom}: how bad, from 1 to 10?")
    return group.locator("label").filter(has=page.get_by_role("radio", name=str(value), exact=True))


def log_the_bad_day(page: Page, live_server: Any, axe: Axe, *, javascript: bool) -> Budget:
    def check_accessible() -> None:
        # axe runs inside the page and needs its timers: only with JavaScript on. The markup is
        # the same either way (scripts only add classes and filter).
        if javascript:
            assert_accessible(axe, page)

    patient = make_patient(email="cara@example.org", name="Cara Jones", sites=["brain", "lung"])
    log_in(page, live_server.url, "cara@example.org")
    budget = Budget(page)

    page.get_by_role("link", name="Log how you feel today").click()  # from home: not counted
    page.wait_for_url(f"{live_server.url}/log/")
    budget.start()
    check_accessible()
    assert_no_horizontal_scroll(page)

    # The temperature box is near the top; "38,4" is typed as a patient in Berlin would.
    temperature = page.get_by_label("Temperature (°C)")
    budget.tap(temperature, "focus the temperature box")
    page.keyboard.type("38,4")  # typing is not a tap
    fever = page.locator(".fb-fever")
    expect(fever).to_be_visible()
    expect(fever).to_contain_text("call your care team\u2019s 24-hour line now")

    # Two symptoms of her own sites, then one outside them (bone), each chip then its score.
    budget.tap(chip(page, "Headache"), "choose Headache")
    budget.tap(score(page, "Headache", 5), "Headache 5")
    headache = page.get_by_role("group", name="Headache: how bad, from 1 to 10?")
    expect(headache.locator(".fb")).to_be_hidden()  # 5 is not severe: no alarm

    budget.tap(chip(page, "Cough"), "choose Cough")
    budget.tap(score(page, "Cough", 4), "Cough 4")

    budget.tap(chip(page, "Bone pain"), "choose Bone pain")
    budget.tap(score(page, "Bone pain", 8), "Bone pain 8")
    bone = page.get_by_role("group", name="Bone pain: how bad, from 1 to 10?")
    feedback = bone.locator(".fb")
    budget.reveal(feedback)
    expect(feedback).to_be_visible()
    expect(feedback).to_contain_text("We will raise this with your care team")
    check_accessible()
    assert_no_horizontal_scroll(page)

    budget.tap(page.get_by_role("button", name="Save", exact=True), "Save", in_save_bar=True)
    page.wait_for_url(f"{live_server.url}/log/")
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_contain_text(
        "today is saved"
    )
    expect(page.get_by_role("alert").first).to_contain_text("24-hour line")
    check_accessible()

    log = DailyLog.objects.get(patient=patient)
    assert {entry.symptom_id: entry.value for entry in log.entries.all()} == {
        "headache": 5,
        "cough": 4,
        "bone_pain": 8,
        "fever": Decimal("38.4"),
    }
    print(
        f"\nbad day on a phone, JavaScript {'on' if javascript else 'off'}: "
        f"{budget.taps} taps after 'Log how you feel today' ({', '.join(budget.steps)}); "
        f"scrolled {budget.scrolled:.0f} px in all (deepest {budget.deepest:.0f} px), "
        f"budget {MAX_SCROLL} px and {MAX_TAPS} taps"
    )
    assert budget.taps <= MAX_TAPS
    assert budget.scrolled <= MAX_SCROLL
    return budget


def test_a_bad_day_fits_two_screens_and_eight_taps(page: Page, live_server: Any, axe: Axe) -> None:
    log_the_bad_day(page, live_server, axe, javascript=True)


def test_a_bad_day_fits_without_javascript(browser: Browser, live_server: Any, axe: Axe) -> None:
    context = browser.new_context(**PHONE, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        log_the_bad_day(context.new_page(), live_server, axe, javascript=False)
    finally:
        context.close()


def test_the_finder_filters_as_you_type_and_the_fever_advice_reads_the_number(
    page: Page, live_server: Any, axe: Axe
) -> None:
    make_patient(email="cara@example.org", name="Cara Jones", sites=["brain", "lung"])
    log_in(page, live_server.url, "cara@example.org")
    page.goto(f"{live_server.url}/log/")

    chip(page, "Headache").click()
    page.get_by_label("Find a symptom").fill("bone")
    expect(chip(page, "Bone pain")).to_be_visible()
    expect(chip(page, "Headache")).to_be_visible()  # chosen: never hidden
    expect(chip(page, "Cough")).to_be_hidden()
    expect(page.get_by_role("heading", name="Lung")).to_be_hidden()
    expect(page.locator("#finder-status")).to_have_text("Showing what matches \u201cbone\u201d.")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Show all symptoms").click()
    expect(chip(page, "Cough")).to_be_visible()
    assert page.url == f"{live_server.url}/log/"  # filtered in the page, no round trip

    temperature = page.get_by_label("Temperature (°C)")
    fever = page.locator(".fb-fever")
    temperature.fill("37,9")
    expect(fever).to_be_hidden()
    temperature.fill("38,0")
    expect(fever).to_be_visible()
    temperature.fill("37.95")  # not a fever, and refused on save for its two decimals
    expect(fever).to_be_hidden()

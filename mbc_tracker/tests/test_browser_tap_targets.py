"""Every tap target on the patient's pages is at least 44 x 44 CSS pixels on a 390 x 844 phone
(WCAG 2.5.5, and 2.5.8's inline exception kept narrow).

The rule, measured in the browser on each page as it stands:
- Targets: every visible ``a[href]``, ``button``, ``summary``, ``select``, ``textarea``, text-like
  ``input`` and ``input[type=submit|button]``; for a radio button or checkbox, the ``label`` the
  patient taps (the box itself may be hidden inside it). Visible: laid out, not
  ``visibility: hidden``, larger than 1 x 1 (screen-reader-only text is not a target), and not
  pushed off-screen sideways (the skip link until it has focus).
- Each target's bounding box must be at least 44 px wide and 44 px tall.
- The one exception, links in running text: an ``a`` whose computed display is ``inline`` and
  whose nearest non-inline ancestor is a ``p`` or ``li`` with words of its own outside any link
  or button (a sentence such as "call the 24-hour line on 0800 ..."). A link alone in its ``p``
  or ``li`` (a menu), a link in a heading, a link styled as a block or button, and anything in
  the page footer (help, log out, the emergency numbers) get no exception.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page

from accounts.tests.factories import make_patient
from appointments import services as appointments
from mbc_tracker.tests.browser import assert_accessible, log_in
from notifications.models import Kind
from notifications.tests.factories import message_pair
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.browser

MIN_PX = 44

# Returns the targets smaller than MIN_PX on the page, described for the failure message.
SMALL_TARGETS_JS = """
(min) => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden"
      && box.width > 1 && box.height > 1 && box.right > 0 && box.left < window.innerWidth;
  };
  const ownWords = (block) => {
    const copy = block.cloneNode(true);
    copy.querySelectorAll("a, button, .visually-hidden").forEach((el) => el.remove());
    return /[A-Za-z]{2,}/.test(copy.textContent);
  };
  const inRunningText = (el) => {
    if (el.tagName !== "A" || el.closest(".site-footer")) return false;
    if (getComputedStyle(el).display !== "inline") return false;
    let block = el.parentElement;  // the nearest ancestor that is not itself inline
    while (block && getComputedStyle(block).display === "inline") block = block.parentElement;
    return block !== null && ["P", "LI"].includes(block.tagName) && ownWords(block);
  };
  const targets = new Set();
  const selector = "a[href], button, summary, select, textarea, input:not([type=hidden])";
  for (const el of document.querySelectorAll(selector)) {
    if (el.matches("input[type=radio], input[type=checkbox]")) {
      const label = el.closest("label") || document.querySelector(`label[for="${el.id}"]`);
      targets.add(el.id || el.closest("label") ? label || el : el);
    } else {
      targets.add(el);
    }
  }
  const small = [];
  let measured = 0;
  for (const el of targets) {
    if (!visible(el) || inRunningText(el)) continue;
    measured += 1;
    const box = el.getBoundingClientRect();
    if (box.width < min - 0.01 || box.height < min - 0.01) {
      const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
      small.push(`<${el.tagName.toLowerCase()} class="${el.className}"> "${text.slice(0, 40)}" `
        + `${box.width.toFixed(0)}x${box.height.toFixed(0)}`);
    }
  }
  return {small, measured};
}
"""


def small_targets(page: Page) -> list[str]:
    found = page.evaluate(SMALL_TARGETS_JS, MIN_PX)
    assert found["measured"] >= 8, f"{page.url}: only {found['measured']} targets measured"
    return found["small"]


def test_every_tap_target_on_the_patients_pages_is_at_least_44_px(
    page: Page, live_server: Any, axe: Axe
) -> None:
    patient = make_patient(email="tess@example.org", name="Tess Tap", sites=["bone", "brain"])
    today = patient.patient_profile.local_today()
    for back in range(1, 6):
        log_day(patient, today - dt.timedelta(days=back), {"bone_pain": 2 + back % 3})
    scan = appointments.appointment_create(
        patient=patient, kind="ct", starts_at=timezone.now() + dt.timedelta(days=9), created_by=None
    )
    message_pair(
        patient,
        key="sent-reminder",
        status="sent",
        kind=Kind.APPOINTMENT_REMINDER,
        link=f"/appointments/{scan.pk}/",
        due_at=timezone.now() - dt.timedelta(hours=1),
    )
    message_pair(patient, key="second", status="sent", link="/log/")

    log_in(page, live_server.url, "tess@example.org")
    paths = [
        "/",
        "/log/",
        f"/log/{(today - dt.timedelta(days=2)).isoformat()}/",
        "/history/",
        "/questions/",
        "/appointments/",
        "/appointments/new/",
        f"/appointments/{scan.pk}/",
        f"/appointments/{scan.pk}/support/",
        "/notifications/",
        "/settings/",
        "/resources/",
    ]
    problems: dict[str, list[str]] = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        # What opens is measured open.
        page.evaluate("document.querySelectorAll('details').forEach((el) => { el.open = true; })")
        small = small_targets(page)
        if small:
            problems[path] = small
        assert_accessible(axe, page)
    report = "\n".join(f"{path}:\n  " + "\n  ".join(found) for path, found in problems.items())
    assert not problems, f"Tap targets under {MIN_PX} px:\n{report}"


def test_the_footer_links_are_never_exempt(page: Page, live_server: Any) -> None:
    make_patient(email="fern@example.org")
    log_in(page, live_server.url, "fern@example.org")
    footer = page.locator(".site-footer")
    targets = footer.locator("a[href], button")
    assert targets.count() >= 4  # help, log out, the emergency number, the 24-hour line
    for index in range(targets.count()):
        box = targets.nth(index).bounding_box()
        assert box is not None
        name = targets.nth(index).inner_text()
        assert box["height"] >= MIN_PX and box["width"] >= MIN_PX, (name, box)

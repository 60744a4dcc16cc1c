"""The nurse's call in a real browser (CLINICAL.md, "The urgent loop"): a coordinator sees the
call link for an urgent patient on the panel, opens the record, records "no answer", then
"reached", resolves the flag with a note, and the panel reorders. axe at desktop and 390x844.
Full-page screenshots of the panel and the record go to a temporary folder; their pixel sizes
are printed (run with -s to read them)."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from flags.models import Flag, FlagStatus
from flags.selectors import flag_staff_title
from flags.tests.factories import FlagFactory
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser
NURSE = "nurse.north@example.org"


def _row_names(page: Page) -> list[str]:
    return page.locator("#triage-panel tbody th[scope=row] a").all_inner_texts()


def _screenshot(page: Page, path: Path) -> tuple[int, int]:
    """A full-page screenshot; its size in pixels (read from the PNG header)."""
    data = page.screenshot(path=str(path), full_page=True)
    width, height = struct.unpack(">II", data[16:24])
    print(f"{path.name}: {width}x{height} px")
    return width, height


def test_a_coordinator_calls_records_attempts_and_resolves(
    page: Page, desktop_page: Page, live_server: Any, axe: Axe, tmp_path: Path
) -> None:
    team = CareTeamFactory(name="North Breast Unit")
    CoordinatorFactory(email=NURSE, name="Nora North", teams=[team])
    cara = make_patient(
        name="Cara Okafor",
        care_team=team,
        sites=["brain"],
        timezone="Asia/Kolkata",
        phone="+447911123456",
        call_time="mornings",
    )
    dev = make_patient(name="Dev Shah", care_team=team, sites=["bone"])
    seizure = FlagFactory(
        patient=cara,
        rule="red_flag",
        subject="seizure",
        title="Seizure (fit)",
        age=dt.timedelta(hours=3),
    )
    fever = FlagFactory(
        patient=dev, rule="fever", title="Temperature of 38 °C or more", age=dt.timedelta(hours=1)
    )
    # Staff pages name flags in staff words, not in the words the patient read.
    seizure_title = flag_staff_title(seizure.rule, seizure.subject)
    fever_title = flag_staff_title(fever.rule, fever.subject)
    for number in range(6):
        make_patient(name=f"Quiet Patient {number:02d}", care_team=team)

    # The panel: Cara first, with a one-tap call link, her local time and best time to call.
    desk = desktop_page
    log_in(desk, live_server.url, NURSE)
    assert _row_names(desk)[:2] == ["Cara Okafor", "Dev Shah"]
    first = desk.locator("#triage-panel tbody tr").first
    call = first.get_by_role("link", name="Call +44 7911 123456")
    expect(call).to_have_attribute("href", "tel:+447911123456")
    expect(first).to_contain_text("(Asia/Kolkata) · best time to call: mornings")
    expect(desk.locator("#triage-panel tbody tr").nth(1)).to_contain_text(
        "No phone number recorded."
    )
    assert_accessible(axe, desk)
    _screenshot(desk, tmp_path / "panel-desktop.png")

    # The record: the same link beside the flag, then two calls and a resolution.
    desk.get_by_role("link", name="Cara Okafor", exact=True).click()
    desk.wait_for_url(f"{live_server.url}/patients/{cara.pk}/")
    flag = desk.locator(f"#flag-{seizure.pk}")
    expect(flag.locator('a[href="tel:+447911123456"]')).to_be_visible()
    assert_accessible(axe, desk)

    flag.get_by_label("No answer").check()
    flag.get_by_role("button", name=f"Record the call about {seizure_title}").click()
    expect(desk.get_by_role("status")).to_contain_text(
        f"Call about {seizure_title} for Cara Okafor recorded: no answer."
    )
    flag = desk.locator(f"#flag-{seizure.pk}")
    expect(flag).to_contain_text("Acknowledged by Nora North")  # the first call acknowledges
    flag.get_by_label("Reached the patient").check()
    flag.get_by_label("About the call (optional)").fill("Her son is driving her to A&E.")
    flag.get_by_role("button", name=f"Record the call about {seizure_title}").click()
    expect(desk.get_by_role("status")).to_contain_text("recorded: reached the patient.")
    calls = desk.locator(f"#flag-{seizure.pk} .contact-list li")
    expect(calls).to_have_count(2)
    expect(calls.first).to_contain_text("No answer")
    expect(calls.nth(1)).to_contain_text("Her son is driving her to A&E.")
    expect(desk.locator("#timeline")).to_contain_text(f"Call about {seizure_title}: Reached")
    assert_accessible(axe, desk)
    _screenshot(desk, tmp_path / "record-desktop.png")

    desk.locator(f"#flag-{seizure.pk}").get_by_label("How it was resolved").fill(
        "Seen in A&E; scan booked."
    )
    desk.get_by_role("button", name=f"Resolve flag: {seizure_title}").click()
    resolved = f"{seizure_title} for Cara Okafor: resolved."
    expect(desk.get_by_role("status")).to_contain_text(resolved)
    assert Flag.objects.get(pk=seizure.pk).status == FlagStatus.RESOLVED

    # The panel reorders: Cara is no longer at the top.
    desk.get_by_role("link", name="Back to your patients").click()
    desk.wait_for_url(f"{live_server.url}/patients/")
    names = _row_names(desk)
    assert names[0] == "Dev Shah" and names[0] != "Cara Okafor"

    # On a phone (390x844): the panel and a record read and pass axe; a call is recorded.
    log_in(page, live_server.url, NURSE)
    page.goto(f"{live_server.url}/patients/")
    assert _row_names(page)[0] == "Dev Shah"
    expect(page.locator("#triage-panel tbody tr").first).to_contain_text(
        "No phone number recorded."
    )
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    _screenshot(page, tmp_path / "panel-phone.png")
    page.get_by_role("link", name="Dev Shah", exact=True).click()
    page.get_by_label("Left a message").check()
    page.get_by_role("button", name=f"Record the call about {fever_title}").click()
    expect(page.get_by_role("status")).to_contain_text("recorded: left a message.")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    _screenshot(page, tmp_path / "record-phone.png")

"""Real-browser check of the patient's download on a phone, without any JavaScript of ours:
ask on settings, find the message, open it, download the ZIP."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import CareTeamFactory, make_patient
from exports.models import RecordExport
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.browser


def test_a_patient_asks_for_their_record_and_downloads_it_on_a_phone(
    page: Page, live_server: Any, axe: Axe
) -> None:
    team = CareTeamFactory(name="Riverside Breast Unit")
    patient = make_patient(email="alice@example.org", name="Alice Smith", care_team=team)
    for days in range(3):
        log_days_back(patient, days, {"bone_pain": 3 + days})

    log_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/settings/")
    section = page.get_by_role("region", name="Download your record")
    assert_accessible(axe, page)
    section.get_by_role("button", name="Make a copy of my record").click()
    expect(page.get_by_role("status").first).to_contain_text("We are making a copy")
    # Tests run tasks in-process: the copy was built as soon as the request was saved.
    export = RecordExport.objects.get(patient=patient)
    assert export.status == "ready"

    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Your record is ready to download").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your record")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download your record").click()
    download = info.value
    assert download.suggested_filename.startswith("mbc-tracker-record-")
    with open(download.path(), "rb") as file:
        zipped = zipfile.ZipFile(io.BytesIO(file.read()))
    assert "log_entries.csv" in zipped.namelist()
    export.refresh_from_db()
    assert export.download_count == 1

"""Real-browser check of "Who has looked at your record" on a patient's settings page (phone)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.models import RecordAccess, RecordAccessKind
from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser


def test_patient_sees_who_looked_at_their_record_on_a_phone(
    page: Page, live_server: Any, axe: Axe
) -> None:
    team = CareTeamFactory(name="Riverside Breast Unit")
    patient = make_patient(email="alice@example.org", name="Alice Smith", care_team=team)
    nurse = CoordinatorFactory(email="ann.nurse@example.org", name="Ann Nurse", teams=[team])
    for what in (RecordAccessKind.RECORD, RecordAccessKind.RECORD, RecordAccessKind.FLAGS):
        RecordAccess.objects.create(
            viewer=nurse,
            viewer_name="Ann Nurse",
            viewer_email=nurse.email,
            viewer_role=nurse.role,
            patient=patient,
            what=what,
            path=f"/care/patients/{patient.pk}/",
        )

    log_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/settings/")
    section = page.get_by_role("region", name="Who has looked at your record")
    expect(section.get_by_role("heading", level=2)).to_have_text("Who has looked at your record")
    items = section.get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(section).to_contain_text("Ann Nurse (care coordinator) — Opened your record — twice")
    expect(section).to_contain_text("Ann Nurse (care coordinator) — Looked at your flags — once")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

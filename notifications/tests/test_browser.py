"""The notification centre on a phone: readable at 390 px, no sideways scrolling, axe-clean, and
"Mark as read" works as a plain form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import make_patient
from mbc_tracker.tests import browser as ui
from notifications.models import Status
from notifications.tests.factories import message_pair

pytestmark = pytest.mark.browser


def test_patient_reads_messages_and_sees_what_is_coming_on_a_phone(
    page: Page, live_server: Any, axe: Axe
) -> None:
    patient = make_patient(email="alice@example.org", name="Alice Smith")
    now = timezone.now()
    message_pair(
        patient,
        key="browser:sent",
        status=Status.SENT,
        title="You have an appointment reminder",
        due_at=now - dt.timedelta(hours=2),
    )
    message_pair(
        patient,
        key="browser:planned",
        title="Some support before your appointment",
        due_at=now + dt.timedelta(days=2),
    )

    ui.log_in(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your messages")
    received = page.get_by_role("region", name="Messages")
    expect(received.get_by_role("heading", name="You have an appointment reminder")).to_be_visible()
    expect(received).to_contain_text("New")
    coming = page.get_by_role("region", name="Coming up")
    expect(coming.get_by_role("link", name="Some support before your appointment")).to_be_visible()
    ui.assert_accessible(axe, page)
    ui.assert_no_horizontal_scroll(page)

    received.get_by_role("button", name="Mark as read").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    expect(page.get_by_role("region", name="Messages")).not_to_contain_text("New")
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    ui.assert_accessible(axe, page)

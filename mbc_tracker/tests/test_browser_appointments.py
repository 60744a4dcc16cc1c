"""Real-browser check of booking a scan on a phone: the form, then the appointment with the
reminders we will send, passing axe and without sideways scrolling (fixtures from
mbc_tracker/tests/browser.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import CareTeamFactory, make_patient
from appointments.models import Appointment
from mbc_tracker.tests.browser import assert_accessible, assert_no_horizontal_scroll, log_in
from notifications.models import Channel, Notification

pytestmark = pytest.mark.browser


def test_patient_books_a_ct_scan_on_a_phone_and_sees_its_reminders(
    page: Page, live_server: Any, axe: Axe
) -> None:
    patient = make_patient(
        email="alice@example.org",
        name="Alice Smith",
        care_team=CareTeamFactory(name="Riverside Breast Unit"),
        timezone="Europe/London",
    )
    scan_day = patient.patient_profile.local_today() + dt.timedelta(days=10)
    log_in(page, live_server.url, "alice@example.org")

    page.goto(f"{live_server.url}/appointments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointments")
    expect(page.get_by_role("main")).to_contain_text("Nothing coming up.")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Add an appointment").click()
    page.wait_for_url(f"{live_server.url}/appointments/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an appointment")
    when = page.get_by_role("group", name="When is it?")
    expect(when).to_contain_text("Times are in Europe/London.")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    # First try a day that has passed: the error sits next to the day, nothing is saved.
    page.get_by_label("What is it?").select_option(label="CT scan")
    when.get_by_label("Day").fill((scan_day - dt.timedelta(days=30)).isoformat())
    when.get_by_label("Time").fill("10:30")
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing is saved yet")
    expect(page.get_by_label("Day")).to_have_accessible_description(
        re.compile("This day has already passed. Please choose a day to come.")
    )
    assert not Appointment.objects.exists()
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    page.get_by_label("Day").fill(scan_day.isoformat())
    page.get_by_label("Where (optional)").fill("Riverside Hospital, Imaging department")
    page.get_by_label("How to get ready (optional)").fill("Nothing to eat for 4 hours before.")
    page.get_by_role("button", name="Save the appointment").click()

    page.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/appointments/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CT scan")
    expect(page.get_by_role("status")).to_contain_text("Saved: CT scan")
    expect(page.get_by_role("main")).to_contain_text("10:30 to 11:30 (1 hour)")
    expect(page.get_by_role("main")).to_contain_text("Riverside Hospital, Imaging department")

    reminders = page.get_by_role("region", name="Reminders we will send").get_by_role("listitem")
    expect(reminders).to_have_count(4)
    expect(reminders.nth(0)).to_contain_text("A week before")
    expect(reminders.nth(1)).to_contain_text("2 days before: some support for the wait")
    expect(reminders.nth(2)).to_contain_text("The day before")
    expect(reminders.nth(3)).to_contain_text("The day after: a gentle check-in")
    for item in range(4):
        expect(reminders.nth(item)).to_contain_text("at 09:00")
    support = page.get_by_role("link", name="Support for the wait")
    appointment = Appointment.objects.get()
    expect(support).to_have_attribute("href", f"/appointments/{appointment.pk}/support/")
    assert_accessible(axe, page)
    assert_no_horizontal_scroll(page)

    planned = Notification.objects.filter(
        subject_type="appointment", subject_id=appointment.pk, channel=Channel.IN_APP
    )
    assert sorted(planned.values_list("kind", flat=True)) == [
        "appointment_reminder",
        "appointment_reminder",
        "post_scan_checkin",
        "scan_anxiety",
    ]

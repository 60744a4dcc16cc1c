"""The message centre's "Coming up", with real bookings: a CT and a bone scan on the same day
give one "appointment tomorrow" line (and one line for each other reminder they share), not two;
an email and its in-app twin are one line."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import make_patient
from appointments import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)


def coming_up(patient) -> str:
    client = Client()
    client.force_login(patient)
    page = client.get(reverse("notification_list")).content.decode()
    return page.split('id="upcoming-heading"', 1)[1]


def book(patient, kind: str, day: int, hour: int) -> None:
    services.appointment_create(
        patient=patient,
        kind=kind,
        starts_at=dt.datetime(2026, 12, day, hour, 0, tzinfo=LONDON),
        created_by=None,
        now=NOW,
    )


def test_two_scans_on_one_day_are_one_line_for_each_reminder():
    with time_machine.travel(NOW, tick=False):
        patient = make_patient(timezone="Europe/London")
        book(patient, "ct", 14, 9)
        book(patient, "bone_scan", 14, 13)
        book(patient, "blood_test", 20, 9)
        upcoming = coming_up(patient)

    # Each scan has four reminders, each an email and an in-app row.
    assert Notification.objects.filter(subject_type="appointment").count() == 2 * 4 * 2 + 2 * 2
    assert upcoming.count("You have an appointment tomorrow.") == 2  # the 14th, and the 20th
    assert upcoming.count("You have an appointment coming up next week.") == 2  # 14th and 20th
    assert upcoming.count("Waiting can be hard.") == 1
    assert upcoming.count("A gentle check-in while you wait for results.") == 1
    assert upcoming.count("This is about 2 appointments on the same day.") == 4
    assert upcoming.count('href="/appointments/"') == 4  # the merged lines lead to the list
    assert "/support/" not in upcoming and "/check-in/" not in upcoming

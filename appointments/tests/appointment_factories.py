"""Appointments for the API, page, calendar and permission tests, booked through the service (as
the pages and the API would), on a fixed clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from accounts.models import User
from appointments.models import Appointment
from appointments.services import appointment_create

# A Monday; 13:00 in London (BST). Tests freeze the clock here.
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def local(day: dt.date, hour: int, minute: int = 0, zone: str = "Europe/London") -> dt.datetime:
    """An aware wall-clock time in ``zone``."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(zone))


def book(
    patient: User,
    *,
    kind: str = "ct",
    days: int = 10,
    hour: int = 10,
    minute: int = 30,
    starts_at: dt.datetime | None = None,
    created_by: User | None = None,
    now: dt.datetime = NOW,
    **fields: object,
) -> Appointment:
    """An appointment ``days`` after NOW's date at hour:minute in the patient's own time zone."""
    zone = patient.patient_profile.timezone
    if starts_at is None:
        day = NOW.astimezone(ZoneInfo(zone)).date() + dt.timedelta(days=days)
        starts_at = local(day, hour, minute, zone)
    return appointment_create(
        patient=patient,
        kind=kind,
        starts_at=starts_at,
        created_by=created_by or patient,
        now=now,
        **fields,  # type: ignore[arg-type]
    )

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


# Times near the end of Python's calendar (31 December 9999), as stored before the date rule.
# 23:00 UTC on 30 December 9999 (the reported booking): 13:00 on the 31st in Kiritimati (UTC+14),
# so a scan's check-in the day after falls on a day that cannot be written.
END_OF_CALENDAR = dt.datetime(9999, 12, 30, 23, 0, tzinfo=dt.UTC)
# 12:00 UTC on 31 December 9999: 02:00 on 1 January 10000 in Kiritimati, a local time that cannot
# be written at all.
PAST_THE_CALENDAR = dt.datetime(9999, 12, 31, 12, 0, tzinfo=dt.UTC)
# 23:30 UTC on 31 December 9999: an hour later is after the last instant there is.
LAST_HALF_HOUR = dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC)


def stored(
    patient: User,
    *,
    kind: str = "ct",
    starts_at: dt.datetime = END_OF_CALENDAR,
    **fields: object,
) -> Appointment:
    """An appointment written straight to the table, past the services' rules: a row stored
    before those rules existed (by default at the very end of the calendar)."""
    return Appointment.objects.create(
        patient=patient,
        kind=kind,
        starts_at=starts_at,
        **fields,  # type: ignore[arg-type]
    )

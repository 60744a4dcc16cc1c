"""A patient's appointments as an iCalendar feed (RFC 5545), for phone calendars.

What a phone shows on a lock screen or a shared screen must not give away health details, so
every event is called just "Appointment": never the kind of appointment or its notes. The time,
the place and a link to the details (behind login) are there.

Scheduled and past appointments are CONFIRMED events. Cancelled ones stay in the feed as
STATUS:CANCELLED events with the same UID, so a calendar that already copied one learns that it
is off (rather than keeping a stale copy). Times carry the patient's IANA time zone (TZID) with a
matching VTIMEZONE, so they stay right across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event, vDuration

from appointments.models import Appointment, AppointmentStatus
from lib.clock import later_by, local_time

PRODID = "-//MBC Tracker//Appointments//EN"
CALENDAR_NAME = _("Appointments")
SUMMARY = _("Appointment")
REFRESH = dt.timedelta(hours=6)  # how often calendars should fetch the feed again
UID_DOMAIN = "mbc-tracker"
# The longest the VTIMEZONE needs to cover from the first event: the feed's year of history and
# bookings up to 3 years ahead, with room to spare.
TIMEZONE_SPAN = dt.timedelta(days=5 * 366)


def event_uid(appointment_id: int) -> str:
    """Stable for the life of the appointment: rescheduling updates the same event."""
    return f"appointment-{appointment_id}@{UID_DOMAIN}"


def build_calendar(
    appointments: Sequence[Appointment],
    *,
    zone: str,
    link_for: Callable[[int], str] | None = None,
) -> bytes:
    """The feed for one patient whose time zone is ``zone``, in the active language (the
    patient's: see the feed view)."""
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", str(CALENDAR_NAME))
    calendar.add("x-wr-calname", str(CALENDAR_NAME))
    calendar.add("x-wr-timezone", zone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))

    for appointment in appointments:
        starts_at = local_time(appointment.starts_at, tz)
        ends_at = later_by(starts_at, dt.timedelta(minutes=appointment.duration_minutes))
        changed = appointment.updated_at.astimezone(dt.UTC)
        event = Event()
        event.add("uid", event_uid(appointment.pk))
        # Without a METHOD of its own an event's DTSTAMP is when it last changed (RFC 5545).
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("dtstart", starts_at)
        event.add("dtend", ends_at)
        event.add("summary", str(SUMMARY))
        if appointment.location:
            event.add("location", appointment.location)
        if link_for is not None:
            event.add("url", link_for(appointment.pk))
        cancelled = appointment.status == AppointmentStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
        calendar.add_component(event)

    if appointments:
        # VTIMEZONE rules only for the years the events span, not 1970 to 2038, and at most
        # TIMEZONE_SPAN of them (a row stored before the 3-year limit may be in the year 9999).
        first = local_time(min(item.starts_at for item in appointments), tz).date()
        last = local_time(max(item.starts_at for item in appointments), tz).date()
        last = min(last, first + TIMEZONE_SPAN)
        calendar.add_missing_timezones(
            first_date=first - dt.timedelta(days=7), last_date=last + dt.timedelta(days=366)
        )
    return calendar.to_ical()

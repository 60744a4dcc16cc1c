"""When reminders go out: pure functions over plain data (no ORM, no clock of their own).

CLINICAL.md, "Restaging and reminders": each reminder is sent once, at 09:00 in the patient's
time zone unless stated, never between 21:00 and 08:00, and one whose time has already passed
when the appointment is booked is skipped, not sent late. "09:00 local" is worked out for each
occurrence in the patient's zone, so it stays 09:00 across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appointments.choices import SCAN_KINDS
from lib.clock import local_instant, waking_time, zone_info

REMINDER_TIME = dt.time(9, 0)
RESTAGING_NOTICE = dt.timedelta(days=14)


@dataclass(frozen=True, slots=True)
class AppointmentFacts:
    id: int
    kind: str
    starts_at: dt.datetime  # aware
    timezone: str  # the patient's IANA zone


@dataclass(frozen=True, slots=True)
class Reminder:
    code: str  # which rule: "7d", "2d_scan", "1d", "2d_visit", "1d_after_scan"
    kind: str  # the notification kind
    due_at: dt.datetime  # aware, UTC

    def key(self, prefix: str) -> str:
        """The outbox key. It names the instant, so a reminder that moves (the appointment was
        rescheduled, the patient moved time zone) is a new message and the old one is cancelled."""
        return f"{prefix}:{self.code}:{self.due_at.astimezone(dt.UTC):%Y%m%dT%H%MZ}"


@dataclass(frozen=True, slots=True)
class RestagingReminder:
    """ "Ask your team about your next restaging" for the restaging due on ``due_on``."""

    due_on: dt.date  # the day restaging is due (in the patient's zone)
    due_at: dt.datetime  # when to send: aware, UTC
    kind: str = "restaging_reminder"

    def key(self, patient_id: int) -> str:
        """One message per patient and due date. Not the send time: while nothing is booked an
        overdue reminder's send time moves to the next 09:00 every day, and it must still be one
        message, sent once."""
        return f"restaging:{patient_id}:{self.due_on:%Y%m%d}"


# (code, notification kind, days from the appointment's local date, which appointments)
_RULES: tuple[tuple[str, str, int, str], ...] = (
    ("7d", "appointment_reminder", -7, "any"),
    ("2d_scan", "scan_anxiety", -2, "scan"),
    ("2d_visit", "visit_prep", -2, "oncology_visit"),
    ("1d", "appointment_reminder", -1, "any"),
    ("1d_after_scan", "post_scan_checkin", 1, "scan"),
)


def appointment_schedule(appointment: AppointmentFacts) -> list[Reminder]:
    """Every reminder the appointment has on its current schedule, past ones included (planning
    keeps a past one that is still waiting to go out; it never plans a new one in the past).

    A reminder on a day past the end of the calendar (31 December 9999, which only rows stored
    before bookings were limited to 3 years ahead come near) is left out, not raised."""
    try:
        local_day = appointment.starts_at.astimezone(zone_info(appointment.timezone)).date()
    except OverflowError:
        return []  # the appointment's own day is past the end of the calendar
    is_scan = appointment.kind in SCAN_KINDS
    reminders = []
    for code, kind, offset, applies_to in _RULES:
        if applies_to == "scan" and not is_scan:
            continue
        if applies_to == "oncology_visit" and appointment.kind != "oncology_visit":
            continue
        try:
            day = local_day + dt.timedelta(days=offset)
        except OverflowError:
            continue  # the day after 31 December 9999
        due_at = local_instant(day, REMINDER_TIME, appointment.timezone)
        if offset < 0 and due_at >= appointment.starts_at:
            continue  # a "before" reminder must come before the appointment
        reminders.append(Reminder(code=code, kind=kind, due_at=due_at))
    return reminders


def appointment_reminders(appointment: AppointmentFacts, *, now: dt.datetime) -> list[Reminder]:
    """Every reminder an appointment should have that is still in the future: one whose time
    passed before booking is skipped, never sent late."""
    return [reminder for reminder in appointment_schedule(appointment) if reminder.due_at > now]


def log_reminder_instants(
    *, reminder_time: dt.time, zone: str, days: list[dt.date]
) -> list[tuple[dt.date, dt.datetime]]:
    """The daily "how are you today?" nudge for each day, at the patient's chosen time (moved
    out of quiet hours)."""
    at = waking_time(reminder_time)
    return [(day, local_instant(day, at, zone)) for day in days]


def restaging_due_date(
    *,
    interval_weeks: int,
    enrolled_on: dt.date,
    last_restaging_on: dt.date | None,
) -> dt.date:
    """When the next restaging is due: the interval after the last scan or restaging visit, or
    after enrolment if there has been none. Past the end of the calendar (only a date stored
    before enrolment dates were checked comes near it), the calendar's last day."""
    start = last_restaging_on or enrolled_on
    try:
        return start + dt.timedelta(weeks=interval_weeks)
    except OverflowError:
        return dt.date.max


def restaging_reminder(
    *,
    interval_weeks: int,
    enrolled_on: dt.date,
    last_restaging_on: dt.date | None,
    next_booked: bool,
    zone: str,
    now: dt.datetime,
) -> RestagingReminder | None:
    """ "Ask your team about your next restaging", 14 days before it is due, if nothing is booked.
    If that day has passed (and it is still not booked), the next 09:00 from now."""
    if next_booked:
        return None
    due = restaging_due_date(
        interval_weeks=interval_weeks, enrolled_on=enrolled_on, last_restaging_on=last_restaging_on
    )
    due_at = local_instant(due - RESTAGING_NOTICE, REMINDER_TIME, zone)
    if due_at <= now:
        today = now.astimezone(zone_info(zone)).date()
        due_at = local_instant(today, REMINDER_TIME, zone)
        if due_at <= now:
            due_at = local_instant(today + dt.timedelta(days=1), REMINDER_TIME, zone)
    return RestagingReminder(due_on=due, due_at=due_at)

"""Scans for the scan support and check-in tests.

Upcoming ones are booked through the appointment service (as the pages would); past ones cannot
be booked, so they are written straight to the table, as if booked earlier.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_create


def upcoming(
    patient: User,
    *,
    kind: str = "ct",
    in_days: float = 3,
    location: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    now = now or timezone.now()
    return appointment_create(
        patient=patient,
        kind=kind,
        starts_at=now + dt.timedelta(days=in_days),
        created_by=None,
        location=location,
        now=now,
    )


def past(
    patient: User,
    *,
    kind: str = "ct",
    days_ago: float = 1,
    status: str = AppointmentStatus.SCHEDULED,
) -> Appointment:
    return Appointment.objects.create(
        patient=patient,
        kind=kind,
        starts_at=timezone.now() - dt.timedelta(days=days_ago),
        status=status,
    )

"""Reads for appointments: scoped to the caller through accounts.access, prefetched for the screen.

Who may see which patient is decided in accounts.access, never here: a patient sees their own
appointments, a coordinator those of their care teams' patients, an administrator everyone's.
Anything else is reported as missing (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext

from accounts import access
from accounts.access import AnyUser
from accounts.models import User
from appointments.choices import SCAN_KINDS
from appointments.models import Appointment, AppointmentStatus, CalendarFeed
from appointments.reminder_planning import SUBJECT  # Notification.subject_type of their reminders
from appointments.reminders import restaging_due_date
from lib.clock import local_instant
from notifications.models import Channel, Notification

CARER_RIGHT = "appointments"  # a carer with it sees their patient's appointments (never changes)
FEED_HISTORY = dt.timedelta(days=365)  # how far back the calendar feed reaches


def appointments_for(
    user: AnyUser,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    patient_id: int | None = None,
) -> QuerySet[Appointment]:
    """The appointments this user may see, soonest first, with patient and profile loaded.

    ``date_from`` and ``date_to`` are inclusive calendar days in each patient's own time zone.
    ``patient_id`` narrows to one patient; a patient the user may not see raises Http404.
    """
    profiles = access.visible_profiles(user, carer_right=CARER_RIGHT)
    if patient_id is not None:
        profiles = profiles.filter(
            pk=access.get_profile_or_404(user, patient_id, carer_right=CARER_RIGHT).pk
        )
    appointments = Appointment.objects.filter(patient_id__in=profiles.values("pk"))
    if date_from is not None or date_to is not None:
        zones = set(profiles.values_list("timezone", flat=True).distinct())
        appointments = appointments.filter(_local_days(zones, date_from, date_to))
    return appointments.select_related("patient", "patient__patient_profile").order_by(
        "starts_at", "pk"
    )


def _local_days(zones: Iterable[str], date_from: dt.date | None, date_to: dt.date | None) -> Q:
    """Start times falling on the given local days, for patients in each of ``zones``.

    One condition per time zone keeps this plain SQL on any database (a handful of zones)."""
    condition = Q(pk__in=[])  # no zones: nothing matches
    for zone in zones:
        part = Q(patient__patient_profile__timezone=zone)
        start = _midnight(date_from, zone) if date_from is not None else None
        if start is not None:
            part &= Q(starts_at__gte=start)
        end = _midnight(date_to, zone, days_later=1) if date_to is not None else None
        if end is not None:
            part &= Q(starts_at__lt=end)
        condition |= part
    return condition


def _midnight(day: dt.date, zone: str, *, days_later: int = 0) -> dt.datetime | None:
    """The instant midnight starts ``days_later`` days after ``day`` in ``zone``, or None when
    that is past either end of the calendar (then the filter has no bound on that side)."""
    try:
        return local_instant(day + dt.timedelta(days=days_later), dt.time(), zone)
    except OverflowError:
        return None


def appointment_for_user_or_404(user: AnyUser, pk: object) -> Appointment:
    """One appointment the user may see, with patient and profile loaded; anybody else's is 404."""
    try:
        return (
            Appointment.objects.filter(
                patient_id__in=access.visible_profiles(user, carer_right=CARER_RIGHT).values("pk")
            )
            .select_related("patient", "patient__patient_profile")
            .get(pk=int(pk))  # type: ignore[call-overload]
        )
    except (Appointment.DoesNotExist, TypeError, ValueError):
        raise Http404(gettext("No such appointment.")) from None


def _reminder_rows(appointment_ids: list[int]) -> list[Notification]:
    return list(
        Notification.objects.filter(subject_type=SUBJECT, subject_id__in=appointment_ids)
        .only("id", "kind", "channel", "key", "status", "due_at", "sent_at", "subject_id")
        .order_by("due_at", "pk")
    )


def _one_per_message(rows: Iterable[Notification]) -> list[Notification]:
    """Each reminder is planned once per channel (in the app and by email); keep one row per
    message, the in-app one where there is one, in due order."""
    chosen: dict[str, Notification] = {}
    for row in rows:
        current = chosen.get(row.key)
        if current is None or (row.channel == Channel.IN_APP and current.channel != row.channel):
            chosen[row.key] = row
    return sorted(chosen.values(), key=lambda row: (row.due_at, row.pk))


def reminders_of(appointment: Appointment) -> list[Notification]:
    """The appointment's reminders, one per message, soonest first, whatever their status
    (planned, sent, cancelled, ...): callers decide which to show."""
    return _one_per_message(_reminder_rows([appointment.pk]))


def with_reminders(appointments: Iterable[Appointment]) -> list[Appointment]:
    """The appointments, each with ``planned_reminders`` set (as ``reminders_of`` gives them),
    loaded in one query for all of them."""
    appointments = list(appointments)
    by_appointment: dict[int, list[Notification]] = {item.pk: [] for item in appointments}
    for row in _reminder_rows(list(by_appointment)):
        by_appointment[row.subject_id].append(row)  # type: ignore[index]
    for item in appointments:
        item.planned_reminders = _one_per_message(by_appointment[item.pk])  # type: ignore[attr-defined]
    return appointments


def feed_for(patient: User) -> CalendarFeed:
    """The patient's calendar feed (its secret address), made on first use."""
    feed, _ = CalendarFeed.objects.get_or_create(patient=patient)
    return feed


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed with this secret token, with its patient's profile, or None."""
    return (
        CalendarFeed.objects.select_related("patient", "patient__patient_profile")
        .filter(token=token, patient__is_active=True, patient__patient_profile__isnull=False)
        .first()
    )


def feed_appointments(feed: CalendarFeed, *, now: dt.datetime) -> list[Appointment]:
    """What a calendar feed shows: the patient's appointments from a year ago on, cancelled ones
    included (a calendar that copied one learns that it is off)."""
    return list(
        Appointment.objects.filter(patient_id=feed.patient_id, starts_at__gte=now - FEED_HISTORY)
        .only(
            "id", "patient_id", "starts_at", "duration_minutes", "location", "status", "updated_at"
        )
        .order_by("starts_at", "pk")
    )


def next_appointment_subquery(*, now: dt.datetime) -> Subquery:
    """For annotating patient profiles (``OuterRef("user")``): when their next booked appointment
    starts."""
    return Subquery(
        Appointment.objects.filter(
            patient=OuterRef("user"), status=AppointmentStatus.SCHEDULED, starts_at__gt=now
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


def last_restaging_subquery(*, now: dt.datetime) -> Subquery:
    """For annotating patient profiles: when their last scan or restaging visit started."""
    return Subquery(
        Appointment.objects.filter(
            patient=OuterRef("user"), kind__in=SCAN_KINDS, starts_at__lte=now
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )


def restaging_due_on(
    *, interval_weeks: int, enrolled_on: dt.date, last_restaging_at: dt.datetime | None, zone: str
) -> dt.date:
    """When a patient's next restaging is due (see appointments.reminders)."""
    last_on = last_restaging_at.astimezone(ZoneInfo(zone)).date() if last_restaging_at else None
    return restaging_due_date(
        interval_weeks=interval_weeks, enrolled_on=enrolled_on, last_restaging_on=last_on
    )

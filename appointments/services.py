"""Writes for appointments: booking, rescheduling and cancelling, with their reminders.

Reminders are notification rows planned in the same transaction as the change (the outbox sends
them when due), so an appointment and its reminders are never out of step.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import PatientProfile, User
from appointments import reminder_planning
from appointments.choices import AppointmentKind
from appointments.models import Appointment, AppointmentStatus, CalendarFeed, new_feed_token
from followups.services import request_flag_evaluation
from notifications import services as outbox

YEARS_AHEAD = 3  # the furthest ahead an appointment may be booked or moved

NAIVE_START = gettext_lazy("Give the time with its time zone offset.")
PASSED_START = gettext_lazy("This time has already passed. Please choose a time to come.")
TOO_FAR_AHEAD = gettext_lazy("Please choose a date within the next 3 years.")
NOTES_MAX_LENGTH = 2000  # an appointment's preparation notes


def _profile(patient: User) -> PatientProfile:
    profile = PatientProfile.objects.filter(user=patient).first()
    if profile is None:
        raise ValidationError({"patient": [_("Appointments are for patients.")]})
    return profile


def latest_start(now: dt.datetime) -> dt.datetime:
    """The latest an appointment may start: ``YEARS_AHEAD`` years after ``now`` (from 29
    February, 28 February)."""
    year = now.year + YEARS_AHEAD
    try:
        return now.replace(year=year)
    except ValueError:  # 29 February, and that year has none
        return now.replace(year=year, day=28)


def validate_starts_at(starts_at: dt.datetime, *, now: dt.datetime | None = None) -> None:
    """When an appointment may start: a time with its UTC offset, after ``now`` and no later
    than ``YEARS_AHEAD`` years ahead. The one rule for booking and moving, whoever does it:
    the services check it, and the booking form asks it to show the message by the day."""
    now = now or timezone.now()
    if timezone.is_naive(starts_at):
        raise ValidationError(NAIVE_START, code="naive")
    if starts_at <= now:
        raise ValidationError(PASSED_START, code="passed")
    if starts_at > latest_start(now):
        raise ValidationError(TOO_FAR_AHEAD, code="too_far")


def _check(*, kind: str, starts_at: dt.datetime, now: dt.datetime) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = [_("“%(kind)s” is not a kind of appointment we know.") % {"kind": kind}]
    try:
        validate_starts_at(starts_at, now=now)
    except ValidationError as error:
        errors["starts_at"] = error.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def appointment_create(
    *,
    patient: User,
    kind: str,
    starts_at: dt.datetime,
    created_by: User | None,
    duration_minutes: int = 60,
    location: str = "",
    preparation_notes: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    now = now or timezone.now()
    profile = _profile(patient)
    _check(kind=kind, starts_at=starts_at, now=now)
    appointment = Appointment(
        patient=patient,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
        preparation_notes=preparation_notes.strip(),
        created_by=created_by,
    )
    appointment.full_clean()
    appointment.save()
    outbox.notifications_plan(
        planned=reminder_planning.planned_reminders(appointment, zone=profile.timezone, now=now)
    )
    if appointment.is_scan:
        reminder_planning.restaging_reminders_plan(
            profiles=[profile], now=now
        )  # booked: no "ask about it"
    request_flag_evaluation(patient.pk)  # restaging_overdue may resolve
    return appointment


@transaction.atomic
def appointment_update(
    *,
    appointment: Appointment,
    now: dt.datetime | None = None,
    **changes: object,
) -> Appointment:
    """Reschedule or edit. Reminders move with the appointment: old ones are cancelled, and one
    that is due but not sent yet stays if the schedule still has it."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    was_scan = appointment.is_scan
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise ValidationError({"status": [_("This appointment is cancelled or over.")]})
    allowed = {"kind", "starts_at", "duration_minutes", "location", "preparation_notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: [_("This cannot be changed.")] for field in sorted(unknown)})
    for field, value in changes.items():
        setattr(appointment, field, value.strip() if isinstance(value, str) else value)
    _check(kind=appointment.kind, starts_at=appointment.starts_at, now=now)
    appointment.full_clean()
    appointment.save()
    profile = _profile(appointment.patient)
    reminder_planning.reminders_plan_bulk(
        [appointment], zones={profile.pk: profile.timezone}, now=now
    )
    if was_scan or appointment.is_scan:
        reminder_planning.restaging_reminders_plan(profiles=[profile], now=now)
    request_flag_evaluation(appointment.patient_id)  # restaging_overdue may change
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, now: dt.datetime | None = None) -> Appointment:
    """Cancel an appointment and every reminder of it not yet sent. Cancelling a booked scan may
    leave the patient with nothing booked: their restaging reminder is planned again."""
    now = now or timezone.now()
    # Locked and saved (not a queryset update) so that django-auditlog records who cancelled.
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status == AppointmentStatus.SCHEDULED:  # a done one keeps its check-in
        appointment.status = AppointmentStatus.CANCELLED
        appointment.save(update_fields=["status", "updated_at"])
        outbox.notifications_cancel_for_subject(
            subject_type=reminder_planning.SUBJECT, subject_id=appointment.pk, now=now
        )
        if appointment.is_scan:
            reminder_planning.restaging_reminders_plan(
                profiles=[_profile(appointment.patient)], now=now
            )
        request_flag_evaluation(appointment.patient_id)  # restaging_overdue may change
    return appointment


@transaction.atomic
def calendar_feed_rotate(*, patient: User) -> CalendarFeed:
    """Give the patient's calendar feed a new secret address. The old address stops working at
    once: calendars subscribed to it must be given the new one."""
    _profile(patient)
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(patient=patient)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "rotated_at"])
    return feed

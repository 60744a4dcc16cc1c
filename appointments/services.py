"""Writes for appointments: booking, rescheduling and cancelling, with their reminders.

Reminders are notification rows planned in the same transaction as the change (the outbox sends
them when due), so an appointment and its reminders are never out of step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import PatientProfile, User
from appointments import reminders
from appointments.models import Appointment, AppointmentKind, AppointmentStatus
from notifications import services as outbox

SUBJECT = "appointment"

# Lock-screen safe wording: no health details; the details sit behind login.
_MESSAGES = {
    "7d": ("You have an appointment reminder", "You have an appointment coming up next week."),
    "1d": ("You have an appointment reminder", "You have an appointment tomorrow."),
    "2d_scan": (
        "Some support before your appointment",
        "Waiting can be hard. We have put together a few things that may help.",
    ),
    "2d_visit": (
        "Your visit notes are ready",
        "Your summary and questions are ready to look at before your visit.",
    ),
    "1d_after_scan": (
        "How are you feeling?",
        "A gentle check-in while you wait for results. It takes a few seconds.",
    ),
}


def _link(code: str, appointment_id: int) -> str:
    """Where a reminder leads (the pages are named appointment_detail, appointment_support and
    appointment_checkin; a test checks these paths against the URLconf)."""
    if code == "2d_scan":
        return f"/appointments/{appointment_id}/support/"
    if code == "1d_after_scan":
        return f"/appointments/{appointment_id}/check-in/"
    return f"/appointments/{appointment_id}/"


def planned_reminders(
    appointment: Appointment, *, zone: str, now: dt.datetime
) -> list[outbox.Planned]:
    """The reminder messages an appointment should have from ``now`` on (none if cancelled)."""
    if appointment.status != AppointmentStatus.SCHEDULED:
        return []
    facts = reminders.AppointmentFacts(
        id=appointment.pk, kind=appointment.kind, starts_at=appointment.starts_at, timezone=zone
    )
    planned = []
    for reminder in reminders.appointment_reminders(facts, now=now):
        title, body = _MESSAGES[reminder.code]
        planned.append(
            outbox.Planned(
                key=reminder.key(f"appointment:{appointment.pk}"),
                kind=reminder.kind,
                recipient_id=appointment.patient_id,
                due_at=reminder.due_at,
                title=title,
                body=body,
                link=_link(reminder.code, appointment.pk),
                subject_type=SUBJECT,
                subject_id=appointment.pk,
            )
        )
    return planned


def _profile(patient: User) -> PatientProfile:
    profile = PatientProfile.objects.filter(user=patient).first()
    if profile is None:
        raise ValidationError({"patient": ["Appointments are for patients."]})
    return profile


def _check(*, kind: str, starts_at: dt.datetime, now: dt.datetime) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = [f"“{kind}” is not a kind of appointment we know."]
    if timezone.is_naive(starts_at):
        errors["starts_at"] = ["Give the time with its time zone offset."]
    elif starts_at <= now:
        errors["starts_at"] = ["This time has already passed. Please choose a time to come."]
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
        planned=planned_reminders(appointment, zone=profile.timezone, now=now)
    )
    return appointment


@transaction.atomic
def appointment_update(
    *,
    appointment: Appointment,
    now: dt.datetime | None = None,
    **changes: object,
) -> Appointment:
    """Reschedule or edit. Reminders move with the appointment: old ones are cancelled."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise ValidationError({"status": ["This appointment is cancelled or over."]})
    allowed = {"kind", "starts_at", "duration_minutes", "location", "preparation_notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: ["This cannot be changed."] for field in sorted(unknown)})
    for field, value in changes.items():
        setattr(appointment, field, value.strip() if isinstance(value, str) else value)
    _check(kind=appointment.kind, starts_at=appointment.starts_at, now=now)
    appointment.full_clean()
    appointment.save()
    profile = _profile(appointment.patient)
    outbox.notifications_replace_for_subject(
        subject_type=SUBJECT,
        subject_id=appointment.pk,
        planned=planned_reminders(appointment, zone=profile.timezone, now=now),
    )
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment) -> Appointment:
    """Cancel an appointment and every reminder of it not yet sent."""
    Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.SCHEDULED).update(
        status=AppointmentStatus.CANCELLED, updated_at=timezone.now()
    )
    outbox.notifications_cancel_for_subject(subject_type=SUBJECT, subject_id=appointment.pk)
    appointment.refresh_from_db()
    return appointment


def reminders_plan_bulk(
    appointments: Iterable[Appointment], *, zones: dict[int, str], now: dt.datetime
) -> int:
    """The nightly pass: add any missing reminder rows for many appointments in a few queries.
    ``zones`` maps patient id to time zone. Idempotent: existing rows are left as they are."""
    planned = [
        item
        for appointment in appointments
        for item in planned_reminders(appointment, zone=zones[appointment.patient_id], now=now)
    ]
    return outbox.notifications_plan(planned=planned)

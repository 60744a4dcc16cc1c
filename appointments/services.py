"""Writes for appointments: booking, rescheduling and cancelling, with their reminders.

Reminders are notification rows planned in the same transaction as the change (the outbox sends
them when due), so an appointment and its reminders are never out of step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import PatientProfile, User
from appointments import reminders
from appointments.choices import SCAN_KINDS, AppointmentKind
from appointments.models import Appointment, AppointmentStatus, CalendarFeed, new_feed_token
from lib import clock
from lib.followups import request_flag_evaluation
from notifications import services as outbox
from notifications.models import Kind, Notification
from notifications.planning import outbox_sync

SUBJECT = "appointment"
RESTAGING_SUBJECT = "restaging"  # Notification.subject_type of restaging reminders (id: patient)
# Appointments planned by the nightly pass: future ones, and those that have just happened
# (their after-scan check-in is still to come).
RECENT = dt.timedelta(days=2)
APPOINTMENT_BATCH = 5000
YEARS_AHEAD = 3  # the furthest ahead an appointment may be booked or moved

NAIVE_START = "Give the time with its time zone offset."
PASSED_START = "This time has already passed. Please choose a time to come."
TOO_FAR_AHEAD = f"Please choose a date within the next {YEARS_AHEAD} years."

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


_RESTAGING_MESSAGE = (
    "A reminder about your next check-up",
    "You may be due for a check-up scan soon. Ask your care team about booking your next "
    "restaging.",
)


def _schedule(
    appointment: Appointment, *, zone: str, now: dt.datetime
) -> tuple[list[str], list[outbox.Planned]]:
    """The keys of every reminder on the appointment's current schedule (past ones included: one
    may still be waiting to go out) and the messages still to plan (due after ``now``)."""
    if appointment.status != AppointmentStatus.SCHEDULED:
        return [], []
    facts = reminders.AppointmentFacts(
        id=appointment.pk, kind=appointment.kind, starts_at=appointment.starts_at, timezone=zone
    )
    prefix = f"appointment:{appointment.pk}"
    keys: list[str] = []
    planned: list[outbox.Planned] = []
    for reminder in reminders.appointment_schedule(facts):
        key = reminder.key(prefix)
        keys.append(key)
        if reminder.due_at <= now:
            continue  # its time passed before booking: skipped, never sent late
        title, body = _MESSAGES[reminder.code]
        planned.append(
            outbox.Planned(
                key=key,
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
    return keys, planned


def planned_reminders(
    appointment: Appointment, *, zone: str, now: dt.datetime
) -> list[outbox.Planned]:
    """The reminder messages an appointment should have from ``now`` on (none if cancelled)."""
    return _schedule(appointment, zone=zone, now=now)[1]


def _profile(patient: User) -> PatientProfile:
    profile = PatientProfile.objects.filter(user=patient).first()
    if profile is None:
        raise ValidationError({"patient": ["Appointments are for patients."]})
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
        errors["kind"] = [f"“{kind}” is not a kind of appointment we know."]
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
        planned=planned_reminders(appointment, zone=profile.timezone, now=now)
    )
    if appointment.is_scan:
        restaging_reminders_plan(profiles=[profile], now=now)  # booked: no "ask about it"
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
    reminders_plan_bulk([appointment], zones={profile.pk: profile.timezone}, now=now)
    if was_scan or appointment.is_scan:
        restaging_reminders_plan(profiles=[profile], now=now)
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
            subject_type=SUBJECT, subject_id=appointment.pk, now=now
        )
        if appointment.is_scan:
            restaging_reminders_plan(profiles=[_profile(appointment.patient)], now=now)
        request_flag_evaluation(appointment.patient_id)  # restaging_overdue may change
    return appointment


@transaction.atomic
def reminders_plan_bulk(
    appointments: Iterable[Appointment], *, zones: dict[int, str], now: dt.datetime
) -> int:
    """Plan many appointments' reminders in a few queries, whatever their number (the nightly
    pass, and re-planning after a change). ``zones`` maps patient id to time zone.

    Idempotent: rows already planned stay as they are. Pending rows no longer on an
    appointment's schedule (its time or the patient's time zone changed without re-planning)
    are cancelled; see ``appointments.planning``. Returns how many rows were newly planned."""
    ids: list[int] = []
    keep: set[str] = set()
    planned: list[outbox.Planned] = []
    for appointment in appointments:
        keys, items = _schedule(appointment, zone=zones[appointment.patient_id], now=now)
        ids.append(appointment.pk)
        keep.update(keys)
        planned.extend(items)
    if not ids:
        return 0
    scope = Notification.objects.filter(subject_type=SUBJECT, subject_id__in=ids)
    return outbox_sync(scope=scope, keep=keep, planned=planned, now=now)


def appointment_reminders_plan_for(
    *, profiles: Iterable[PatientProfile], now: dt.datetime, batch_size: int = APPOINTMENT_BATCH
) -> int:
    """Plan the reminders of these patients' scheduled appointments (future ones and those of
    the last two days), ``batch_size`` appointments at a time. Returns rows newly planned."""
    zones = {profile.pk: profile.timezone for profile in profiles}
    if not zones:
        return 0
    appointments = (
        Appointment.objects.filter(
            patient_id__in=list(zones),
            status=AppointmentStatus.SCHEDULED,
            starts_at__gte=now - RECENT,
        )
        .only("id", "patient_id", "kind", "starts_at", "status")
        .order_by("pk")
    )
    created = 0
    batch: list[Appointment] = []
    for appointment in appointments.iterator(chunk_size=batch_size):
        batch.append(appointment)
        if len(batch) == batch_size:
            created += reminders_plan_bulk(batch, zones=zones, now=now)
            batch = []
    if batch:
        created += reminders_plan_bulk(batch, zones=zones, now=now)
    return created


@transaction.atomic
def restaging_reminders_plan(*, profiles: Iterable[PatientProfile], now: dt.datetime) -> int:
    """Plan "ask your team about your next restaging" for these patients: 14 days before
    restaging is due (the interval after their last scan or restaging visit, or after
    enrolment), or at the next 09:00 if that has passed, as long as nothing is booked.

    One outbox key per patient and due date, so the message goes out once however often this
    runs. A pending one is cancelled once a scan or restaging visit is booked (or the due date
    moved), and planned again if the booking is cancelled. A fixed number of queries for any
    number of patients. Returns how many rows were newly planned."""
    profiles = list(profiles)
    if not profiles:
        return 0
    ids = [profile.pk for profile in profiles]
    scans = {
        row["patient_id"]: row
        for row in Appointment.objects.filter(patient_id__in=ids, kind__in=SCAN_KINDS)
        .order_by()
        .values("patient_id")
        .annotate(
            last=Max(
                "starts_at",
                filter=Q(starts_at__lte=now)
                & Q(status__in=[AppointmentStatus.DONE, AppointmentStatus.SCHEDULED]),
            ),
            booked=Count("pk", filter=Q(starts_at__gt=now, status=AppointmentStatus.SCHEDULED)),
        )
    }
    title, body = _RESTAGING_MESSAGE
    planned: list[outbox.Planned] = []
    for profile in profiles:
        row = scans.get(profile.pk)
        last = row["last"] if row else None
        reminder = reminders.restaging_reminder(
            interval_weeks=profile.restaging_interval_weeks,
            enrolled_on=profile.enrolled_on,
            last_restaging_on=(
                last.astimezone(clock.zone_info(profile.timezone)).date() if last else None
            ),
            next_booked=bool(row and row["booked"]),
            zone=profile.timezone,
            now=now,
        )
        if reminder is None:
            continue
        planned.append(
            outbox.Planned(
                key=reminder.key(profile.pk),
                kind=Kind.RESTAGING_REMINDER,
                recipient_id=profile.pk,
                due_at=reminder.due_at,
                title=title,
                body=body,
                link="/appointments/",
                subject_type=RESTAGING_SUBJECT,
                subject_id=profile.pk,
            )
        )
    scope = Notification.objects.filter(subject_type=RESTAGING_SUBJECT, subject_id__in=ids)
    return outbox_sync(scope=scope, keep={item.key for item in planned}, planned=planned, now=now)


@transaction.atomic
def appointment_reminders_replan(*, profile: PatientProfile, now: dt.datetime | None = None) -> int:
    """Plan one patient's appointment and restaging reminders again, after their time zone
    changed: "09:00" is now another instant, so pending reminders move. Returns rows planned."""
    now = now or timezone.now()
    return appointment_reminders_plan_for(profiles=[profile], now=now) + (
        restaging_reminders_plan(profiles=[profile], now=now)
    )


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

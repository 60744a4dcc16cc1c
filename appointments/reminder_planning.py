"""Planning an appointment's reminders and the restaging reminder in the outbox: what each
appointment should have from now on (timing from ``reminders.py``), planned in bulk for the
nightly pass, moved with the appointment, and planned again after a patient's clock changed.
Idempotent: outbox rows have natural keys, and planning only adds, moves or cancels pending rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import PatientProfile, User
from appointments import reminders
from appointments.choices import SCAN_KINDS
from appointments.models import Appointment, AppointmentStatus
from lib import clock, i18n
from notifications import services as outbox
from notifications.models import Kind, Notification
from notifications.planning import outbox_sync

SUBJECT = "appointment"
RESTAGING_SUBJECT = "restaging"  # Notification.subject_type of restaging reminders (id: patient)
# Appointments planned by the nightly pass: future ones, and those that have just happened
# (their after-scan check-in is still to come).
RECENT = dt.timedelta(days=2)
APPOINTMENT_BATCH = 5000

# Lock-screen safe wording: no health details; the details sit behind login. Written in the
# patient's language when planned.
_MESSAGES = {
    "7d": (
        _("You have an appointment reminder"),
        _("You have an appointment coming up next week."),
    ),
    "1d": (_("You have an appointment reminder"), _("You have an appointment tomorrow.")),
    "2d_scan": (
        _("Some support before your appointment"),
        _("Waiting can be hard. We have put together a few things that may help."),
    ),
    "2d_visit": (
        _("Your visit notes are ready"),
        _("Your summary and questions are ready to look at before your visit."),
    ),
    "1d_after_scan": (
        _("How are you feeling?"),
        _("A gentle check-in while you wait for results. It takes a few seconds."),
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
    _("A reminder about your next check-up"),
    _(
        "You may be due for a check-up scan soon. Ask your care team about booking your next "
        "restaging."
    ),
)


def _languages(patient_ids: Iterable[int]) -> dict[int, str]:
    """The language each patient reads, in one query for the batch: their reminders are
    written in it."""
    fields = ["pk"]
    if any(field.name == "language" for field in User._meta.get_fields()):
        fields.append("language")
    users = User.objects.filter(pk__in=set(patient_ids)).only(*fields)
    return {user.pk: i18n.language_of(user) for user in users}


def _profile_languages(profiles: list[PatientProfile]) -> dict[int, str]:
    """``_languages`` for these patients, reading no user row that is already loaded."""
    loaded = [profile for profile in profiles if PatientProfile.user.is_cached(profile)]
    languages = {profile.pk: i18n.language_of(profile.user) for profile in loaded}
    return languages | _languages(profile.pk for profile in profiles if profile.pk not in languages)


def _worded(message: tuple[object, object], language: str | None) -> tuple[str, str]:
    """A message's title and body in ``language`` (the active language when None)."""
    title, body = message
    if language is None:
        return str(title), str(body)
    with translation.override(language):
        return str(title), str(body)


def _schedule(
    appointment: Appointment, *, zone: str, now: dt.datetime, language: str | None = None
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
        title, body = _worded(_MESSAGES[reminder.code], language)
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
    """The reminder messages an appointment should have from ``now`` on (none if cancelled),
    in the patient's language."""
    language = _languages([appointment.patient_id]).get(appointment.patient_id)
    return _schedule(appointment, zone=zone, now=now, language=language)[1]


@transaction.atomic
def reminders_plan_bulk(
    appointments: Iterable[Appointment], *, zones: dict[int, str], now: dt.datetime
) -> int:
    """Plan many appointments' reminders in a few queries, whatever their number (the nightly
    pass, and re-planning after a change). ``zones`` maps patient id to time zone.

    Idempotent: rows already planned stay as they are. Pending rows no longer on an
    appointment's schedule (its time or the patient's time zone changed without re-planning)
    are cancelled; see ``appointments.planning``. Returns how many rows were newly planned."""
    appointments = list(appointments)
    languages = _languages(item.patient_id for item in appointments)
    ids: list[int] = []
    keep: set[str] = set()
    planned: list[outbox.Planned] = []
    for appointment in appointments:
        keys, items = _schedule(
            appointment,
            zone=zones[appointment.patient_id],
            now=now,
            language=languages.get(appointment.patient_id),
        )
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
    languages = _profile_languages(profiles)
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
        title, body = _worded(_RESTAGING_MESSAGE, languages.get(profile.pk))
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

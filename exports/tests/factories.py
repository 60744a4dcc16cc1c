"""A patient with a known record, for the download's tests: every table has rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import RecordAccess, RecordAccessKind, User
from appointments.models import Appointment, ScanCheckIn
from flags.models import FlagContact
from flags.tests.factories import FlagFactory
from notifications.models import Channel, Kind, Status
from notifications.tests.factories import NotificationFactory, SentNotificationFactory
from symptoms.models import PatientQuestion
from symptoms.tests.factories import log_day


@dataclass(frozen=True)
class KnownRecord:
    """How many rows each CSV file of the patient's download must hold."""

    counts: dict[str, int]


def seen_by(patient: User, viewer: User, what: str = RecordAccessKind.RECORD) -> RecordAccess:
    return RecordAccess.objects.create(
        viewer=viewer,
        viewer_name=viewer.name,
        viewer_email=viewer.email,
        viewer_role=viewer.role,
        patient=patient,
        what=what,
        path=f"/patients/{patient.pk}/",
    )


def known_record(patient: User, coordinator: User) -> KnownRecord:
    """Three logs (6 entries), 2 flags (1 call attempt), 2 questions, 2 appointments (1 scan
    check-in), 2 messages sent (one also by email) and 1 still to come, 3 looks at the record.
    The patient's own words start with formula signs, as people sometimes type."""
    today = patient.patient_profile.local_today()
    log_day(patient, today - dt.timedelta(days=2), {"bone_pain": 3, "fatigue": 5})
    log_day(patient, today - dt.timedelta(days=1), {"fever": 38.4}, notes="=1+1 felt hot")
    log_day(
        patient, today, {"bone_pain": 6, "fatigue": 4, "headache": 2}, notes="Très fatiguée, ça va"
    )
    flag = FlagFactory(patient=patient, rule="fever", note="-called back")
    FlagFactory(patient=patient, rule="severe")
    FlagContact.objects.create(
        flag=flag, by=coordinator, at=timezone.now(), outcome="reached", note="@ home, fine"
    )
    PatientQuestion.objects.create(patient=patient, text="+ is this normal?")
    PatientQuestion.objects.create(patient=patient, text="Can I travel?", done=True)
    scan = Appointment.objects.create(
        patient=patient, kind="ct", starts_at=timezone.now() - dt.timedelta(days=1)
    )
    Appointment.objects.create(
        patient=patient, kind="oncology_visit", starts_at=timezone.now() + dt.timedelta(days=5)
    )
    ScanCheckIn.objects.create(patient=patient, appointment=scan, anxiety=6, note="Worried.")
    key = f"test:{patient.pk}"
    for name in ("one", "two"):
        SentNotificationFactory(recipient=patient, key=f"{key}:{name}", kind=Kind.LOG_REMINDER)
    NotificationFactory(  # the email twin of a message shown in the app: one message
        recipient=patient,
        key=f"{key}:two",
        channel=Channel.EMAIL,
        status=Status.SENT,
        sent_at=timezone.now(),
    )
    NotificationFactory(
        recipient=patient, key=f"{key}:later", due_at=timezone.now() + dt.timedelta(days=1)
    )
    for what in (RecordAccessKind.PANEL, RecordAccessKind.RECORD, RecordAccessKind.FLAGS):
        seen_by(patient, coordinator, what)
    return KnownRecord(
        counts={
            "logs.csv": 3,
            "log_entries.csv": 6,
            "flags.csv": 2,
            "flag_contacts.csv": 1,
            "questions.csv": 2,
            "appointments.csv": 2,
            "scan_checkins.csv": 1,
            "messages.csv": 2,
            "record_access.csv": 3,
        }
    )

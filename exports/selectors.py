"""Reads for the patient's download: everything in their record, gathered for the ZIP, and their
own exports for the settings and download pages. The ZIP's bytes are read only by the download
(``archive_bytes``); every other read leaves them in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts import access
from accounts.access import AnyUser
from accounts.models import PatientProfile, RecordAccess, User
from appointments.models import Appointment, ScanCheckIn
from exports.models import ExportStatus, RecordExport
from flags.models import Flag, FlagContact
from lib.clock import local_time
from lib.dates import at_time, long_date
from notifications import selectors as notification_selectors
from notifications.models import Notification
from symptoms.models import DailyLog, LogEntry, PatientQuestion


@dataclass(frozen=True)
class PatientRecord:
    """One patient's whole record as the ZIP holds it, oldest first in each table."""

    patient: User
    zone: str
    logs: list[DailyLog]  # with ``entries`` prefetched (symptom and site)
    flags: list[Flag]
    contacts: list[FlagContact]
    questions: list[PatientQuestion]
    appointments: list[Appointment]
    checkins: list[ScanCheckIn]
    messages: list[Notification]
    accesses: list[RecordAccess]


def patient_zone(*, patient_id: int) -> str:
    """The patient's own time zone: the download's times are written in it."""
    zone = PatientProfile.objects.filter(pk=patient_id).values_list("timezone", flat=True).first()
    return zone or settings.DEFAULT_PATIENT_TIMEZONE


def patient_record(*, patient_id: int) -> PatientRecord:
    """Everything the patient's download holds (a fixed number of queries, whatever its size).
    The caller has checked that the record may be read."""
    patient = User.objects.get(pk=patient_id)
    zone = patient_zone(patient_id=patient_id)
    entries = LogEntry.objects.select_related("symptom__site").order_by(
        "symptom__site__display_order", "symptom__display_order", "symptom_id"
    )
    return PatientRecord(
        patient=patient,
        zone=zone,
        logs=list(
            DailyLog.objects.filter(patient_id=patient_id)
            .order_by("date")
            .prefetch_related(Prefetch("entries", queryset=entries))
        ),
        flags=list(
            Flag.objects.filter(patient_id=patient_id)
            .select_related("symptom", "acknowledged_by", "resolved_by")
            .order_by("opened_at", "pk")
        ),
        contacts=list(
            FlagContact.objects.filter(flag__patient_id=patient_id)
            .select_related("by")
            .order_by("at", "pk")
        ),
        questions=list(
            PatientQuestion.objects.filter(patient_id=patient_id).order_by("created_at", "pk")
        ),
        appointments=list(
            Appointment.objects.filter(patient_id=patient_id).order_by("starts_at", "pk")
        ),
        checkins=list(
            ScanCheckIn.objects.filter(patient_id=patient_id)
            .select_related("appointment")
            .order_by("created_at", "pk")
        ),
        # The messages the patient was sent, as their message centre shows them (one per message).
        messages=list(
            notification_selectors.notifications_for(patient, include_planned=False).order_by(
                "sent_at", "pk"
            )
        ),
        # Every look at the record by staff: the list on the settings page, in full.
        accesses=list(RecordAccess.objects.filter(patient_id=patient_id).order_by("at", "pk")),
    )


def own_exports(user: AnyUser) -> QuerySet[RecordExport]:
    """The exports of the signed-in patient's own record (none for anybody else: staff never
    download a patient's file here), without their bytes."""
    if not access.is_patient(user):
        return RecordExport.objects.none()
    return RecordExport.objects.filter(patient_id=user.pk).defer("archive")


def pending_export(*, patient_id: int) -> RecordExport | None:
    return (
        RecordExport.objects.filter(patient_id=patient_id, status=ExportStatus.PENDING)
        .defer("archive")
        .first()
    )


def is_downloadable(export: RecordExport, *, now: dt.datetime | None = None) -> bool:
    """Ready and not past its date (the nightly purge may not have run yet)."""
    now = now or timezone.now()
    return bool(
        export.status == ExportStatus.READY
        and export.expires_at is not None
        and export.expires_at > now
    )


@dataclass(frozen=True)
class ExportState:
    """Where the patient's latest download stands, for the settings and download pages."""

    export: RecordExport | None
    state: str  # "none", "pending", "ready", "expired" or "failed"
    until: dt.datetime | None = None  # when a ready download goes, in the patient's zone

    @property
    def until_words(self) -> str:
        return until_words(self.until) if self.until is not None else ""


def until_words(until: dt.datetime) -> str:
    """ "Monday 14 December at 16:02" (with the year when it is not this year's), for a time
    already in the reader's zone, in the active language."""
    today = local_time(timezone.now(), until.tzinfo or dt.UTC).date()
    return at_time(long_date(until.date(), today=today), until)


def export_state(
    export: RecordExport | None, *, zone: str, now: dt.datetime | None = None
) -> ExportState:
    now = now or timezone.now()
    if export is None:
        return ExportState(export=None, state="none")
    if export.status == ExportStatus.READY:
        if is_downloadable(export, now=now) and export.expires_at is not None:
            return ExportState(
                export=export, state="ready", until=local_time(export.expires_at, zone)
            )
        return ExportState(export=export, state="expired")
    return ExportState(export=export, state=str(export.status))


def latest_export_state(user: AnyUser, *, zone: str) -> ExportState:
    """The state of the patient's newest download, for their settings page."""
    return export_state(own_exports(user).first(), zone=zone)


def archive_bytes(*, export_id: int) -> bytes | None:
    """The ZIP of one export (None once removed). Only the download reads it."""
    data = RecordExport.objects.filter(pk=export_id).values_list("archive", flat=True).first()
    return bytes(data) if data is not None else None

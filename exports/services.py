"""Writes for the patient's download of their record: ask, build, download, expire.

1. ``record_export_request`` (the settings page, and any later door) adds a pending export and,
   in the same transaction, a follow-up (``followups``) keyed by the patient: the build is rung
   after commit, and if the broker is down the follow-ups' drain sends it within minutes. Asking
   again while one is pending returns that one.
2. ``record_export_build`` (the task) builds the pending export: the ZIP is made outside any
   transaction, then stored and marked ready with a conditional UPDATE, and ONE in-app message
   planned under a natural key, in one transaction. Building twice, or twice at once, stores one
   file and sends one message. A failed build raises, so the follow-up backs off and is sent
   again; after ``MAX_BUILD_ATTEMPTS`` starts it is marked failed and the patient told calmly.
3. ``record_export_download`` counts a download (row counter, django-auditlog "access" entry and
   a log line; never the bytes) and hands back the ZIP while the export is ready and in date.
4. ``record_exports_expire`` (beat, nightly) removes the files past their date; rows stay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from auditlog.signals import accessed
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import User
from exports import archive, selectors
from exports.models import ExportStatus, RecordExport
from followups.models import FollowUp
from followups.services import RECORD_EXPORT_BUILD, after_commit, follow_up_request
from lib.clock import local_time
from lib.i18n import in_language_of
from notifications.models import Channel, Kind, Notification
from notifications.services import Planned, notifications_cancel_pending, notifications_plan

logger = logging.getLogger(__name__)

MAX_BUILD_ATTEMPTS = 5  # with the follow-ups' backoff: about half an hour of tries
SUBJECT = "record_export"  # Notification.subject_type of the messages about a download
DISPATCH_TASK = "notifications.tasks.dispatch_due_notifications"
STALE_PENDING = dt.timedelta(hours=1)  # a pending export with no follow-up left is asked again


def keep_for() -> dt.timedelta:
    return dt.timedelta(days=settings.RECORD_EXPORT_KEEP_DAYS)


def ready_key(export_id: int) -> str:
    return f"record-export:{export_id}:ready"


def failed_key(export_id: int) -> str:
    return f"record-export:{export_id}:failed"


# --- Asking --------------------------------------------------------------------------------------


@transaction.atomic
def record_export_request(
    *, patient: User, requested_by: User, now: dt.datetime | None = None
) -> RecordExport:
    """Ask for a download of ``patient``'s whole record, built in the background. Returns the
    pending export: a new one, or the one already being prepared."""
    if not access.is_patient(patient):
        raise ValidationError("Only a patient's record can be downloaded.")
    if requested_by.pk != patient.pk and not access.can_view_patient(requested_by, patient):
        raise PermissionDenied
    pending = selectors.pending_export(patient_id=patient.pk)
    if pending is not None:
        return pending
    now = now or timezone.now()
    try:
        with transaction.atomic():  # another request may have just added one
            export = RecordExport.objects.create(
                patient=patient, requested_by=requested_by, requested_at=now
            )
    except IntegrityError:
        pending = selectors.pending_export(patient_id=patient.pk)
        if pending is None:
            raise
        return pending
    # Recorded with the row: a broker that is down now only delays the build.
    follow_up_request(task=RECORD_EXPORT_BUILD, patient_id=patient.pk, now=now)
    logger.info(
        "Record export %s requested for patient %s by user %s",
        export.pk,
        patient.pk,
        requested_by.pk,
    )
    return export


# --- Building ------------------------------------------------------------------------------------


def _start(patient_id: int) -> RecordExport | None:
    """Count one more build of the patient's pending export; None when nothing is pending."""
    with transaction.atomic():
        export = (
            RecordExport.objects.select_for_update()
            .defer("archive")
            .filter(patient_id=patient_id, status=ExportStatus.PENDING)
            .first()
        )
        if export is None:
            return None
        RecordExport.objects.filter(pk=export.pk).update(attempts=F("attempts") + 1)
    export.attempts += 1
    return export


def _patient(export: RecordExport) -> User:
    return User.objects.get(pk=export.patient_id)


def _ready_message(export: RecordExport, expires_at: dt.datetime, patient: User) -> Planned:
    """ "Your record is ready", in the patient's language (written by a task, not a request)."""
    zone = selectors.patient_zone(patient_id=export.patient_id)
    with in_language_of(patient):
        until = selectors.until_words(local_time(expires_at, zone))
        title = _("Your record is ready to download")
        body = _(
            "The copy of your record you asked for is ready. It stays here for %(days)s days, "
            "until %(until)s. Then we remove it, and you can ask for a new one in your settings "
            "at any time. It holds your daily logs, flags, questions, appointments, messages "
            "and who has looked at your record, as files that open in a spreadsheet app, and "
            "one file for hospital systems."
        ) % {"days": settings.RECORD_EXPORT_KEEP_DAYS, "until": until}
    return Planned(
        key=ready_key(export.pk),
        kind=Kind.RECORD_EXPORT,
        recipient_id=export.patient_id,
        due_at=timezone.now(),
        title=title,
        body=body,
        link=reverse("record_export", args=[export.pk]),
        subject_type=SUBJECT,
        subject_id=export.pk,
        channels=(Channel.IN_APP,),
    )


def _failed_message(export: RecordExport) -> Planned:
    with in_language_of(_patient(export)):
        title = _("We could not prepare your record")
        body = _(
            "Sorry: something went wrong on our side while we were making the copy of your "
            "record you asked for. Nothing in your record is lost or changed. You can ask again "
            "in your settings. If it happens again, please tell your care team."
        )
    return Planned(
        key=failed_key(export.pk),
        kind=Kind.RECORD_EXPORT,
        recipient_id=export.patient_id,
        due_at=timezone.now(),
        title=title,
        body=body,
        link=reverse("settings") + "#record-export",
        subject_type=SUBJECT,
        subject_id=export.pk,
        channels=(Channel.IN_APP,),
    )


def _fail(export: RecordExport, error_text: str) -> None:
    with transaction.atomic():
        failed = RecordExport.objects.filter(pk=export.pk, status=ExportStatus.PENDING).update(
            status=ExportStatus.FAILED, last_error=error_text
        )
        if failed:
            notifications_plan(planned=[_failed_message(export)])
            after_commit(DISPATCH_TASK)
    if failed:
        logger.error("Record export %s failed for good after %s tries", export.pk, export.attempts)


def record_export_build(*, patient_id: int, now: dt.datetime | None = None) -> RecordExport | None:
    """Build the patient's pending export, if there is one. Idempotent: a second run finds
    nothing pending, and two at once store one file and plan one message."""
    export = _start(patient_id)
    if export is None:
        return None
    if export.attempts > MAX_BUILD_ATTEMPTS:  # its builds kept dying before they could fail
        _fail(export, export.last_error or "The build stopped before it finished, every time.")
        return export
    # Loaded here, not at start-up: only workers build, and the FHIR models are a big import.
    from exports import fhir

    try:
        record = selectors.patient_record(patient_id=patient_id)
        fhir_json = fhir.bundle_json(patient_id=patient_id, since=None)  # never translated
        # The README and the words in the tables (kinds, statuses) in the patient's language.
        with in_language_of(record.patient):
            data = archive.record_zip(record=record, fhir_json=fhir_json, now=now or timezone.now())
    except Exception as error:
        error_text = f"{type(error).__name__}: {error}"[:2000]
        RecordExport.objects.filter(pk=export.pk, status=ExportStatus.PENDING).update(
            last_error=error_text
        )
        if export.attempts >= MAX_BUILD_ATTEMPTS:
            _fail(export, error_text)
            return export
        # The error's type only: its message may quote the record (kept on the row for admins).
        logger.warning(
            "Building record export %s failed (try %s): %s",
            export.pk,
            export.attempts,
            type(error).__name__,
        )
        raise  # the follow-up backs off and sends it again
    now = now or timezone.now()
    expires_at = now + keep_for()
    with transaction.atomic():
        stored = RecordExport.objects.filter(pk=export.pk, status=ExportStatus.PENDING).update(
            status=ExportStatus.READY,
            archive=data,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            ready_at=now,
            expires_at=expires_at,
            last_error="",
        )
        if stored:
            notifications_plan(planned=[_ready_message(export, expires_at, record.patient)])
            after_commit(DISPATCH_TASK)  # shown at once, not at the dispatcher's next minute
    if stored:
        logger.info("Record export %s ready: %s bytes", export.pk, len(data))
    return export


# --- Downloading ---------------------------------------------------------------------------------


def record_export_download(
    *, export: RecordExport, user: User, now: dt.datetime | None = None
) -> bytes | None:
    """The ZIP, for its own patient, while it is ready and in date (None otherwise). Each
    download is counted on the row, audited (django-auditlog "access") and logged."""
    if export.patient_id != user.pk:
        return None
    now = now or timezone.now()
    counted = RecordExport.objects.filter(
        pk=export.pk,
        status=ExportStatus.READY,
        expires_at__gt=now,
        archive__isnull=False,
    ).update(download_count=F("download_count") + 1, last_downloaded_at=now)
    if not counted:
        return None
    data = selectors.archive_bytes(export_id=export.pk)
    if data is None:  # removed between the two reads
        return None
    accessed.send(sender=RecordExport, instance=export)
    logger.info(
        "Record export %s downloaded by patient %s (%s bytes)", export.pk, user.pk, len(data)
    )
    return data


# --- Expiring ------------------------------------------------------------------------------------


def record_exports_expire(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Remove the files of ready exports past their date (the rows stay, as the trail), cancel
    their message if it was never sent, and ask again for pending exports whose follow-up was
    lost. Returns counts."""
    now = now or timezone.now()
    ids = list(
        RecordExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    expired = RecordExport.objects.filter(pk__in=ids, status=ExportStatus.READY).update(
        status=ExportStatus.EXPIRED, archive=None
    )
    if ids:
        notifications_cancel_pending(keys=[ready_key(pk) for pk in ids], now=now)
    # A safety net: a pending export always has its follow-up, unless something removed it.
    waiting = set(
        FollowUp.objects.filter(task=RECORD_EXPORT_BUILD).values_list("patient_id", flat=True)
    )
    stale = RecordExport.objects.filter(
        status=ExportStatus.PENDING, requested_at__lte=now - STALE_PENDING
    ).exclude(patient_id__in=waiting)
    asked_again = 0
    for patient_id in stale.values_list("patient_id", flat=True)[:limit]:
        with transaction.atomic():
            follow_up_request(task=RECORD_EXPORT_BUILD, patient_id=patient_id, now=now)
        asked_again += 1
    counts = {"expired": expired, "asked_again": asked_again}
    if expired or asked_again:
        logger.info("Record exports expired: %s", counts)
    return counts


def message_still_wanted(notification: Notification, now: dt.datetime) -> bool:
    """Send-time check: "ready" only while the file is there, "failed" only if it failed."""
    if notification.subject_type != SUBJECT or notification.subject_id is None:
        return True
    export = (
        RecordExport.objects.filter(pk=notification.subject_id)
        .values("status", "expires_at")
        .first()
    )
    if export is None:
        return False
    if notification.key == ready_key(notification.subject_id):
        return export["status"] == ExportStatus.READY and export["expires_at"] > now
    if notification.key == failed_key(notification.subject_id):
        return export["status"] == ExportStatus.FAILED
    return True

"""Writes for the post-scan check-in: "how anxious are you feeling?", 0 to 10, one per scan.

The page, the API or admin call ``scan_checkin_save``; it checks everything itself, so no entry
point can store what the patient could not.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import PatientProfile, User
from appointments.choices import SCAN_KINDS
from appointments.models import Appointment, AppointmentStatus, ScanCheckIn
from lib.clock import local_time

ANXIETY_MIN = 0
ANXIETY_MAX = 10
# 7 or more (ESAS "severe"): support is shown at once, on the page that saved the answer.
HIGH_ANXIETY = 7
NOTE_MAX_LENGTH = 2000

ANXIETY_ERROR = gettext_lazy(
    "Please choose a number from 0 (not at all anxious) to 10 (very anxious)."
)


def is_high(anxiety: int) -> bool:
    return anxiety >= HIGH_ANXIETY


def _clean_anxiety(anxiety: object) -> int:
    if isinstance(anxiety, bool) or not isinstance(anxiety, int):
        raise ValidationError({"anxiety": [ANXIETY_ERROR]}, code="invalid")
    if not ANXIETY_MIN <= anxiety <= ANXIETY_MAX:
        raise ValidationError({"anxiety": [ANXIETY_ERROR]}, code="out_of_range")
    return anxiety


def _check_scan(*, patient: User, appointment: Appointment, now: dt.datetime) -> None:
    if appointment.patient_id != patient.pk:
        raise ValidationError({"appointment": [_("This is not your appointment.")]}, code="not_own")
    if appointment.kind not in SCAN_KINDS:
        raise ValidationError(
            {"appointment": [_("The check-in is for scans and restaging visits.")]}, code="not_scan"
        )
    if appointment.status == AppointmentStatus.CANCELLED:
        raise ValidationError({"appointment": [_("This scan was cancelled.")]}, code="cancelled")
    profile = PatientProfile.objects.filter(user=patient).first()
    if profile is None:
        raise ValidationError({"patient": [_("The check-in is for patients.")]}, code="no_profile")
    scan_day = local_time(appointment.starts_at, profile.zone).date()
    if scan_day > profile.local_today(now):
        raise ValidationError(
            {"appointment": [_("You can tell us how you feel from the day of your scan.")]},
            code="too_early",
        )


@transaction.atomic
def scan_checkin_save(
    *,
    patient: User,
    appointment: Appointment,
    anxiety: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> tuple[ScanCheckIn, bool]:
    """Store (or update) the patient's check-in for one of their scans.

    One row per scan: answering again changes the same row. Allowed from the local day of the
    scan on. Returns the check-in and whether it is new.
    """
    now = now or timezone.now()
    anxiety = _clean_anxiety(anxiety)
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": [
                    _("Notes can be up to %(limit)d characters. Please shorten it.")
                    % {"limit": NOTE_MAX_LENGTH}
                ]
            },
            code="max_length",
        )
    _check_scan(patient=patient, appointment=appointment, now=now)
    # update_or_create locks the row; two first answers at once meet the unique constraint,
    # and the loser updates the winner's row instead.
    return ScanCheckIn.objects.update_or_create(
        appointment=appointment,
        defaults={"anxiety": anxiety, "note": note},
        create_defaults={"patient": patient, "anxiety": anxiety, "note": note},
    )

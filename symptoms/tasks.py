"""Background work for symptoms: reminder planning. Thin: load by id, call a service.

Beat runs ``plan_reminders_nightly`` once a night; ``replan_patient_reminders`` follows a profile
change, recorded with it (``followups.services``: sent again if lost). Both are idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.models import PatientProfile
from followups.services import REMINDER_REPLAN, follow_up_run
from symptoms.reminder_planning import (
    SOFT_TIME_LIMIT,
    TIME_LIMIT,
    patient_reminders_replan,
    plan_reminders,
)

logger = logging.getLogger(__name__)


# The time limit stays below FOLLOW_UP_CLAIM_SECONDS: a slow run is never sent again meanwhile.
@shared_task(soft_time_limit=60, time_limit=90, ignore_result=True)
def replan_patient_reminders(patient_id: int) -> None:
    """Plan a patient's reminders again after their profile changed (``followups.services``):
    idempotent, so a second run changes nothing."""
    with follow_up_run(task=REMINDER_REPLAN, patient_id=patient_id):
        profile = PatientProfile.objects.filter(pk=patient_id, user__is_active=True).first()
        if profile is not None:
            patient_reminders_replan(profile=profile)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    ignore_result=True,
)
def plan_reminders_nightly() -> dict[str, int]:
    """Plan the coming days' reminders for every patient (idempotent). Returns the counts."""
    counts = plan_reminders()
    # A skipped patient is logged with the error; the summary says how many there were.
    level = logging.WARNING if counts["failed"] else logging.INFO
    logger.log(level, "Reminders planned: %s", counts)
    return counts

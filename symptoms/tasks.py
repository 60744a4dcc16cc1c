"""Background work for symptoms: reminder planning. Thin: load by id, call a service.

Beat runs ``plan_reminders_nightly`` once a night: it starts a pass whose chunks
(``plan_reminders_chunk``, acknowledged late) every worker shares. ``replan_patient_reminders``
follows a profile change, recorded with it (``followups.services``: sent again if lost). All
are idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.models import PatientProfile
from followups import passes
from followups.services import REMINDER_REPLAN, follow_up_run
from symptoms.reminder_planning import (
    CHUNK_SOFT_TIME_LIMIT,
    CHUNK_TIME_LIMIT,
    PATIENT_BATCH,
    active_profiles,
    patient_reminders_replan,
    reminders_plan_chunk,
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


PLANNING = passes.PassKind(
    name="Reminders planned",
    chunk_task=passes.REMINDER_PLANNING_CHUNK,
    work=reminders_plan_chunk,
)


@shared_task(ignore_result=True)
def plan_reminders_nightly() -> int:
    """Start the nightly planning: every active patient, ``PATIENT_BATCH`` to a chunk, the
    chunks shared by every worker (``followups.passes``). Returns the pass's id; the pass logs
    its totals when its last chunk is done."""
    ids = active_profiles().values_list("pk", flat=True).iterator(chunk_size=10_000)
    return passes.pass_start(kind=PLANNING, ids=ids, chunk_size=PATIENT_BATCH).pk


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=CHUNK_SOFT_TIME_LIMIT,
    time_limit=CHUNK_TIME_LIMIT,
    ignore_result=True,
)
def plan_reminders_chunk(chunk_id: int) -> None:
    """Plan the coming days' reminders for one chunk of patients (idempotent)."""
    passes.chunk_run(chunk_id, kind=PLANNING)

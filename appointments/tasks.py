"""Background work for appointments. Beat runs ``plan_reminders_nightly`` once a night.

Planning also happens on every change (booking, rescheduling, cancelling, a new reminder time);
the nightly pass is the net under it: it adds the next days' log nudges, plans restaging
reminders as due dates come near, and repairs anything a change missed. Every step is idempotent
(outbox rows have a natural key and the planners only add, move or cancel pending rows), so the
task may be acknowledged late and run again after a lost worker: a second run plans nothing.

This module is an entry point: it may orchestrate several apps (appointments and symptoms).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from accounts.models import PatientProfile
from appointments import services
from symptoms import reminders as log_reminders

logger = logging.getLogger(__name__)

PATIENT_BATCH = 500
# Far below the Redis visibility timeout (an hour), so a late-acknowledged run is never
# redelivered while it is still running; well above a night's planning (see bench_planning.py).
SOFT_TIME_LIMIT = 1500
TIME_LIMIT = 1800


def plan_reminders(
    *,
    now: dt.datetime | None = None,
    patient_batch: int = PATIENT_BATCH,
    appointment_batch: int = services.APPOINTMENT_BATCH,
) -> dict[str, int]:
    """Plan every active patient's reminders: their appointments', their restaging reminder and
    their daily log nudges, ``patient_batch`` patients per transaction. Returns counts."""
    now = now or timezone.now()
    totals: Counter[str] = Counter()
    profiles = (
        PatientProfile.objects.filter(user__is_active=True)
        .only("user_id", "timezone", "log_reminder_time", "restaging_interval_weeks", "enrolled_on")
        .order_by("pk")
    )
    last_pk = 0
    while batch := list(profiles.filter(pk__gt=last_pk)[:patient_batch]):
        last_pk = batch[-1].pk
        with transaction.atomic():
            totals["appointment_reminders"] += services.appointment_reminders_plan_for(
                profiles=batch, now=now, batch_size=appointment_batch
            )
            totals["restaging_reminders"] += services.restaging_reminders_plan(
                profiles=batch, now=now
            )
            totals["log_reminders"] += log_reminders.log_reminders_plan(profiles=batch, now=now)
        totals["patients"] += len(batch)
    return {name: totals[name] for name in ("patients", *sorted(set(totals) - {"patients"}))}


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
    logger.info("Reminders planned: %s", counts)
    return counts

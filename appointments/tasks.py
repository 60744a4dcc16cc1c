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
from collections.abc import Callable

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
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


def _plan_batch(
    profiles: list[PatientProfile], *, now: dt.datetime, appointment_batch: int
) -> Counter[str]:
    """Plan these patients' reminders in one transaction: all of them, or (if it raises) none."""
    counts: Counter[str] = Counter()
    with transaction.atomic():
        counts["appointment_reminders"] += services.appointment_reminders_plan_for(
            profiles=profiles, now=now, batch_size=appointment_batch
        )
        counts["restaging_reminders"] += services.restaging_reminders_plan(
            profiles=profiles, now=now
        )
        counts["log_reminders"] += log_reminders.log_reminders_plan(profiles=profiles, now=now)
    counts["patients"] += len(profiles)
    return counts


def plan_reminders(
    *,
    now: dt.datetime | None = None,
    patient_batch: int = PATIENT_BATCH,
    appointment_batch: int = services.APPOINTMENT_BATCH,
    on_failure: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Plan every active patient's reminders: their appointments', their restaging reminder and
    their daily log nudges, ``patient_batch`` patients per transaction. Returns counts:
    ``patients`` planned, ``failed`` skipped, and the rows newly planned of each kind.

    One patient whose planning raises does not stop the others: their batch is rolled back and
    planned again one patient at a time, and only the patient who fails again is skipped (their
    own transaction rolled back), logged and counted in ``failed``; ``on_failure`` is called
    with their id. Every later batch is planned as usual."""
    now = now or timezone.now()
    totals: Counter[str] = Counter(failed=0)
    profiles = (
        PatientProfile.objects.filter(user__is_active=True)
        .only("user_id", "timezone", "log_reminder_time", "restaging_interval_weeks", "enrolled_on")
        .order_by("pk")
    )
    last_pk = 0
    while batch := list(profiles.filter(pk__gt=last_pk)[:patient_batch]):
        last_pk = batch[-1].pk
        planned: Counter[str] | None
        try:
            planned = _plan_batch(batch, now=now, appointment_batch=appointment_batch)
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            logger.warning("Planning a batch failed; planning it patient by patient", exc_info=True)
            planned = None
        if planned is not None:
            totals.update(planned)
            continue
        for profile in batch:  # someone in this batch fails: skip only them
            try:
                totals.update(_plan_batch([profile], now=now, appointment_batch=appointment_batch))
            except SoftTimeLimitExceeded:
                raise
            except Exception:
                logger.exception("Could not plan the reminders of patient %s: skipped", profile.pk)
                totals["failed"] += 1
                if on_failure is not None:
                    on_failure(profile.pk)
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

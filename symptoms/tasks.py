"""Background work for flags. Thin: load by id, call a service.

``evaluate_patient_flags`` runs after each saved log and each appointment change (enqueued on
commit through ``request_flag_evaluation``); beat runs ``sweep_flags`` once a night over every
patient. Evaluation is idempotent (flags are reconciled, alerts have natural keys), so both tasks
are acknowledged late and may run again after a lost worker without any effect.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from accounts.models import PatientProfile
from symptoms import flags

logger = logging.getLogger(__name__)

PATIENT_BATCH = 500
# Far below the Redis visibility timeout (an hour): a late-acknowledged task is never redelivered
# while it still runs.
SOFT_TIME_LIMIT = 1500
TIME_LIMIT = 1800


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def evaluate_patient_flags(patient_id: int) -> None:
    flags.evaluate_patient(patient=patient_id)


def _enqueue(patient_id: int) -> None:
    try:
        # No retries: a broker that is down fails fast, and the nightly sweep catches up.
        evaluate_patient_flags.apply_async((patient_id,), retry=False)
    except Exception:
        logger.exception("Could not enqueue the flag evaluation of patient %s", patient_id)


def request_flag_evaluation(patient_id: int) -> None:
    """Evaluate the patient's flags in the background once the current transaction commits.

    Like ``delay_on_commit``, but a broken broker is logged, never raised: it must not fail the
    save that asked (the nightly sweep evaluates everybody anyway)."""
    transaction.on_commit(lambda: _enqueue(patient_id))


def sweep(*, now: dt.datetime | None = None, batch: int = PATIENT_BATCH) -> dict[str, int]:
    """Evaluate every active patient, ``batch`` at a time (one transaction each), then plan the
    coordinators' morning digests. Returns counts.

    One patient whose evaluation raises does not stop the others: their batch is rolled back
    and evaluated again one patient at a time, and only the patient who fails again is skipped,
    logged and counted in ``failed``."""
    now = now or timezone.now()
    limits, symptoms = flags.thresholds(), flags.symptom_facts()
    ids = PatientProfile.objects.filter(user__is_active=True).order_by("pk")
    totals: Counter[str] = Counter(failed=0)
    last_pk = 0
    while chunk := list(ids.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch]):
        last_pk = chunk[-1]
        result: flags.EvaluationResult | None
        try:
            result = flags.evaluate_patients(chunk, now=now, limits=limits, symptoms=symptoms)
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            logger.warning(
                "Evaluating a batch failed; evaluating it patient by patient", exc_info=True
            )
            result = None
        if result is None:  # someone in this batch fails: skip only them
            result = flags.EvaluationResult()
            for patient_id in chunk:
                try:
                    result.merge(
                        flags.evaluate_patients(
                            [patient_id], now=now, limits=limits, symptoms=symptoms
                        )
                    )
                except SoftTimeLimitExceeded:
                    raise
                except Exception:
                    logger.exception(
                        "Could not evaluate the flags of patient %s: skipped", patient_id
                    )
                    totals["failed"] += 1
        totals["patients"] += result.patients
        totals["opened"] += len(result.opened)
        totals["updated"] += len(result.updated)
        totals["resolved"] += len(result.resolved)
        totals["alerts"] += result.alerts_planned
    totals["digests"] = flags.flag_digests_plan(now=now)
    return dict(totals)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def sweep_flags() -> dict[str, int]:
    totals = sweep()
    logger.info("Flag sweep: %s", totals)
    return totals

"""Background work for flags. Thin: load by id, call a service.

``evaluate_patient_flags`` runs after each saved or deleted log and each appointment or profile
change: the actions record it with their write (``followups.services``), which sends it again
if it is lost or its worker dies, within minutes. So it is acknowledged early and never waits for
the broker's redelivery. Beat runs ``sweep_flags`` once a night over every patient, a safety net
that is acknowledged late. Evaluation is idempotent (flags are reconciled, alerts have natural
keys, each patient's profile is locked while evaluated), so running twice has no effect.
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
from flags import facts
from flags.services import evaluate_patient, evaluate_patients, flag_digests_plan
from followups.services import FLAG_EVALUATION, follow_up_run
from notifications.tasks import dispatch_due_notifications

logger = logging.getLogger(__name__)

PATIENT_BATCH = 500
# Far below the Redis visibility timeout (an hour): a late-acknowledged task is never redelivered
# while it still runs.
SOFT_TIME_LIMIT = 1500
TIME_LIMIT = 1800


# The time limit stays below FOLLOW_UP_CLAIM_SECONDS: a slow run is never sent again meanwhile.
@shared_task(soft_time_limit=60, time_limit=90, ignore_result=True)
def evaluate_patient_flags(patient_id: int) -> None:
    with follow_up_run(task=FLAG_EVALUATION, patient_id=patient_id):
        result = evaluate_patient(patient=patient_id)
    if result.alerts_planned:
        # The coordinators' alerts are due now: send them at once rather than at the
        # dispatcher's next minute (beat still runs it, should this ring be lost).
        transaction.on_commit(_ring_dispatcher)


def _ring_dispatcher() -> None:
    try:
        dispatch_due_notifications.apply_async(retry=False)
    except Exception:
        logger.warning("Could not ring the dispatcher; it runs within a minute", exc_info=True)


def sweep(
    *,
    now: dt.datetime | None = None,
    batch: int = PATIENT_BATCH,
    on_failure: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Evaluate every active patient, ``batch`` at a time (one transaction each), then plan the
    coordinators' morning digests. Returns counts.

    One patient whose evaluation raises does not stop the others: their batch is rolled back
    and evaluated again one patient at a time, and only the patient who fails again is skipped
    (their own transaction rolled back), logged and counted in ``failed``; ``on_failure`` is
    called with their id."""
    now = now or timezone.now()
    limits, symptoms = facts.thresholds(), facts.symptom_facts()
    ids = PatientProfile.objects.filter(user__is_active=True).order_by("pk")
    totals: Counter[str] = Counter(failed=0)

    def evaluate(patient_ids: list[int]) -> None:
        result = evaluate_patients(patient_ids, now=now, limits=limits, symptoms=symptoms)
        totals["patients"] += result.patients
        totals["opened"] += len(result.opened)
        totals["updated"] += len(result.updated)
        totals["resolved"] += len(result.resolved)
        totals["alerts"] += result.alerts_planned

    last_pk = 0
    while chunk := list(ids.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch]):
        last_pk = chunk[-1]
        try:
            evaluate(chunk)
            continue
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            logger.warning(
                "Evaluating a batch failed; evaluating it patient by patient", exc_info=True
            )
        for patient_id in chunk:  # someone in this batch fails: skip only them
            try:
                evaluate([patient_id])
            except SoftTimeLimitExceeded:
                raise
            except Exception:
                logger.exception("Could not evaluate the flags of patient %s: skipped", patient_id)
                totals["failed"] += 1
                if on_failure is not None:
                    on_failure(patient_id)
    totals["digests"] = flag_digests_plan(now=now)
    return dict(totals)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def sweep_flags() -> dict[str, int]:
    totals = sweep()
    # A skipped patient is logged above with the error; the summary says how many there were.
    level = logging.WARNING if totals["failed"] else logging.INFO
    logger.log(level, "Flag sweep: %s", totals)
    return totals

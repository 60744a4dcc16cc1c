"""Background work for flags. Thin: load by id, call a service.

``evaluate_patient_flags`` runs after each saved or deleted log and each appointment or profile
change: the actions record it with their write (``followups.services``), which sends it again
if it is lost or its worker dies, within minutes. So it is acknowledged early and never waits for
the broker's redelivery. Beat runs ``sweep_flags`` once a night over every patient, a safety net:
it starts a pass whose chunks (``sweep_flags_chunk``, acknowledged late) every worker shares.
Evaluation is idempotent (flags are reconciled, alerts have natural keys, each patient's profile
is locked while evaluated), so running twice has no effect.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence

from celery import shared_task
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import PatientProfile
from flags import facts, rules
from flags.services import evaluate_patient, evaluate_patients, flag_digests_plan
from followups import passes
from followups.services import FLAG_EVALUATION, follow_up_run
from lib.batches import run_isolating
from notifications.tasks import dispatch_due_notifications

logger = logging.getLogger(__name__)

PATIENT_BATCH = 500  # patients to a transaction, and to a chunk of the nightly sweep
# Far below the Redis visibility timeout (an hour) and the pass's claim: a late-acknowledged
# chunk is never sent again while it still runs. A chunk takes about a second.
CHUNK_SOFT_TIME_LIMIT = 240
CHUNK_TIME_LIMIT = 300


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


def _sweep_batch(
    patient_ids: list[int],
    *,
    now: dt.datetime,
    limits: rules.Thresholds,
    on_failure: Callable[[int], None] | None = None,
) -> Counter[str]:
    """Evaluate these patients in one transaction. If that raises, they are rolled back and
    evaluated again one at a time, and only a patient who fails again is skipped (their own
    transaction rolled back), logged and counted in ``failed``."""

    def evaluate(ids: Sequence[int]) -> Counter[str]:
        # Symptom names are read per patient, in their language (evaluate_patients).
        result = evaluate_patients(list(ids), now=now, limits=limits)
        return Counter(
            patients=result.patients,
            opened=len(result.opened),
            updated=len(result.updated),
            resolved=len(result.resolved),
            alerts=result.alerts_planned,
        )

    return run_isolating(
        patient_ids,
        evaluate,
        key=lambda patient_id: patient_id,
        doing="evaluate the flags of patient",
        logger=logger,
        on_failure=on_failure,
    )


def _active_patients() -> QuerySet[PatientProfile]:
    return PatientProfile.objects.filter(user__is_active=True).order_by("pk")


def sweep(
    *,
    now: dt.datetime | None = None,
    batch: int = PATIENT_BATCH,
    on_failure: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Evaluate every active patient, ``batch`` at a time (one transaction each), then plan the
    coordinators' morning digests, here and now (``manage.py evaluate_flags``; beat fans the same
    work out over the workers: ``sweep_flags``). Returns counts.

    One patient whose evaluation raises does not stop the others: their batch is rolled back
    and evaluated again one patient at a time, and only the patient who fails again is skipped
    (their own transaction rolled back), logged and counted in ``failed``; ``on_failure`` is
    called with their id."""
    now = now or timezone.now()
    limits = facts.thresholds()
    ids = _active_patients()
    totals: Counter[str] = Counter(failed=0)
    last_pk = 0
    while chunk := list(ids.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch]):
        last_pk = chunk[-1]
        totals.update(_sweep_batch(chunk, now=now, limits=limits, on_failure=on_failure))
    totals["digests"] = flag_digests_plan(now=now)
    return dict(totals)


def _sweep_chunk(first_id: int, last_id: int, now: dt.datetime) -> Counter[str]:
    """The work of one chunk of the nightly sweep: its active patients, in one batch."""
    ids = list(
        _active_patients().filter(pk__gte=first_id, pk__lte=last_id).values_list("pk", flat=True)
    )
    if not ids:
        return Counter(failed=0)
    return _sweep_batch(ids, now=now, limits=facts.thresholds())


def _plan_digests(now: dt.datetime) -> dict[str, int]:
    return {"digests": flag_digests_plan(now=now)}


SWEEP = passes.PassKind(
    name="Flag sweep",
    chunk_task=passes.FLAG_SWEEP_CHUNK,
    work=_sweep_chunk,
    finish=_plan_digests,
)


@shared_task(ignore_result=True)
def sweep_flags() -> int:
    """Start the nightly sweep: every active patient, ``PATIENT_BATCH`` to a chunk, the chunks
    shared by every worker (``followups.passes``). Returns the pass's id; the pass logs its
    totals when its last chunk is done."""
    ids = _active_patients().values_list("pk", flat=True).iterator(chunk_size=10_000)
    return passes.pass_start(kind=SWEEP, ids=ids, chunk_size=PATIENT_BATCH).pk


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=CHUNK_SOFT_TIME_LIMIT,
    time_limit=CHUNK_TIME_LIMIT,
    ignore_result=True,
)
def sweep_flags_chunk(chunk_id: int) -> None:
    """One chunk of the nightly sweep; the last one done plans the digests."""
    passes.chunk_run(chunk_id, kind=SWEEP)

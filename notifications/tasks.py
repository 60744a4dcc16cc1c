"""Background work for the outbox. Beat runs ``dispatch_due_notifications`` every minute.

The task is idempotent by design (rows are claimed with a lease and confirmed with a conditional
UPDATE), so it may be acknowledged late and redelivered after a lost worker: a second run finds
nothing left to send. Delay never lives in the broker (no eta, no countdown): it lives in
``Notification.due_at``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter

from celery import shared_task

from notifications import services

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_BATCHES = 20
# Stop starting batches after this long, well inside the soft time limit below, which is itself
# far below the Redis visibility timeout (an hour): a late-acknowledged run is never redelivered
# while it is still running.
RUN_BUDGET = dt.timedelta(seconds=150)
SOFT_TIME_LIMIT = 200
TIME_LIMIT = 240


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    ignore_result=True,
)
def dispatch_due_notifications() -> dict[str, int]:
    """Send what is due, a batch at a time, until a batch comes back short (at most
    ``MAX_BATCHES`` batches, within ``RUN_BUDGET``). Returns the counts it logs."""
    started = time.monotonic()
    totals: Counter[str] = Counter()
    for _ in range(MAX_BATCHES):
        remaining = RUN_BUDGET - dt.timedelta(seconds=time.monotonic() - started)
        if remaining <= dt.timedelta(0):
            break
        result = services.dispatch_due(limit=BATCH_SIZE, budget=remaining)
        totals.update(
            claimed=result.claimed,
            sent=result.sent,
            skipped=result.skipped,
            retried=result.retried,
            failed=result.failed,
            lost=result.lost_claims,
            released=result.released,
        )
        totals["batches"] += 1
        if result.claimed < BATCH_SIZE or result.released:
            break
    counts = {name: totals[name] for name in sorted(totals)}
    if totals["claimed"]:
        logger.info("Notifications dispatched: %s", counts)
    return counts

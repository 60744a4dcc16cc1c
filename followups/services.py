"""The follow-ups a write needs, recorded with the write and never lost.

A saved log needs a flag evaluation; a changed appointment or profile needs that and its
reminders planned again. The services that write sit below the apps whose tasks follow up
(``symptoms`` below ``flags``, ``accounts`` below everything), so they name the task instead of
importing it: the names below are the whole contract, and a test checks that each one is a
registered task.

How nothing is lost:

1. ``request_flag_evaluation`` / ``request_reminder_replan`` upsert a ``FollowUp`` row in the
   caller's transaction, keyed by (task, patient): the request commits or rolls back with the
   write, and a burst of saves coalesces into one row (``version`` counts the requests).
2. Once the write commits the task is rung through the broker, for speed. A broker that is down
   is logged and never fails the save.
3. Beat runs ``drain`` every minute: it sends every row whose ring was lost (unclaimed for longer
   than the grace period) or whose claim lapsed (its worker died, or the task failed).
4. The task claims its row for ``FOLLOW_UP_CLAIM_SECONDS`` (longer than its time limit), does
   the work, then deletes the row only if ``version`` did not move meanwhile: a request that
   arrived during the work keeps its row and is sent again.

So a follow-up is done at least once, within about a claim and a drain interval of the broker
and a worker being back. The tasks are idempotent (flags are reconciled, alerts have natural
keys), which makes "at least once" exactly once where it matters. The tasks are acknowledged
early: a lost worker is replaced by the drain, never by the broker's visibility timeout.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery import Task, current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from kombu import Connection

from followups.models import FollowUp

logger = logging.getLogger(__name__)

FLAG_EVALUATION = "flags.tasks.evaluate_patient_flags"
REMINDER_REPLAN = "symptoms.tasks.replan_patient_reminders"
RECORD_EXPORT_BUILD = "exports.tasks.build_record_export"  # a patient asked for their record
TASK_NAMES = (FLAG_EVALUATION, REMINDER_REPLAN, RECORD_EXPORT_BUILD)
MAX_BACKOFF = dt.timedelta(hours=1)


def claim_length() -> dt.timedelta:
    """How long a started (or drained) follow-up is left alone before it is sent again."""
    return dt.timedelta(seconds=settings.FOLLOW_UP_CLAIM_SECONDS)


def ring_grace() -> dt.timedelta:
    """How long an unclaimed row waits for its own ring before the drain sends it."""
    return dt.timedelta(seconds=settings.FOLLOW_UP_RING_GRACE_SECONDS)


_connections = threading.local()


def _connection(*, fresh: bool) -> Connection:
    """This thread's broker connection for rings. It tries the broker once (``max_retries`` 0):
    the shared pool's connections retry for seconds when the broker is down, and a save must not
    wait for that; the follow-up is already recorded and the drain sends it. Only publishing uses
    it: workers keep reconnecting on their own."""
    broker = getattr(_connections, "broker", None)
    if broker is None or fresh:
        if broker is not None:
            with contextlib.suppress(Exception):
                broker.release()
        broker = current_app.connection_for_write(transport_options={"max_retries": 0})
        _connections.broker = broker
    return broker


_task_import = threading.Lock()


def registered_task(task_name: str) -> Task:
    """The Celery task named ``task_name``, importing the task modules on first use. Under a
    lock: gthread serves several saves at once, and a thread that asked while another was still
    importing found the task missing."""
    app = current_app
    if task_name not in app.tasks:
        with _task_import:
            if task_name not in app.tasks:
                app.loader.import_default_modules()
    return app.tasks[task_name]


def send(task_name: str, *args: int) -> bool:
    """Hand ``task_name(*args)`` to the broker at once. A broker that is down is logged, never
    raised; returns whether it was sent."""
    try:
        task = registered_task(task_name)
        try:
            task.apply_async(args, retry=False, connection=_connection(fresh=False))
        except Exception:
            # The kept connection may have been cut (a restarted broker): once more, afresh.
            task.apply_async(args, retry=False, connection=_connection(fresh=True))
    except Exception as error:
        # One line, no traceback: an outage is expected, and the drain catches up.
        logger.warning("Could not send %s%s: %s: %s", task_name, args, type(error).__name__, error)
        return False
    return True


@dataclass(frozen=True, slots=True)
class _Ring:
    task_name: str
    args: tuple[int, ...]

    def __call__(self) -> None:
        send(self.task_name, *self.args)


def after_commit(task_name: str, *args: int) -> None:
    """Send ``task_name(*args)`` once the current transaction commits (at once outside one).
    Not recorded: for follow-ups that may be lost (an invitation can be sent again)."""
    transaction.on_commit(_Ring(task_name, args))


def follow_up_request(*, task: str, patient_id: int, now: dt.datetime | None = None) -> None:
    """Record that ``task(patient_id)`` must run, in the caller's transaction, and ring it once
    that commits. Asking again while one is pending bumps its version (one row per key)."""
    now = now or timezone.now()
    table = connection.ops.quote_name(FollowUp._meta.db_table)
    with connection.cursor() as cursor:
        # One statement, race-free: PostgreSQL and SQLite both upsert on the unique key.
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 (the table name is ours, quoted)
            "(task, patient_id, version, requested_at, claimed_until, attempts, last_error) "
            "VALUES (%s, %s, 1, %s, NULL, 0, '') "
            "ON CONFLICT (task, patient_id) DO UPDATE SET "
            f"version = {table}.version + 1, requested_at = excluded.requested_at, "
            "claimed_until = NULL, attempts = 0",
            [task, patient_id, now],
        )
    after_commit(task, patient_id)


def request_flag_evaluation(patient_id: int) -> None:
    """Evaluate the patient's flags in the background, recorded with the current write."""
    follow_up_request(task=FLAG_EVALUATION, patient_id=patient_id)


def request_reminder_replan(patient_id: int) -> None:
    """Plan the patient's reminders again in the background, recorded with the current write."""
    follow_up_request(task=REMINDER_REPLAN, patient_id=patient_id)


def _claim(task: str, patient_id: int, now: dt.datetime) -> int | None:
    """Claim the pending row, if any; returns the version claimed."""
    with transaction.atomic():
        row = (
            FollowUp.objects.select_for_update()
            .filter(task=task, patient_id=patient_id)
            .only("pk", "version", "attempts")
            .first()
        )
        if row is None:
            return None
        FollowUp.objects.filter(pk=row.pk).update(
            claimed_until=now + claim_length(), attempts=row.attempts + 1
        )
        return row.version


@contextmanager
def follow_up_run(*, task: str, patient_id: int) -> Iterator[None]:
    """Wrap a follow-up task's work: claim its row, and remove it once the work is done unless
    it was asked for again meanwhile. Work that raises leaves the row claimed, with a backoff,
    so the drain sends it again. Runs the work even with no row (a direct call, a duplicate)."""
    now = timezone.now()
    version = _claim(task, patient_id, now)
    try:
        yield
    except Exception as error:
        if version is not None:
            row = FollowUp.objects.filter(task=task, patient_id=patient_id, version=version)
            attempts = row.values_list("attempts", flat=True).first() or 1
            backoff = min(claim_length() * 2 ** (attempts - 1), MAX_BACKOFF)
            row.update(
                claimed_until=timezone.now() + backoff,
                last_error=f"{type(error).__name__}: {error}"[:2000],
            )
        raise
    if version is not None:
        FollowUp.objects.filter(task=task, patient_id=patient_id, version=version).delete()


def drain(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send every follow-up whose ring was lost or whose claim lapsed, oldest first, and claim
    each one sent so the next drain leaves it to its worker. Returns counts."""
    now = now or timezone.now()
    due = (
        FollowUp.objects.filter(
            Q(claimed_until__isnull=True, requested_at__lte=now - ring_grace())
            | Q(claimed_until__lte=now)
        )
        .order_by("requested_at", "pk")
        .values_list("pk", "task", "patient_id", "version")[:limit]
    )
    sent: list[int] = []
    failed = 0
    for pk, task, patient_id, version in due:
        if task not in TASK_NAMES:
            logger.error("Follow-up %s names an unknown task %s: left alone", pk, task)
            failed += 1
            continue
        if not send(task, patient_id):
            failed += 1
            break  # the broker is down: the next drain tries again
        sent.append(pk)
        # Left alone for a claim's length unless asked for again (which clears the claim).
        FollowUp.objects.filter(pk=pk, version=version).update(claimed_until=now + claim_length())
    counts = {"sent": len(sent), "failed": failed, "pending": FollowUp.objects.count()}
    if sent or failed:
        logger.info("Follow-ups drained: %s", counts)
    return counts

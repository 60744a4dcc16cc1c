"""Nightly passes over every patient, fanned out over the workers in chunks.

The flag sweep and the reminder planning each walk every active patient. One task doing that
uses one worker process; here a pass is cut into chunks of patient ids that any number of
workers run side by side. There is no result backend (so no chord): the pass is kept in
PostgreSQL instead.

1. ``pass_start`` cuts the patients into ranges of ids, records the pass and its chunks in one
   transaction, and sends one task per chunk once that commits.
2. A chunk task (``chunk_run``) does its chunk's work (the app's ``work``, in transactions of
   its own), then, in one short transaction, marks the chunk done only if it was not done yet
   and adds its counts to the pass. Work repeated by a duplicate delivery is idempotent; its
   counts are not added twice.
3. Whoever finds every chunk done claims the final step with a conditional UPDATE (one of two
   racing last chunks wins), runs it (the app's ``finish``, e.g. the coordinators' digests),
   marks the pass finished and logs its totals, once.
4. The follow-ups' drain (every minute) calls ``drain``: a started chunk not done within its
   claim (its worker died, or it failed), a chunk never started while later ones were (its
   message was lost), and a final step never run are sent again. A pass always finishes.
   Finished passes are deleted after ``KEEP_FINISHED``.

The apps sit above this one, so a pass names its chunk task instead of importing it, and only
the names in ``CHUNK_TASKS`` are ever sent (a test checks they are registered tasks).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from followups.models import NightlyPass, PassChunk
from followups.services import send

logger = logging.getLogger(__name__)

FLAG_SWEEP_CHUNK = "flags.tasks.sweep_flags_chunk"
REMINDER_PLANNING_CHUNK = "symptoms.tasks.plan_reminders_chunk"
CHUNK_TASKS = (FLAG_SWEEP_CHUNK, REMINDER_PLANNING_CHUNK)

# The work of one chunk: (first id, last id, as of) -> counts. It must count skipped patients
# under "failed".
ChunkWork = Callable[[int, int, dt.datetime], Mapping[str, int]]
# The final step, run once every chunk is done: (as of) -> counts to add to the totals.
FinalStep = Callable[[dt.datetime], Mapping[str, int]]


@dataclass(frozen=True, slots=True)
class PassKind:
    """What a nightly pass does: its name in the log, its chunk task, the work of a chunk and
    the final step."""

    name: str
    chunk_task: str
    work: ChunkWork
    finish: FinalStep | None = None


def claim_length() -> dt.timedelta:
    """How long a started chunk (or final step) is left to its worker before it is sent again:
    longer than a chunk task's time limit."""
    return dt.timedelta(seconds=settings.NIGHTLY_PASS_CLAIM_SECONDS)


def grace() -> dt.timedelta:
    """How long a chunk passed over in the queue waits before it counts as lost."""
    return dt.timedelta(seconds=settings.NIGHTLY_PASS_GRACE_SECONDS)


def _ranges(ids: Iterable[int], size: int) -> list[tuple[int, int]]:
    """Consecutive ranges of ``size`` ids (both ends included) over ascending ``ids``."""
    ranges: list[tuple[int, int]] = []
    first = last = None
    count = 0
    for pk in ids:
        if first is None:
            first = pk
        last, count = pk, count + 1
        if count == size:
            ranges.append((first, last))
            first, count = None, 0
    if first is not None and last is not None:
        ranges.append((first, last))
    return ranges


def pass_start(
    *,
    kind: PassKind,
    ids: Iterable[int],
    chunk_size: int,
    as_of: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> NightlyPass:
    """Record a pass over ``ids`` (ascending), ``chunk_size`` ids a chunk, and send its chunks
    once that commits. A pass over nobody has one empty chunk, so that it finishes like any
    other. ``as_of``: the instant the chunks work as of (default: when each one runs)."""
    if kind.chunk_task not in CHUNK_TASKS:
        raise ValueError(f"{kind.chunk_task} is not a chunk task of a nightly pass")
    now = now or timezone.now()
    ranges = _ranges(ids, chunk_size) or [(0, -1)]
    with transaction.atomic():
        run = NightlyPass.objects.create(
            name=kind.name,
            chunk_task=kind.chunk_task,
            started_at=now,
            as_of=as_of,
            chunks_total=len(ranges),
        )
        chunks = PassChunk.objects.bulk_create(
            PassChunk(nightly_pass=run, number=number, first_id=first, last_id=last, sent_at=now)
            for number, (first, last) in enumerate(ranges)
        )
        chunk_ids = [chunk.pk for chunk in chunks]
        transaction.on_commit(lambda: _send_all(kind.chunk_task, chunk_ids))
    logger.info("Nightly pass #%s started (%s): %s chunks", run.pk, kind.name, len(ranges))
    return run


def _send_all(task_name: str, chunk_ids: list[int]) -> None:
    for chunk_id in chunk_ids:
        if not send(task_name, chunk_id):
            return  # the broker is down: the drain sends the rest


def _add(totals: Mapping[str, int], counts: Mapping[str, int]) -> dict[str, int]:
    summed = Counter(totals)
    summed.update(counts)
    return dict(summed)


def chunk_run(chunk_id: int, *, kind: PassKind) -> None:
    """Run one chunk of a pass of ``kind`` (the body of its chunk task), then the pass's final
    step if this finished the pass. A chunk already done does nothing but that check, so a
    duplicate delivery changes nothing."""
    now = timezone.now()
    claimed = PassChunk.objects.filter(pk=chunk_id, done_at__isnull=True).update(
        started_at=now, claimed_until=now + claim_length(), attempts=F("attempts") + 1
    )
    chunk = (
        PassChunk.objects.select_related("nightly_pass")
        .only("first_id", "last_id", "nightly_pass__as_of", "nightly_pass__name")
        .filter(pk=chunk_id)
        .first()
    )
    if chunk is None:
        logger.warning("%s: chunk %s no longer exists", kind.name, chunk_id)
        return
    if claimed:
        as_of = chunk.nightly_pass.as_of or now
        counts = dict(kind.work(chunk.first_id, chunk.last_id, as_of))
        with transaction.atomic():
            marked = PassChunk.objects.filter(pk=chunk_id, done_at__isnull=True).update(
                done_at=timezone.now(), counts=counts
            )
            if marked:  # a duplicate that finished first already added its counts
                run = NightlyPass.objects.select_for_update().get(pk=chunk.nightly_pass_id)
                run.chunks_done += 1
                run.counts = _add(run.counts, counts)
                run.save(update_fields=["chunks_done", "counts"])
    pass_finish(chunk.nightly_pass_id, kind=kind)


def pass_finish(pass_id: int, *, kind: PassKind) -> bool:
    """Run the pass's final step if every chunk is done and nobody ran it or is running it;
    log the pass's totals. Returns whether this call finished the pass."""
    now = timezone.now()
    claimed = (
        NightlyPass.objects.filter(
            pk=pass_id, finished_at__isnull=True, chunks_done=F("chunks_total")
        )
        .filter(Q(finish_claimed_until__isnull=True) | Q(finish_claimed_until__lte=now))
        .update(finish_claimed_until=now + claim_length())
    )
    if not claimed:
        return False
    run = NightlyPass.objects.get(pk=pass_id)
    extra = dict(kind.finish(run.as_of or now)) if kind.finish is not None else {}
    with transaction.atomic():
        run = NightlyPass.objects.select_for_update().get(pk=pass_id)
        if run.finished_at is not None:
            return False  # finished meanwhile by one whose claim had lapsed
        run.counts = _add(run.counts, extra)
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "finished_at"])
    totals = {"failed": 0, **run.counts}
    seconds = (run.finished_at - run.started_at).total_seconds()
    # A skipped patient is logged with the error; the summary says how many there were.
    level = logging.WARNING if totals["failed"] else logging.INFO
    logger.log(
        level,
        "%s: %s (pass #%s, %s chunks, %.1f s)",
        kind.name,
        totals,
        pass_id,
        run.chunks_total,
        seconds,
    )
    return True


# Finished passes (and their chunks) are kept this long for an operator's questions about a
# night, then deleted by the drain.
KEEP_FINISHED = dt.timedelta(days=30)


def drain(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send again every chunk of an unfinished pass that is lost: started and not done within
    its claim, or never started while a chunk sent after it started a grace ago (or while the
    pass made no progress for a claim's length); and, for a pass whose chunks are all done but
    whose final step never ran or died, its last chunk (which runs the final step). Returns
    counts."""
    now = now or timezone.now()
    sent = failed = 0
    for run in NightlyPass.objects.filter(finished_at__isnull=True).order_by("started_at"):
        if run.chunk_task not in CHUNK_TASKS:
            logger.error("Nightly pass %s names an unknown task %s", run.pk, run.chunk_task)
            failed += 1
            continue
        due = _lost_chunks(run, now)
        for chunk_id in due:
            if not send(run.chunk_task, chunk_id):
                return {"sent": sent, "failed": failed + 1}  # broker down: next minute
            sent += 1
            PassChunk.objects.filter(pk=chunk_id).update(
                sent_at=now, claimed_until=now + claim_length()
            )
    if sent or failed:
        logger.warning("Nightly pass chunks sent again: %s", {"sent": sent, "failed": failed})
    NightlyPass.objects.filter(finished_at__lt=now - KEEP_FINISHED).delete()
    return {"sent": sent, "failed": failed}


def _lost_chunks(run: NightlyPass, now: dt.datetime) -> list[int]:
    rows = list(
        run.chunks.order_by("number").values_list(
            "pk", "number", "sent_at", "started_at", "claimed_until", "done_at"
        )
    )
    if run.chunks_done == run.chunks_total:
        lapsed = run.finish_claimed_until is None or run.finish_claimed_until <= now
        last_done = max((done for *_, done in rows if done is not None), default=run.started_at)
        if lapsed and last_done <= now - grace():
            return [rows[-1][0]]  # a done chunk's task runs the final step
        return []
    progress = max(
        moment for row in rows for moment in (row[2], row[3], row[5]) if moment is not None
    )
    settled = now - grace()
    # The latest start, a grace ago or more, among the chunks after each one (the queue is
    # first in, first out: a chunk passed over by a later one that started is lost).
    later_start: list[dt.datetime | None] = [None] * len(rows)
    latest: dt.datetime | None = None
    for index in range(len(rows) - 1, -1, -1):
        later_start[index] = latest
        started_at = rows[index][3]
        if (
            started_at is not None
            and started_at <= settled
            and (latest is None or started_at > latest)
        ):
            latest = started_at
    lost: list[int] = []
    for index, (pk, _, sent_at, started_at, claimed_until, done_at) in enumerate(rows):
        if done_at is not None:
            continue
        if started_at is not None and started_at >= sent_at:
            if claimed_until is not None and claimed_until <= now:
                lost.append(pk)  # its worker died, or it failed
            continue
        if sent_at > settled:
            continue
        passed_over = later_start[index] is not None and later_start[index] > sent_at
        if passed_over or progress <= now - claim_length():
            lost.append(pk)
    return lost

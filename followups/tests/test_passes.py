"""Nightly passes (followups/passes.py): chunks by id range, each done once however often it is
delivered, the final step run once even when the last two chunks finish together, and lost
chunks found by the drain."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from followups import passes
from followups.models import NightlyPass, PassChunk

NOW = dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC)


def test_patients_are_cut_into_ranges_of_ids():
    assert passes._ranges([3, 5, 8, 9, 20], 2) == [(3, 5), (8, 9), (20, 20)]
    assert passes._ranges([3, 5], 2) == [(3, 5)]
    assert passes._ranges([], 2) == []


def test_the_chunk_tasks_are_registered_acked_late_and_end_within_their_claim(registered_tasks):
    claim = django_settings.NIGHTLY_PASS_CLAIM_SECONDS
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    for name in passes.CHUNK_TASKS:
        task = registered_tasks[name]
        assert task.acks_late and task.reject_on_worker_lost, name
        assert task.time_limit < claim < visibility, name
    for entry, task in (
        ("sweep-flags-nightly", "flags.tasks.sweep_flags"),
        ("plan-reminders-nightly", "symptoms.tasks.plan_reminders_nightly"),
    ):
        assert django_settings.CELERY_BEAT_SCHEDULE[entry]["task"] == task in registered_tasks


class Recorder:
    """A pass kind whose chunks record the ids they were given and whose final step counts its
    runs; ``hold`` makes every chunk wait at a barrier before returning, so two finish at
    once."""

    def __init__(self, hold: threading.Barrier | None = None) -> None:
        self.seen: list[tuple[int, int]] = []
        self.finished = 0
        self.hold = hold
        self.lock = threading.Lock()

    def work(self, first: int, last: int, as_of: dt.datetime) -> dict[str, int]:
        with self.lock:
            self.seen.append((first, last))
        if self.hold is not None:
            self.hold.wait(timeout=10)
        return {"patients": last - first + 1, "failed": 0}

    def finish(self, as_of: dt.datetime) -> dict[str, int]:
        with self.lock:
            self.finished += 1
        return {"digests": 1}

    def kind(self) -> passes.PassKind:
        return passes.PassKind(
            name="Test pass",
            chunk_task=passes.FLAG_SWEEP_CHUNK,
            work=self.work,
            finish=self.finish,
        )


@pytest.fixture
def unsent(monkeypatch) -> list[int]:
    """Chunks are recorded as sent, and left for the test to run."""
    sent: list[int] = []
    monkeypatch.setattr(passes, "send", lambda task_name, chunk_id: sent.append(chunk_id) or True)
    return sent


def in_threads(*calls) -> None:
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_last_chunks_finishing_together_run_the_final_step_once(unsent):
    recorder = Recorder(hold=threading.Barrier(4))
    kind = recorder.kind()
    run = passes.pass_start(kind=kind, ids=[1, 2, 3, 4], chunk_size=2, as_of=NOW)
    first, second = unsent
    # Both chunks, each delivered twice, all four at once: two pairs of racing duplicates.
    in_threads(*(lambda c=chunk: passes.chunk_run(c, kind=kind) for chunk in unsent * 2))
    run.refresh_from_db()
    assert recorder.finished == 1
    assert run.chunks_done == 2 and run.finished_at is not None
    assert run.counts == {"patients": 4, "failed": 0, "digests": 1}  # each chunk counted once
    assert sorted(set(recorder.seen)) == [(1, 2), (3, 4)]
    assert [first, second] == list(
        PassChunk.objects.filter(nightly_pass=run).order_by("number").values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_done_chunk_delivered_again_does_nothing(unsent):
    recorder = Recorder()
    kind = recorder.kind()
    run = passes.pass_start(kind=kind, ids=[1, 2, 3], chunk_size=2, as_of=NOW)
    for chunk_id in PassChunk.objects.filter(nightly_pass=run).values_list("pk", flat=True):
        passes.chunk_run(chunk_id, kind=kind)
    for chunk_id in PassChunk.objects.filter(nightly_pass=run).values_list("pk", flat=True):
        passes.chunk_run(chunk_id, kind=kind)
    run.refresh_from_db()
    assert recorder.seen == [(1, 2), (3, 3)] and recorder.finished == 1
    assert run.counts == {"patients": 3, "failed": 0, "digests": 1}


@pytest.mark.django_db
def test_a_pass_over_nobody_finishes_too(unsent):
    recorder = Recorder()
    kind = recorder.kind()
    run = passes.pass_start(kind=kind, ids=[], chunk_size=500)
    (chunk_id,) = PassChunk.objects.filter(nightly_pass=run).values_list("pk", flat=True)
    passes.chunk_run(chunk_id, kind=kind)
    run.refresh_from_db()
    assert run.finished_at is not None and recorder.finished == 1


@pytest.mark.django_db
def test_the_drain_finds_lost_chunks_and_a_final_step_that_died(unsent):
    recorder = Recorder()
    kind = recorder.kind()
    run = passes.pass_start(kind=kind, ids=range(1, 11), chunk_size=2, now=NOW)
    chunks = list(PassChunk.objects.filter(nightly_pass=run).order_by("number"))
    unsent.clear()
    grace, claim = passes.grace(), passes.claim_length()
    # Chunk 0 never arrived; 1 started and its worker died; 2 is running; 3 and 4 are done.
    started = NOW + dt.timedelta(seconds=5)
    PassChunk.objects.filter(pk=chunks[1].pk).update(
        started_at=started, claimed_until=started + claim
    )
    PassChunk.objects.filter(pk=chunks[2].pk).update(
        started_at=started + claim, claimed_until=started + 2 * claim
    )
    for chunk in chunks[3:]:
        passes.chunk_run(chunk.pk, kind=kind)  # done now (the real clock: after NOW)
    assert passes.drain(now=NOW + grace / 2)["sent"] == 0  # within the grace: left alone
    assert passes.drain(now=NOW + grace + dt.timedelta(seconds=6)) == {"sent": 1, "failed": 0}
    assert unsent == [chunks[0].pk]  # passed over by chunk 1, which started after it was sent
    unsent.clear()
    at = started + claim + dt.timedelta(seconds=1)
    passes.drain(now=at)
    assert unsent == [chunks[1].pk]  # chunk 2's claim still holds
    # Everything done, but the final step claimed by a worker that died.
    for chunk in chunks[:3]:
        passes.chunk_run(chunk.pk, kind=kind)
    assert recorder.finished == 1
    NightlyPass.objects.filter(pk=run.pk).update(
        finished_at=None, finish_claimed_until=timezone.now() + claim
    )
    unsent.clear()
    after_grace = timezone.now() + grace + dt.timedelta(seconds=1)
    assert passes.drain(now=after_grace)["sent"] == 0  # its claim holds
    NightlyPass.objects.filter(pk=run.pk).update(
        finish_claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    passes.drain(now=after_grace)
    assert unsent == [chunks[-1].pk]
    passes.chunk_run(chunks[-1].pk, kind=kind)
    run.refresh_from_db()
    assert run.finished_at is not None and recorder.finished == 2  # idempotent step, run again


@pytest.mark.django_db
def test_the_minute_drain_sends_the_lost_chunks_too(unsent):
    from followups.tasks import drain_follow_ups

    kind = Recorder().kind()
    passes.pass_start(kind=kind, ids=[1, 2, 3], chunk_size=2, now=NOW)  # long ago, never run
    unsent.clear()
    counts = drain_follow_ups()
    assert (counts["chunks_sent"], counts["chunks_failed"]) == (2, 0)
    assert len(unsent) == 2
    assert drain_follow_ups()["chunks_sent"] == 0  # sent a moment ago: left to the workers


@pytest.mark.django_db
def test_the_drain_deletes_passes_finished_over_a_month_ago(unsent):
    kind = Recorder().kind()
    old, recent, running = (
        passes.pass_start(kind=kind, ids=[1, 2, 3], chunk_size=2, now=NOW) for _ in range(3)
    )
    NightlyPass.objects.filter(pk=old.pk).update(finished_at=NOW - dt.timedelta(days=31))
    NightlyPass.objects.filter(pk=recent.pk).update(finished_at=NOW - dt.timedelta(days=29))
    passes.drain(now=NOW)
    assert set(NightlyPass.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not PassChunk.objects.filter(nightly_pass_id=old.pk).exists()

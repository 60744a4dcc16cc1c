"""The nightly passes fanned out over a real Celery worker on Redis: the flag sweep evaluates
every patient once, in chunks, and the digests are planned once; a chunk delivered twice changes
nothing; a lost chunk, or one whose worker died, is sent again by the drain and the pass
finishes; a failing patient is skipped alone. The reminder planning pass alike."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import make_patient
from flags import tasks
from flags.models import Flag
from followups import passes
from followups.models import FollowUp, NightlyPass, PassChunk
from notifications.models import Notification
from symptoms import tasks as symptom_tasks
from symptoms.tests.factories import log_day

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PATIENTS = 7
CHUNK = 2  # seven patients: four chunks


@pytest.fixture
def patients(real_worker, people) -> list[User]:
    """Seven patients of team A, each with a seizure three days ago: a ``soon`` flag each, so
    the digest has something to say."""
    made = [
        make_patient(email=f"night{n}@example.org", care_team=people.team_a)
        for n in range(PATIENTS)
    ]
    for patient in made:
        today = patient.patient_profile.local_today()
        log_day(patient, today - dt.timedelta(days=3), {"seizure": True})
    # The worker evaluates each saved log (a follow-up): let it finish before starting afresh.
    deadline = time.monotonic() + 20
    while FollowUp.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not FollowUp.objects.exists()
    Flag.objects.all().delete()
    Notification.objects.all().delete()
    return made


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(tasks, "PATIENT_BATCH", CHUNK)
    monkeypatch.setattr(symptom_tasks, "PATIENT_BATCH", CHUNK)


def wait_finished(pass_id: int, seconds: float = 30) -> NightlyPass:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = NightlyPass.objects.get(pk=pass_id)
        if run.finished_at is not None:
            return run
        time.sleep(0.1)
    raise AssertionError(f"pass {pass_id} did not finish: {NightlyPass.objects.get(pk=pass_id)}")


def wait_chunks_done(pass_id: int, done: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if PassChunk.objects.filter(nightly_pass_id=pass_id, done_at__isnull=False).count() >= done:
            return
        time.sleep(0.1)
    raise AssertionError(f"pass {pass_id}: fewer than {done} chunks done")


def summaries(caplog, name: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage().startswith(f"{name}:")]


def snapshot() -> tuple[list, list]:
    flags = list(Flag.objects.order_by("pk").values_list("pk", "status", "level", "updated_at"))
    notes = list(Notification.objects.order_by("pk").values_list("pk", "key", "status"))
    return flags, notes


def test_the_sweep_fans_out_every_patient_once_and_plans_the_digests_once(
    real_worker, people, patients, small_chunks, caplog
):
    caplog.set_level(logging.INFO, logger="followups.passes")
    pass_id = tasks.sweep_flags()  # in the test's own thread: starts the pass
    run = wait_finished(pass_id)

    everybody = PATIENTS + 2  # patients A and B too
    assert run.chunks_total == run.chunks_done == 5
    assert run.counts["patients"] == everybody and run.counts["failed"] == 0
    chunks = list(PassChunk.objects.filter(nightly_pass_id=pass_id).order_by("number"))
    assert [chunk.attempts for chunk in chunks] == [1] * 5  # each patient evaluated once
    assert sum(chunk.counts["patients"] for chunk in chunks) == everybody
    for patient in patients:
        assert Flag.objects.filter(patient=patient, rule="red_flag", level="soon").count() == 1
    digests = Notification.objects.filter(key__startswith="digest:")
    assert set(digests.values_list("recipient_id", flat=True)) == {people.coordinator_a.pk}
    assert run.counts["digests"] == digests.count() == 2  # in the app and by email
    (summary,) = summaries(caplog, "Flag sweep")
    assert summary.levelno == logging.INFO and f"'patients': {everybody}" in summary.getMessage()

    # Every chunk delivered again (a redelivery, a drain racing the worker): nothing changes.
    before = snapshot()
    for chunk in chunks:
        tasks.sweep_flags_chunk.delay(chunk.pk)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # give the worker time to take all four
        time.sleep(0.2)
    assert snapshot() == before
    again = NightlyPass.objects.get(pk=pass_id)
    assert (again.counts, again.finished_at) == (run.counts, run.finished_at)
    assert [chunk.attempts for chunk in PassChunk.objects.filter(nightly_pass_id=pass_id)] == [
        1
    ] * 5
    assert len(summaries(caplog, "Flag sweep")) == 1


def test_a_lost_chunk_is_sent_again_by_the_drain_and_the_pass_finishes(
    real_worker, people, patients, small_chunks, monkeypatch
):
    real_send = passes.send
    dropped: list[int] = []

    def lose_the_second(task_name: str, chunk_id: int) -> bool:
        first = PassChunk.objects.filter(pk=chunk_id, number=1).exists()
        if first and not dropped:
            dropped.append(chunk_id)
            return True  # "sent", and lost on the way
        return real_send(task_name, chunk_id)

    monkeypatch.setattr(passes, "send", lose_the_second)
    pass_id = tasks.sweep_flags()
    wait_chunks_done(pass_id, 4)
    assert NightlyPass.objects.get(pk=pass_id).finished_at is None
    lost = PassChunk.objects.get(pk=dropped[0])
    assert lost.started_at is None

    # Within the grace nothing is sent; after it, the chunk passed over by later ones is.
    assert passes.drain()["sent"] == 0
    later = timezone.now() + dt.timedelta(seconds=passes.grace().total_seconds() + 1)
    assert passes.drain(now=later) == {"sent": 1, "failed": 0}
    run = wait_finished(pass_id)
    assert run.counts["patients"] == PATIENTS + 2
    for patient in patients:
        assert Flag.objects.filter(patient=patient, rule="red_flag").count() == 1
    assert Notification.objects.filter(key__startswith="digest:").count() == 2


def test_a_chunk_whose_worker_died_is_sent_again_once_its_claim_lapses(
    real_worker, people, patients, small_chunks, monkeypatch
):
    real_send = passes.send

    def last_one_dies(task_name: str, chunk_id: int) -> bool:
        chunk = PassChunk.objects.get(pk=chunk_id)
        if chunk.number == 4 and chunk.started_at is None:
            # A worker took it and died: started and claimed, never done.
            now = timezone.now()
            PassChunk.objects.filter(pk=chunk_id).update(
                started_at=now, claimed_until=now + passes.claim_length(), attempts=1
            )
            return True
        return real_send(task_name, chunk_id)

    monkeypatch.setattr(passes, "send", last_one_dies)
    pass_id = tasks.sweep_flags()
    wait_chunks_done(pass_id, 4)
    assert passes.drain()["sent"] == 0  # still within its claim
    later = timezone.now() + passes.claim_length() + dt.timedelta(seconds=1)
    monkeypatch.setattr(passes, "send", real_send)
    assert passes.drain(now=later)["sent"] == 1
    run = wait_finished(pass_id)
    assert run.chunks_done == 5 and run.counts["patients"] == PATIENTS + 2
    assert PassChunk.objects.get(nightly_pass_id=pass_id, number=4).attempts == 2


def test_a_failing_patient_is_skipped_alone_in_a_fanned_out_sweep(
    real_worker, people, patients, small_chunks, monkeypatch, caplog
):
    poisoned = patients[3]
    real = tasks.evaluate_patients

    def poisoned_call(patient_ids, **kwargs):
        if poisoned.pk in patient_ids:
            raise RuntimeError("bad data")
        return real(patient_ids, **kwargs)

    monkeypatch.setattr(tasks, "evaluate_patients", poisoned_call)
    caplog.set_level(logging.INFO, logger="followups.passes")
    run = wait_finished(tasks.sweep_flags())
    assert (run.counts["patients"], run.counts["failed"]) == (PATIENTS + 1, 1)
    for patient in patients:
        flagged = Flag.objects.filter(patient=patient, rule="red_flag").exists()
        assert flagged == (patient != poisoned), patient.email
    (summary,) = summaries(caplog, "Flag sweep")
    assert summary.levelno == logging.WARNING


def test_the_planning_pass_fans_out_and_plans_each_reminder_once(
    real_worker, people, patients, small_chunks
):
    Notification.objects.all().delete()
    run = wait_finished(symptom_tasks.plan_reminders_nightly())
    assert run.chunks_total == 5
    assert run.counts["patients"] == PATIENTS + 2 and run.counts["failed"] == 0
    nudges = Notification.objects.filter(kind="log_reminder")
    planned = run.counts["log_reminders"]
    assert planned > 0 and nudges.count() == planned
    assert nudges.values("key", "channel").distinct().count() == planned
    assert {row.recipient_id for row in nudges} == {
        p.pk for p in (*patients, people.patient_a, people.patient_b)
    }

    # A second pass plans nothing new.
    second = wait_finished(symptom_tasks.plan_reminders_nightly())
    assert second.counts["log_reminders"] == 0 and second.counts["patients"] == PATIENTS + 2
    assert nudges.count() == planned

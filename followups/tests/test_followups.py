"""followups: the follow-ups a write needs, recorded with the write, rung after commit, drained by
beat, and removed only once done.

The names are the whole contract between the services below and the tasks above them, so each
must be a task the worker knows; a broker that is down is logged and never fails the save, and
the follow-up waits in the table for the drain.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from followups import services as followups
from followups.models import FollowUp
from followups.tests.fixtures import rows

ROOT = Path(__file__).resolve().parents[2]


def assert_fresh_process_succeeds(script: str) -> None:
    """Run ``script`` in a new Python process, as a web process starts: no task module loaded."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mbc_tracker.settings", "DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", followups.TASK_NAMES)
def test_every_follow_up_names_a_registered_task(registered_tasks, name):
    assert name in registered_tasks, f"{name} is not a registered Celery task"
    assert registered_tasks[name].name == name


def test_a_fresh_process_finds_every_follow_up_task():
    """A web process has imported no task module when it first sends one by name."""
    script = (
        "import django; django.setup()\n"
        "from followups.services import TASK_NAMES\n"
        "from mbc_tracker.celery import app\n"
        "app.loader.import_default_modules()\n"
        "missing = [name for name in TASK_NAMES if name not in app.tasks]\n"
        "print('missing:', missing)\n"
        "raise SystemExit(1 if missing else 0)\n"
    )
    assert_fresh_process_succeeds(script)


def test_a_fresh_process_saving_on_many_threads_at_once_finds_the_task_on_each():
    """gthread serves several saves at once: each thread's first ring finds the task, even
    while another thread is still importing the task modules (one used to get NotRegistered)."""
    script = (
        "import django; django.setup()\n"
        "import threading\n"
        "from followups.services import FLAG_EVALUATION, registered_task\n"
        "start = threading.Barrier(16)\n"
        "found = []\n"
        "def ring():\n"
        "    start.wait()\n"
        "    found.append(registered_task(FLAG_EVALUATION).name)\n"
        "threads = [threading.Thread(target=ring) for _ in range(16)]\n"
        "[thread.start() for thread in threads]\n"
        "[thread.join() for thread in threads]\n"
        "print('found:', len(found))\n"
        "raise SystemExit(0 if found == [FLAG_EVALUATION] * 16 else 1)\n"
    )
    assert_fresh_process_succeeds(script)


def test_beat_drains_every_minute_and_a_claim_outlasts_the_tasks(registered_tasks):
    entry = django_settings.CELERY_BEAT_SCHEDULE["drain-follow-ups"]
    assert entry["task"] == "followups.tasks.drain_follow_ups" in registered_tasks
    assert entry["schedule"] == 60.0
    claim = django_settings.FOLLOW_UP_CLAIM_SECONDS
    for name in followups.TASK_NAMES:
        task = registered_tasks[name]
        # Acknowledged early: a lost worker is replaced by the drain, not by redelivery.
        assert not task.acks_late
        limit = task.time_limit or django_settings.CELERY_TASK_TIME_LIMIT
        assert limit < claim, name
    # The worst delay after a worker dies mid-task: a claim plus a drain interval.
    assert claim + entry["schedule"] <= 5 * 60


@pytest.mark.django_db
def test_a_follow_up_is_recorded_with_the_write_and_rung_once_it_commits(
    people, sent, django_capture_on_commit_callbacks
):
    patient_id = people.patient_a.pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            followups.request_flag_evaluation(patient_id)
            assert rows() == [(followups.FLAG_EVALUATION, patient_id, 1)]
        assert sent == []  # not before the commit
    assert len(callbacks) == 1
    assert sent == [(followups.FLAG_EVALUATION, (patient_id,))]


@pytest.mark.django_db
def test_a_follow_up_of_a_rolled_back_write_is_neither_recorded_nor_sent(
    people, sent, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        followups.request_flag_evaluation(people.patient_a.pk)
        followups.request_reminder_replan(people.patient_a.pk)
        raise RuntimeError("the write failed")
    assert callbacks == [] and sent == [] and rows() == []


@pytest.mark.django_db
def test_requests_coalesce_into_one_row_per_task_and_patient(people, sent):
    for _ in range(3):
        followups.request_flag_evaluation(people.patient_a.pk)
    followups.request_reminder_replan(people.patient_a.pk)
    followups.request_flag_evaluation(people.patient_b.pk)
    assert sorted(rows()) == sorted(
        [
            (followups.FLAG_EVALUATION, people.patient_a.pk, 3),
            (followups.FLAG_EVALUATION, people.patient_b.pk, 1),
            (followups.REMINDER_REPLAN, people.patient_a.pk, 1),
        ]
    )


@pytest.mark.django_db
def test_a_request_during_the_work_keeps_its_row_for_another_run(people, sent):
    followups.request_flag_evaluation(people.patient_a.pk)
    with followups.follow_up_run(task=followups.FLAG_EVALUATION, patient_id=people.patient_a.pk):
        (row,) = FollowUp.objects.all()
        assert row.claimed_until is not None and row.attempts == 1
        followups.request_flag_evaluation(people.patient_a.pk)  # a save while evaluating
    (row,) = FollowUp.objects.all()
    assert row.version == 2
    assert row.claimed_until is None  # due again: its ring, or the drain, sends it


@pytest.mark.django_db
def test_work_that_fails_stays_queued_and_backs_off(people, sent):
    followups.request_reminder_replan(people.patient_a.pk)
    now = timezone.now()
    claim = dt.timedelta(seconds=django_settings.FOLLOW_UP_CLAIM_SECONDS)
    for attempt in (1, 2):
        with (
            pytest.raises(RuntimeError),
            followups.follow_up_run(task=followups.REMINDER_REPLAN, patient_id=people.patient_a.pk),
        ):
            raise RuntimeError("the database went away")
        (row,) = FollowUp.objects.all()
        assert row.attempts == attempt
        assert "database went away" in row.last_error
        assert row.claimed_until >= now + claim * 2 ** (attempt - 1)
    with time_machine.travel(row.claimed_until + dt.timedelta(seconds=1), tick=False):
        assert followups.drain()["sent"] == 1
    assert sent == [(followups.REMINDER_REPLAN, (people.patient_a.pk,))]

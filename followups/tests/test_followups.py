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
from kombu.exceptions import OperationalError

from flags.models import Flag
from flags.tasks import evaluate_patient_flags
from followups import services as followups
from followups.models import FollowUp
from mbc_tracker.celery import app
from symptoms.models import DailyLog
from symptoms.services import daily_log_save

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def registered_tasks():
    app.loader.import_default_modules()
    return app.tasks


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


@pytest.fixture
def sent(registered_tasks, monkeypatch) -> list[tuple[str, tuple]]:
    """Every follow-up task handed to the broker, instead of running it."""
    calls: list[tuple[str, tuple]] = []
    for name in followups.TASK_NAMES:

        def record(args=None, kwargs=None, *, _name=name, **options):
            calls.append((_name, tuple(args or ())))

        monkeypatch.setattr(registered_tasks[name], "apply_async", record)
    return calls


def rows() -> list[tuple[str, int, int]]:
    return list(FollowUp.objects.order_by("task").values_list("task", "patient_id", "version"))


@pytest.mark.django_db
def test_a_broker_that_cannot_be_reached_does_not_fail_the_save_and_nothing_is_lost(
    people, registered_tasks, sent, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(registered_tasks[followups.FLAG_EVALUATION], "apply_async", unreachable)
    patient = people.patient_a
    today = patient.patient_profile.local_today()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        log, created = daily_log_save(
            patient=patient, date=today, entries=[{"symptom": "seizure", "present": True}]
        )
    assert len(callbacks) == 1  # the ring ran, and raised nothing
    assert created and DailyLog.objects.filter(pk=log.pk, patient=patient, date=today).exists()
    # The follow-up waits in the table, committed with the log.
    assert rows() == [(followups.FLAG_EVALUATION, patient.pk, 1)]

    # The broker is back: the next drain sends it, once the ring's grace has passed.
    monkeypatch.undo()
    sent_now = []
    monkeypatch.setattr(
        registered_tasks[followups.FLAG_EVALUATION],
        "apply_async",
        lambda args=None, **options: sent_now.append(tuple(args)),
    )
    assert followups.drain()["sent"] == 0  # still within the grace: its ring may be on its way
    later = timezone.now() + dt.timedelta(seconds=django_settings.FOLLOW_UP_RING_GRACE_SECONDS + 1)
    assert followups.drain(now=later)["sent"] == 1
    assert sent_now == [(patient.pk,)]
    # Sent and claimed: the next minute's drain leaves it to its worker.
    assert followups.drain(now=later + dt.timedelta(minutes=1))["sent"] == 0
    # Its worker died: once the claim lapses it is sent again.
    lapse = later + dt.timedelta(seconds=django_settings.FOLLOW_UP_CLAIM_SECONDS + 1)
    assert followups.drain(now=lapse)["sent"] == 1


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
def test_the_task_removes_its_row_once_done(people, sent):
    followups.request_flag_evaluation(people.patient_a.pk)
    evaluate_patient_flags(people.patient_a.pk)
    assert rows() == []


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


@pytest.mark.django_db
def test_evaluating_twice_alerts_each_coordinator_once_per_flag(people, sent):
    today = people.patient_a.patient_profile.local_today()
    daily_log_save(
        patient=people.patient_a, date=today, entries=[{"symptom": "seizure", "present": True}]
    )
    for _ in range(3):
        evaluate_patient_flags(people.patient_a.pk)
    (flag,) = Flag.objects.filter(patient=people.patient_a, level="urgent")
    alerts = flag_alert_keys(flag)
    assert alerts == [f"flag:{flag.pk}:urgent:{people.coordinator_a.pk}"] * 2  # email + in app


def flag_alert_keys(flag: Flag) -> list[str]:
    from notifications.models import Notification

    return sorted(
        Notification.objects.filter(subject_id=flag.pk, key__contains=":urgent:").values_list(
            "key", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_evaluations_of_one_patient_alert_once(people, sent):
    """Two workers evaluating the same patient at once: the profile lock serialises them."""
    import threading

    from django.db import connection

    today = people.patient_a.patient_profile.local_today()
    daily_log_save(
        patient=people.patient_a, date=today, entries=[{"symptom": "seizure", "present": True}]
    )
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def evaluate() -> None:
        try:
            barrier.wait()
            evaluate_patient_flags(people.patient_a.pk)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (flag,) = Flag.objects.filter(patient=people.patient_a, level="urgent")
    assert flag_alert_keys(flag) == [f"flag:{flag.pk}:urgent:{people.coordinator_a.pk}"] * 2
    assert rows() == []

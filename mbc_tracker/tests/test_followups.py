"""lib.followups: the follow-ups a write asks for by task name, sent once the write commits.

The names are the whole contract between the services below and the tasks above them, so each
must be a task the worker knows; a broker that is down is logged and never fails the save.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from lib import followups
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
        "from lib.followups import TASK_NAMES\n"
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


@pytest.fixture
def sent(registered_tasks, monkeypatch) -> list[tuple[str, tuple, dict]]:
    """Every follow-up task handed to the broker, instead of running it."""
    calls: list[tuple[str, tuple, dict]] = []
    for name in followups.TASK_NAMES:

        def record(args=None, kwargs=None, *, _name=name, **options):
            calls.append((_name, tuple(args or ()), options))

        monkeypatch.setattr(registered_tasks[name], "apply_async", record)
    return calls


@pytest.mark.django_db
def test_a_broker_that_cannot_be_reached_does_not_fail_the_save(
    people, registered_tasks, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(registered_tasks[followups.FLAG_EVALUATION], "apply_async", unreachable)
    patient = people.patient_a
    today = patient.patient_profile.local_today()
    with (
        caplog.at_level(logging.ERROR, logger="lib.followups"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        log, created = daily_log_save(
            patient=patient, date=today, entries=[{"symptom": "seizure", "present": True}]
        )
    assert len(callbacks) == 1  # the callback ran, and raised nothing
    assert created and DailyLog.objects.filter(pk=log.pk, patient=patient, date=today).exists()
    assert [entry.symptom_id for entry in log.entries.all()] == ["seizure"]
    errors = [
        record
        for record in caplog.records
        if record.name == "lib.followups" and record.levelno == logging.ERROR
    ]
    assert len(errors) == 1, caplog.text
    (error,) = errors
    assert followups.FLAG_EVALUATION in error.getMessage()
    assert str(patient.pk) in error.getMessage()
    assert error.exc_info and isinstance(error.exc_info[1], OperationalError)


@pytest.mark.django_db
def test_a_follow_up_is_sent_only_once_the_transaction_commits(
    people, sent, django_capture_on_commit_callbacks
):
    patient_id = people.patient_a.pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        followups.request_flag_evaluation(patient_id)
        assert sent == []  # not before the commit
    assert len(callbacks) == 1
    assert [(name, args) for name, args, _ in sent] == [(followups.FLAG_EVALUATION, (patient_id,))]


@pytest.mark.django_db
def test_a_follow_up_of_a_rolled_back_write_is_never_sent(
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
    assert callbacks == [] and sent == []

"""Fixtures for tests of the follow-up queue (here and in the apps whose tasks follow up)."""

from __future__ import annotations

import pytest

from followups import services as followups
from followups.models import FollowUp
from mbc_tracker.celery import app


@pytest.fixture
def registered_tasks():
    app.loader.import_default_modules()
    return app.tasks


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
    """The queue as (task, patient id, version), by task."""
    return list(FollowUp.objects.order_by("task").values_list("task", "patient_id", "version"))


@pytest.fixture
def run_nightly(django_capture_on_commit_callbacks):
    """Run a beat task that starts a nightly pass, its chunks (eager, as each commit is
    captured) and its final step, here and now; returns the pass's totals."""
    from followups.models import NightlyPass

    def run(task) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            pass_id = task.delay().get()
        finished = NightlyPass.objects.get(pk=pass_id)
        assert finished.finished_at is not None, "the pass did not finish"
        return {"failed": 0, **finished.counts}

    return run

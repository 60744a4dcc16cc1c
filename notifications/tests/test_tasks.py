"""The beat task: thin, bounded, and safe to run again (also on a real worker over Redis)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings
from django.core import mail

from notifications import tasks
from notifications.models import Notification, Status
from notifications.tests.factories import NotificationFactory, message_pair


def test_the_task_is_idempotent_and_limited_below_the_visibility_timeout():
    task = tasks.dispatch_due_notifications
    assert task.name == django_settings.CELERY_BEAT_SCHEDULE["dispatch-due-notifications"]["task"]
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert tasks.RUN_BUDGET.total_seconds() < task.soft_time_limit < task.time_limit
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert task.time_limit < visibility


@pytest.mark.django_db
def test_the_task_sends_batch_after_batch_until_one_comes_back_short(monkeypatch):
    monkeypatch.setattr(tasks, "BATCH_SIZE", 5)
    NotificationFactory.create_batch(12)

    counts = tasks.dispatch_due_notifications()

    assert counts["batches"] == 3
    assert (counts["claimed"], counts["sent"]) == (12, 12)
    assert len(mail.outbox) == 12


@pytest.mark.django_db
def test_the_task_stops_after_its_last_batch(monkeypatch):
    monkeypatch.setattr(tasks, "BATCH_SIZE", 5)
    monkeypatch.setattr(tasks, "MAX_BATCHES", 2)
    NotificationFactory.create_batch(12)

    tasks.dispatch_due_notifications.delay()  # eager in tests: runs here and now

    assert Notification.objects.filter(status=Status.SENT).count() == 10
    assert Notification.objects.filter(status=Status.PLANNED).count() == 2  # the next minute's


def _wait_for_emails(count: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_once_even_when_the_task_runs_again(real_worker, people):
    first = message_pair(people.patient_a, key="worker:1", body="First message")

    tasks.dispatch_due_notifications.delay()
    _wait_for_emails(1)
    assert [email.to for email in mail.outbox] == [[people.patient_a.email]]
    for row in first:
        row.refresh_from_db()
        assert row.status == Status.SENT

    # The same task again, as after a redelivery; a new message shows that it has run.
    message_pair(people.patient_b, key="worker:2", body="Second message")
    tasks.dispatch_due_notifications.delay()
    _wait_for_emails(2)
    time.sleep(0.5)  # room for a wrongful third email to arrive

    assert sorted(email.body.split("\n", 1)[0] for email in mail.outbox) == [
        "First message",
        "Second message",
    ]
    assert Notification.objects.filter(status=Status.SENT).count() == 4

"""A real Celery worker on the Redis broker runs work enqueued after a commit."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from accounts import services
from accounts.tests.factories import CareTeamFactory
from mbc_tracker.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def real_worker(settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def test_enrolment_invitation_is_sent_by_the_worker(real_worker):
    user = services.patient_enrol(
        email="worker.test@example.org",
        name="Worker Test",
        care_team=CareTeamFactory(),
        timezone="Europe/London",
    )
    deadline = time.monotonic() + 15
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [message.to for message in mail.outbox] == [[user.email]]

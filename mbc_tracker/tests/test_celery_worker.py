"""A real Celery worker on the Redis broker runs work enqueued after a commit."""

import time

import pytest
from django.core import mail

from accounts import services
from accounts.tests.factories import CareTeamFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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

"""Exactly once when dispatchers overlap, against the real PostgreSQL (row locks, SKIP LOCKED)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from accounts.tests.factories import UserFactory
from notifications.models import Channel, Notification, Status
from notifications.tests.dispatchers import race
from notifications.tests.factories import message_pair

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DISPATCHERS = 2
MESSAGES = 150  # each an in-app row and an email row


def test_two_dispatchers_at_the_same_time_send_each_row_once(settings):
    assert connection.vendor == "postgresql", "this test needs the real database"
    settings.EMAIL_BACKEND = "notifications.tests.mail.SlowEmailBackend"
    people = UserFactory.create_batch(5)
    for n in range(MESSAGES):
        message_pair(people[n % len(people)], key=f"race:{n}", body=f"Message {n}")
    sent_by = race(dispatchers=DISPATCHERS, limit=25, timeout=60)
    all_sent = [pk for ids in sent_by for pk in ids]
    assert len(all_sent) == len(set(all_sent)) == 2 * MESSAGES  # no row sent twice
    assert all(sent_by), "both dispatchers should have sent some rows"
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    email_rows = Notification.objects.filter(channel=Channel.EMAIL).count()
    assert len(mail.outbox) == email_rows == MESSAGES
    per_message = Counter(email.body.split("\n", 1)[0] for email in mail.outbox)
    assert set(per_message.values()) == {1}
    assert len(per_message) == MESSAGES

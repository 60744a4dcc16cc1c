"""Exactly one push per notification per device when two dispatchers run at once, against the
real PostgreSQL, through the local fake push service."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from notifications.models import Channel, Notification, Status
from notifications.tests.dispatchers import race
from notifications.tests.factories import NotificationFactory, PushSubscriptionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DISPATCHERS = 2
MESSAGES = 60


def test_two_dispatchers_push_each_notification_once_to_each_device(push_service):
    assert connection.vendor == "postgresql", "this test needs the real database"
    push_service.delay = 0.002  # a little latency, so the two dispatchers overlap
    people = UserFactory.create_batch(3)
    devices = {}
    for person in people:
        for _ in range(2):
            fake = push_service.new_device()
            PushSubscriptionFactory(user=person, **fake.subscription_fields())
            devices[fake.token] = person.pk
    for n in range(MESSAGES):
        NotificationFactory(recipient=people[n % 3], channel=Channel.PUSH, key=f"race:{n}")
    sent_by = race(dispatchers=DISPATCHERS, limit=5, timeout=120)
    assert all(sent_by), "both dispatchers should have sent some rows"
    all_sent = [pk for ids in sent_by for pk in ids]
    assert len(all_sent) == len(set(all_sent)) == MESSAGES
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    received = push_service.received
    assert all(item.problems == [] for item in received)
    per_device = Counter((item.token, item.payload["tag"]) for item in received)
    assert set(per_device.values()) == {1}  # nothing twice
    assert len(per_device) == MESSAGES * 2  # each message reached both of its person's devices

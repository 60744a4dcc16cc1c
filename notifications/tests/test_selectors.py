"""What a person's notification centre lists: each message once, sent or still to come."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications import selectors
from notifications.models import Channel, Status
from notifications.tests.factories import NotificationFactory, message_pair

pytestmark = pytest.mark.django_db


def test_each_message_once_preferring_its_in_app_row():
    user = UserFactory()
    now = timezone.now()
    sent_pair = message_pair(user, key="sent", status=Status.SENT, due_at=now)
    planned_pair = message_pair(user, key="planned", due_at=now + dt.timedelta(hours=1))
    claimed = NotificationFactory(
        recipient=user, key="claimed", channel=Channel.IN_APP, status=Status.CLAIMED
    )
    earlier = now - dt.timedelta(hours=1)
    email_only = NotificationFactory(
        recipient=user, key="email-only", status=Status.SENT, sent_at=earlier, due_at=earlier
    )
    for status in (Status.CANCELLED, Status.SKIPPED, Status.FAILED):
        message_pair(user, key=status, status=status)
    NotificationFactory(key="someone-else", status=Status.SENT, sent_at=now)

    assert list(selectors.notifications_for(user, include_planned=False)) == [
        sent_pair[0],
        email_only,
    ]
    assert set(selectors.notifications_for(user, include_planned=True)) == {
        sent_pair[0],
        email_only,
        planned_pair[0],
        claimed,
    }
    assert list(selectors.notifications_upcoming(user)) == [claimed, planned_pair[0]]
    assert selectors.unread_count(user) == 2


def test_anonymous_people_have_no_messages():
    NotificationFactory(status=Status.SENT, sent_at=timezone.now())
    assert not selectors.notifications_for(AnonymousUser(), include_planned=True).exists()
    assert selectors.unread_count(AnonymousUser()) == 0

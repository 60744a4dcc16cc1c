"""Factories for outbox rows. Tests build what they need; no fixture files."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from notifications.models import Channel, Kind, Notification, Status


class NotificationFactory(DjangoModelFactory):
    """A planned email reminder that was due a minute ago (unless told otherwise)."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Kind.APPOINTMENT_REMINDER
    channel = Channel.EMAIL
    key = factory.Sequence(lambda n: f"test:{n}")
    title = "You have an appointment reminder"
    body = "You have an appointment coming up."
    link = "/appointments/1/"
    due_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=1))
    status = Status.PLANNED


class SentNotificationFactory(NotificationFactory):
    channel = Channel.IN_APP
    status = Status.SENT
    attempts = 1
    sent_at = factory.LazyAttribute(lambda row: row.due_at)


def message_pair(recipient, *, key: str, status: str = Status.PLANNED, **fields: object):
    """One message as the app plans it: an in-app row and its email twin (same key)."""
    sent_at = fields.pop("sent_at", None)
    if status == Status.SENT and sent_at is None:
        sent_at = fields.get("due_at") or timezone.now()
    return [
        NotificationFactory(
            recipient=recipient,
            key=key,
            channel=channel,
            status=status,
            sent_at=sent_at,
            **fields,
        )
        for channel in (Channel.IN_APP, Channel.EMAIL)
    ]

"""Factories for outbox rows. Tests build what they need; no fixture files."""

from __future__ import annotations

import datetime as dt
import secrets

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from notifications.management.commands.webpush_dev_keys import new_pair
from notifications.models import Channel, Kind, Notification, PushSubscription, Status
from notifications.tests import fake_push


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


class PushSubscriptionFactory(DjangoModelFactory):
    """A device signed up for notifications. Tests that send give it a fake push service's
    endpoint and keys (``fake_push.FakeDevice.subscription_fields()``)."""

    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://push.example.net/send/{n}")
    # A real P-256 public key (65 bytes, base64url) and a 16-byte secret.
    p256dh = factory.LazyFunction(lambda: new_pair()[1])
    auth = factory.LazyFunction(lambda: fake_push.b64url(secrets.token_bytes(16)))
    device = "Test phone"
    sign_outs = factory.LazyAttribute(lambda o: o.user.sign_outs)

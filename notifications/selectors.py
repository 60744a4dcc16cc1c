"""Reads for the outbox: what a person was sent, or will be sent, as they see it.

One message is usually two rows, an in-app one and an email that mirrors it (same key, same
words). People see the message once: its in-app row, or, for a message that goes by email only,
its email row. Only messages that were sent or are still to come are shown; cancelled, skipped
and failed ones are the administrators' business (Django admin shows them).

Every function takes the person whose messages it reads, so a caller can only ever list their
own. No relations are read, so each function is one query whatever the number of rows.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from notifications.models import Channel, Notification, Status

UPCOMING = (Status.PLANNED, Status.CLAIMED)  # "claimed" is being sent this minute


def _shown(user: User | AnonymousUser) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    in_app_twin = Notification.objects.filter(key=OuterRef("key"), channel=Channel.IN_APP)
    return Notification.objects.filter(recipient_id=user.pk).filter(
        Q(channel=Channel.IN_APP) | ~Exists(in_app_twin)
    )


def notifications_for(
    user: User | AnonymousUser, *, include_planned: bool
) -> QuerySet[Notification]:
    """The user's messages, newest first: those sent, and with ``include_planned`` also those
    still to come (planned, or being sent right now)."""
    statuses = [Status.SENT, *UPCOMING] if include_planned else [Status.SENT]
    return _shown(user).filter(status__in=statuses).order_by("-due_at", "-pk")


def notifications_upcoming(user: User | AnonymousUser) -> QuerySet[Notification]:
    """The user's messages still to come, soonest first."""
    return _shown(user).filter(status__in=UPCOMING).order_by("due_at", "pk")


def unread_count(user: User | AnonymousUser) -> int:
    """How many sent messages the user has not marked read."""
    return notifications_for(user, include_planned=False).filter(read_at__isnull=True).count()

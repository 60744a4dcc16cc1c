"""Reads for the outbox: what a person was sent, or will be sent, as they see it.

One message is usually two rows, an in-app one and an email that mirrors it (same key, same
words). People see the message once: its in-app row, or, for a message that goes by email only,
its email row. Only messages that were sent or are still to come are shown; cancelled, skipped
and failed ones are the administrators' business (Django admin shows them).

Every function takes the person whose messages it reads, so a caller can only ever list their
own. No relations are read, so each function is one query whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from lib import clock
from notifications.models import (
    EMAIL_REQUIRED_KINDS,
    PATIENT_CHOICE_KINDS,
    Channel,
    Kind,
    Notification,
    NotificationPreference,
    PushSubscription,
    Status,
)

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


APPOINTMENT_SUBJECT = "appointment"  # Notification.subject_type of appointment reminders
UPCOMING_READ = 200  # rows read to make the "coming up" lines: far more than a page shows


@dataclass(frozen=True, slots=True)
class UpcomingLine:
    """One line of "coming up": a message, or the same reminder about several appointments on
    one day ("you have an appointment tomorrow" for a scan at 9:30 and another at 13:00)."""

    notification: Notification  # the soonest of the line: its words and time are shown
    link: str  # where the line leads: the message's own link, or the common part of several
    appointments: int  # how many appointments the line is about (0: not about appointments)


def _common_path(links: list[str]) -> str:
    """The deepest folder all these paths share: "/appointments/1/", "/appointments/2/" ->
    "/appointments/"."""
    if len(set(links)) == 1:
        return links[0]
    parts = [link.split("/") for link in links]
    shared: list[str] = []
    for segments in zip(*parts, strict=False):
        if len(set(segments)) != 1:
            break
        shared.append(segments[0])
    return "/".join(shared) + "/" if len(shared) > 1 else "/"


def upcoming_lines(user: User | AnonymousUser, *, zone: str) -> list[UpcomingLine]:
    """The user's messages still to come, soonest first, one line each, except that reminders
    about appointments that would say the same thing on the same day (in ``zone``) are one
    line, however many appointments or rows (an email and its in-app twin, a duplicate) they
    are. At most ``UPCOMING_READ`` rows are read: one query."""
    groups: dict[tuple[object, ...], list[Notification]] = {}
    for notification in notifications_upcoming(user)[:UPCOMING_READ]:
        if notification.subject_type == APPOINTMENT_SUBJECT:
            day = clock.local_today(notification.due_at, zone)
            group = (notification.kind, notification.title, notification.body, day)
        else:
            group = ("message", notification.pk)
        groups.setdefault(group, []).append(notification)
    return [
        UpcomingLine(
            notification=rows[0],
            link=_common_path([row.link for row in rows]),
            appointments=len({row.subject_id for row in rows})
            if rows[0].subject_type == APPOINTMENT_SUBJECT
            else 0,
        )
        for rows in groups.values()
    ]


def unread_count(user: User | AnonymousUser) -> int:
    """How many sent messages the user has not marked read."""
    return notifications_for(user, include_planned=False).filter(read_at__isnull=True).count()


def push_subscriptions_for(user: User | AnonymousUser) -> QuerySet[PushSubscription]:
    """The user's own devices, newest first (one query)."""
    if not user.is_authenticated:
        return PushSubscription.objects.none()
    return PushSubscription.objects.live().filter(user_id=user.pk)


@dataclass(frozen=True)
class ChannelChoice:
    kind: str
    label: str
    email: bool
    push: bool
    email_required: bool


def notification_choices_for(user: User) -> list[ChannelChoice]:
    """The user's channels for each kind of message they may choose for (one query)."""
    saved = {
        kind: (email, push)
        for kind, email, push in NotificationPreference.objects.filter(user_id=user.pk).values_list(
            "kind", "email", "push"
        )
    }
    kinds = PATIENT_CHOICE_KINDS if user.is_patient else (Kind.FLAG_ALERT,)
    return [
        ChannelChoice(
            kind=kind,
            label=Kind(kind).label,
            email=saved.get(kind, (True, True))[0] or kind in EMAIL_REQUIRED_KINDS,
            push=saved.get(kind, (True, True))[1],
            email_required=kind in EMAIL_REQUIRED_KINDS,
        )
        for kind in kinds
    ]

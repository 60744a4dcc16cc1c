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


def test_coming_up_is_one_line_per_appointment_reminder_and_day():
    user = UserFactory()
    nine = dt.datetime(2026, 12, 13, 9, 0, tzinfo=dt.UTC)
    tomorrow = {
        "title": "You have an appointment reminder",
        "body": "You have an appointment tomorrow.",
        "kind": "appointment_reminder",
        "subject_type": "appointment",
    }
    # A CT at 9:30 and a bone scan at 13:00 on the same day: the same words at the same time.
    ct = message_pair(
        user, key="a:1:1d", subject_id=1, link="/appointments/1/", due_at=nine, **tomorrow
    )
    message_pair(user, key="a:2:1d", subject_id=2, link="/appointments/2/", due_at=nine, **tomorrow)
    # A second row for the CT the same day (planned under another key): still the same line.
    NotificationFactory(
        recipient=user,
        key="a:1:1d:again",
        subject_id=1,
        link="/appointments/1/",
        channel=Channel.IN_APP,
        due_at=nine + dt.timedelta(hours=2),
        **tomorrow,
    )
    # Another reminder the same day says something else: a line of its own.
    week = message_pair(
        user,
        key="a:3:7d",
        subject_id=3,
        link="/appointments/3/",
        due_at=nine,
        kind="appointment_reminder",
        subject_type="appointment",
        title="You have an appointment reminder",
        body="You have an appointment coming up next week.",
    )
    # The same reminder a day later (another appointment day): a line of its own.
    later = message_pair(
        user,
        key="a:4:1d",
        subject_id=4,
        link="/appointments/4/",
        due_at=nine + dt.timedelta(days=1),
        **tomorrow,
    )
    # Messages not about appointments are never merged, even with the same words.
    nudges = [
        message_pair(
            user,
            key=f"log:{n}",
            kind="log_reminder",
            title="How are you today?",
            body="",
            link="/log/",
            due_at=nine,
        )[0]
        for n in range(2)
    ]

    lines = selectors.upcoming_lines(user, zone="Europe/London")

    assert [(line.notification, line.link, line.appointments) for line in lines] == [
        (ct[0], "/appointments/", 2),
        (week[0], "/appointments/3/", 1),
        (nudges[0], "/log/", 0),
        (nudges[1], "/log/", 0),
        (later[0], "/appointments/4/", 1),
    ]


def test_coming_up_days_are_the_persons_own_days():
    user = UserFactory()
    words = {"title": "Reminder", "body": "Tomorrow.", "subject_type": "appointment"}
    # 10:30 and 11:30 UTC: one day in London; 23:30 and 00:30 the next day in Auckland.
    first = NotificationFactory(
        recipient=user,
        key="x",
        subject_id=1,
        channel=Channel.IN_APP,
        due_at=dt.datetime(2026, 12, 13, 10, 30, tzinfo=dt.UTC),
        **words,
    )
    NotificationFactory(
        recipient=user,
        key="y",
        subject_id=2,
        channel=Channel.IN_APP,
        due_at=dt.datetime(2026, 12, 13, 11, 30, tzinfo=dt.UTC),
        **words,
    )
    assert len(selectors.upcoming_lines(user, zone="Europe/London")) == 1
    auckland = selectors.upcoming_lines(user, zone="Pacific/Auckland")
    assert auckland[0].notification == first
    assert len(auckland) == 2

"""The outbox services: planning is idempotent, and dispatch sends each due row once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications import checks, services
from notifications.models import Channel, Kind, Notification, Status
from notifications.planning import outbox_sync
from notifications.tests.factories import NotificationFactory
from notifications.tests.mail import CountingEmailBackend, FlakyEmailBackend

pytestmark = pytest.mark.django_db


def replace_for_subject(
    *, subject_type: str, subject_id: int, planned: list, now: dt.datetime | None = None
) -> int:
    """Make one subject's pending messages exactly ``planned``: ``outbox_sync`` scoped to it."""
    return outbox_sync(
        scope=Notification.objects.filter(subject_type=subject_type, subject_id=subject_id),
        keep={item.key for item in planned},
        planned=list(planned),
        now=now or timezone.now(),
    )


NOW = dt.datetime(2026, 6, 15, 8, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def registry():
    """Send-time checks registered by a test are gone after it."""
    saved = dict(checks._checks)
    yield checks
    checks._checks.clear()
    checks._checks.update(saved)


@pytest.fixture
def flaky_email(settings):
    settings.EMAIL_BACKEND = "notifications.tests.mail.FlakyEmailBackend"
    yield FlakyEmailBackend
    FlakyEmailBackend.failures_left = 0


def planned(recipient, key: str, *, due_at=NOW, subject_id: int = 7, **fields):
    return services.Planned(
        key=key,
        kind=fields.pop("kind", Kind.APPOINTMENT_REMINDER),
        recipient_id=recipient.pk,
        due_at=due_at,
        title=fields.pop("title", "You have an appointment reminder"),
        body=fields.pop("body", "You have an appointment tomorrow."),
        link="/appointments/7/",
        subject_type="appointment",
        subject_id=subject_id,
        **fields,
    )


def rows(**filters) -> dict[tuple[str, str], str]:
    """(key, channel) -> status, for the rows that match."""
    return {(row.key, row.channel): row.status for row in Notification.objects.filter(**filters)}


# --- Planning -------------------------------------------------------------------------------------


def test_planning_twice_creates_nothing_new():
    user = UserFactory()
    items = [planned(user, "a:1"), planned(user, "a:2", due_at=NOW + MINUTE)]

    assert services.notifications_plan(planned=items) == 4  # in-app and email for each
    assert services.notifications_plan(planned=items) == 0
    assert services.notifications_plan(planned=[*items, planned(user, "a:3")]) == 2
    assert Notification.objects.count() == 6
    assert set(rows().values()) == {Status.PLANNED}


def test_planning_in_small_batches_counts_every_new_row():
    user = UserFactory()
    items = [planned(user, f"b:{n}", channels=(Channel.EMAIL,)) for n in range(7)]
    services.notifications_plan(planned=items[:2])

    assert services.notifications_plan(planned=items, batch_size=3) == 5
    assert Notification.objects.count() == 7


def test_replace_for_subject_cancels_pending_old_keys_keeps_sent_and_plans_new():
    user = UserFactory()
    services.notifications_plan(
        planned=[
            planned(user, "appt:7:7d"),
            planned(user, "appt:7:1d"),
            planned(user, "appt:8:1d", subject_id=8),  # another appointment
        ]
    )
    Notification.objects.filter(key="appt:7:7d").update(status=Status.SENT, sent_at=NOW)
    moved = planned(user, "appt:7:1d-moved", due_at=NOW + 2 * MINUTE)

    replace_for_subject(subject_type="appointment", subject_id=7, planned=[moved])
    replace_for_subject(  # idempotent
        subject_type="appointment", subject_id=7, planned=[moved]
    )

    assert rows() == {
        ("appt:7:7d", "in_app"): "sent",  # history stays
        ("appt:7:7d", "email"): "sent",
        ("appt:7:1d", "in_app"): "cancelled",
        ("appt:7:1d", "email"): "cancelled",
        ("appt:7:1d-moved", "in_app"): "planned",
        ("appt:7:1d-moved", "email"): "planned",
        ("appt:8:1d", "in_app"): "planned",
        ("appt:8:1d", "email"): "planned",
    }
    assert Notification.objects.get(key="appt:7:1d-moved", channel="email").due_at == (
        NOW + 2 * MINUTE
    )


def test_replace_back_to_a_cancelled_key_plans_it_again_with_a_fresh_start():
    user = UserFactory()
    first = [planned(user, "appt:7:1d")]
    services.notifications_plan(planned=first)
    Notification.objects.filter(key="appt:7:1d").update(attempts=2, last_error="timeout")
    replace_for_subject(
        subject_type="appointment", subject_id=7, planned=[planned(user, "appt:7:1d-later")]
    )

    replace_for_subject(
        subject_type="appointment",
        subject_id=7,
        planned=[planned(user, "appt:7:1d", title="Reworded", channels=(Channel.IN_APP,))],
    )

    assert rows(subject_id=7) == {
        ("appt:7:1d", "in_app"): "planned",
        ("appt:7:1d", "email"): "cancelled",  # no longer wanted by email
        ("appt:7:1d-later", "in_app"): "cancelled",
        ("appt:7:1d-later", "email"): "cancelled",
    }
    revived = Notification.objects.get(key="appt:7:1d", channel=Channel.IN_APP)
    assert (revived.title, revived.attempts, revived.last_error) == ("Reworded", 0, "")


def test_replace_cancels_a_claim_whose_dispatcher_died_but_not_a_live_one():
    user = UserFactory()
    dead = NotificationFactory(
        recipient=user,
        subject_type="appointment",
        subject_id=7,
        status=Status.CLAIMED,
        claimed_until=NOW - MINUTE,
    )
    live = NotificationFactory(
        recipient=user,
        subject_type="appointment",
        subject_id=7,
        status=Status.CLAIMED,
        claimed_until=NOW + MINUTE,
    )

    replace_for_subject(subject_type="appointment", subject_id=7, planned=[])

    dead.refresh_from_db()
    live.refresh_from_db()
    assert (dead.status, dead.claim_token) == (Status.CANCELLED, None)
    assert live.status == Status.CLAIMED


def test_cancel_for_subject_cancels_only_what_is_not_sent():
    user = UserFactory()
    services.notifications_plan(planned=[planned(user, "appt:7:7d"), planned(user, "appt:7:1d")])
    Notification.objects.filter(key="appt:7:7d").update(status=Status.SENT, sent_at=NOW)
    other = NotificationFactory(subject_type="appointment", subject_id=8)

    assert services.notifications_cancel_for_subject(subject_type="appointment", subject_id=7) == 2

    assert set(rows(key="appt:7:7d").values()) == {Status.SENT}
    assert set(rows(key="appt:7:1d").values()) == {Status.CANCELLED}
    other.refresh_from_db()
    assert other.status == Status.PLANNED


def test_mark_read_keeps_the_first_time_and_mark_all_read():
    user = UserFactory()
    first, second = (
        NotificationFactory(recipient=user, status=Status.SENT, sent_at=NOW) for _ in range(2)
    )
    services.notification_mark_read(notification=first)
    services.notification_mark_read(notification=first, now=NOW + MINUTE)
    first.refresh_from_db()
    assert first.read_at == NOW

    assert services.notifications_mark_all_read(recipient_id=user.pk, now=NOW + MINUTE) == 1
    second.refresh_from_db()
    assert second.read_at == NOW + MINUTE


def test_retry_reschedules_failed_and_waiting_rows_only():
    failed = NotificationFactory(status=Status.FAILED, attempts=5, last_error="boom")
    waiting = NotificationFactory(status=Status.PLANNED, attempts=2, due_at=NOW + 8 * MINUTE)
    sent = NotificationFactory(status=Status.SENT, sent_at=NOW - MINUTE)
    cancelled = NotificationFactory(status=Status.CANCELLED)

    count = services.notifications_retry(ids=[failed.pk, waiting.pk, sent.pk, cancelled.pk])

    assert count == 2
    for row in (failed, waiting):
        row.refresh_from_db()
        assert (row.status, row.due_at, row.attempts, row.last_error) == ("planned", NOW, 0, "")
    sent.refresh_from_db()
    cancelled.refresh_from_db()
    assert (sent.status, cancelled.status) == (Status.SENT, Status.CANCELLED)


# --- Dispatch -------------------------------------------------------------------------------------


def test_dispatcher_sends_only_due_rows_in_app_and_email(settings):
    settings.SITE_URL = "https://mbc.example.org"
    user = UserFactory(email="reader@example.org")
    services.notifications_plan(
        planned=[planned(user, "due", due_at=NOW), planned(user, "later", due_at=NOW + MINUTE)]
    )

    result = services.dispatch_due()

    assert (result.claimed, result.sent) == (2, 2)
    assert rows() == {
        ("due", "in_app"): "sent",
        ("due", "email"): "sent",
        ("later", "in_app"): "planned",
        ("later", "email"): "planned",
    }
    for row in Notification.objects.filter(key="due"):
        assert (row.sent_at, row.attempts, row.claim_token, row.claimed_until) == (
            NOW,
            1,
            None,
            None,
        )
    [email] = mail.outbox
    assert email.to == ["reader@example.org"]
    assert email.subject == "You have an appointment reminder"
    assert "https://mbc.example.org/appointments/7/" in email.body
    assert services.dispatch_due().claimed == 0  # nothing more is due


def test_a_worker_dies_after_claiming_and_the_message_goes_out_once_after_the_lease():
    NotificationFactory(due_at=NOW - MINUTE)
    [claimed] = services.claim_due(now=NOW, limit=10)  # ... and the worker dies here
    assert claimed.status == Status.CLAIMED

    assert services.dispatch_due().claimed == 0  # the lease is still running
    with time_machine.travel(NOW + services.LEASE + MINUTE, tick=False):
        result = services.dispatch_due()
        assert services.dispatch_due().claimed == 0

    assert result.sent == 1
    assert len(mail.outbox) == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_email_backend_fails_then_recovers_one_email_attempts_counted(flaky_email):
    flaky_email.failures_left = 2
    row = NotificationFactory(due_at=NOW)

    assert services.dispatch_due().retried == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.due_at) == (Status.PLANNED, 1, NOW + 2 * MINUTE)
    assert "SMTPServerDisconnected" in row.last_error
    assert services.dispatch_due().claimed == 0  # backing off: not due yet

    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        assert services.dispatch_due().retried == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.due_at) == (Status.PLANNED, 2, NOW + 6 * MINUTE)

    with time_machine.travel(NOW + 6 * MINUTE, tick=False):
        assert services.dispatch_due().sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (Status.SENT, 3, NOW + 6 * MINUTE)
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_row_is_failed_with_its_error(flaky_email):
    flaky_email.failures_left = 99
    row = NotificationFactory(due_at=NOW)
    at = NOW
    for waited in (0, 2, 4, 8, 16):  # minutes, the backoff between tries
        at += waited * MINUTE
        with time_machine.travel(at, tick=False):
            services.dispatch_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, services.MAX_ATTEMPTS)
    assert "Connection unexpectedly closed" in row.last_error
    with time_machine.travel(at + dt.timedelta(days=1), tick=False):
        assert services.dispatch_due().claimed == 0
    assert mail.outbox == []


def test_a_send_time_check_that_says_no_skips_the_message(registry):
    registry.register(Kind.LOG_REMINDER, lambda notification, now: False)
    nudge = NotificationFactory(kind=Kind.LOG_REMINDER)
    other = NotificationFactory(kind=Kind.APPOINTMENT_REMINDER)

    result = services.dispatch_due()

    assert (result.skipped, result.sent) == (1, 1)
    nudge.refresh_from_db()
    assert (nudge.status, nudge.sent_at) == (Status.SKIPPED, None)
    assert [email.to for email in mail.outbox] == [[other.recipient.email]]


def test_a_send_time_check_that_raises_is_retried_like_a_failed_send(registry):
    def broken(notification, now):
        raise RuntimeError("the check could not read the logs")

    registry.register(Kind.LOG_REMINDER, broken)
    nudge = NotificationFactory(kind=Kind.LOG_REMINDER)

    assert services.dispatch_due().retried == 1
    nudge.refresh_from_db()
    assert (nudge.status, nudge.claim_token) == (Status.PLANNED, None)
    assert "could not read the logs" in nudge.last_error


def test_an_inactive_recipient_is_skipped():
    row = NotificationFactory(recipient=UserFactory(is_active=False))

    assert services.dispatch_due().skipped == 1
    row.refresh_from_db()
    assert row.status == Status.SKIPPED
    assert mail.outbox == []


def test_a_message_that_kills_its_sender_every_time_ends_as_failed():
    row = NotificationFactory(
        status=Status.CLAIMED, attempts=services.MAX_ATTEMPTS, claimed_until=NOW - MINUTE
    )

    assert services.dispatch_due().claimed == 0

    row.refresh_from_db()
    assert (row.status, row.claim_token) == (Status.FAILED, None)
    assert "stopped before confirming" in row.last_error


def test_rows_not_reached_within_the_budget_go_back_to_the_queue():
    rows_ = NotificationFactory.create_batch(3)

    result = services.dispatch_due(budget=dt.timedelta(0))

    assert (result.claimed, result.sent, result.released) == (3, 0, 3)
    for row in rows_:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.claim_token) == (Status.PLANNED, 0, None)
    assert services.dispatch_due().sent == 3
    assert len(mail.outbox) == 3


def test_a_title_never_puts_a_line_break_in_the_subject():
    NotificationFactory(title="You have a\nreminder")

    services.dispatch_due()

    assert mail.outbox[0].subject == "You have a reminder"


def test_one_email_connection_serves_a_whole_batch(settings, monkeypatch):
    settings.EMAIL_BACKEND = "notifications.tests.mail.CountingEmailBackend"
    monkeypatch.setattr(CountingEmailBackend, "opened", 0)
    NotificationFactory.create_batch(3)

    assert services.dispatch_due().sent == 3

    assert CountingEmailBackend.opened == 1
    assert len(mail.outbox) == 3


def test_cancelling_one_key_cancels_only_its_rows_not_sent_and_not_being_sent():
    """One key is the log save's path (its UPDATE compiled once per process on PostgreSQL)."""
    user = UserFactory()
    key = "log:1:2026-06-15"
    planned_row = NotificationFactory(recipient=user, key=key, channel=Channel.EMAIL)
    dead = NotificationFactory(
        recipient=user, key=key, channel=Channel.PUSH, status=Status.CLAIMED,
        claim_token="0" * 32, claimed_until=NOW - MINUTE,
    )  # fmt: skip
    live = NotificationFactory(
        recipient=user, key=key, channel=Channel.IN_APP, status=Status.CLAIMED,
        claimed_until=NOW + 5 * MINUTE,
    )  # fmt: skip
    other = NotificationFactory(recipient=user, key="log:1:2026-06-14")
    later = NOW + 2 * MINUTE

    assert services.notifications_cancel_pending(keys=[key], now=later) == 2
    assert services.notifications_cancel_pending(keys=[key], now=later) == 0  # none left

    for row in (planned_row, dead, live, other):
        row.refresh_from_db()
    assert (planned_row.status, planned_row.updated_at) == (Status.CANCELLED, later)
    assert (dead.status, dead.claim_token, dead.claimed_until) == (Status.CANCELLED, None, None)
    assert (live.status, other.status) == (Status.CLAIMED, Status.PLANNED)

"""People's channel choices decide what is planned, in one place (``services.route``), for
every planner: ``notifications_plan`` and ``planning.outbox_sync``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory, make_patient
from notifications import devices, planning, services
from notifications.models import Channel, Kind, Notification, Status
from notifications.tests.factories import PushSubscriptionFactory

pytestmark = pytest.mark.django_db


def _planned(user, kind=Kind.LOG_REMINDER, key="log:1", **fields) -> services.Planned:
    return services.Planned(
        key=key,
        kind=kind,
        recipient_id=user.pk,
        due_at=timezone.now() + dt.timedelta(hours=2),
        title="How are you today?",
        **fields,
    )


def _channels(key: str = "log:1") -> set[str]:
    return set(
        Notification.objects.filter(key=key)
        .exclude(status=Status.CANCELLED)
        .values_list("channel", flat=True)
    )


def test_without_a_phone_nothing_changes(vapid):
    services.notifications_plan(planned=[_planned(UserFactory())])
    assert _channels() == {Channel.IN_APP, Channel.EMAIL}


def test_a_phone_adds_a_push_row(vapid):
    user = UserFactory()
    PushSubscriptionFactory(user=user)
    services.notifications_plan(planned=[_planned(user)])
    assert _channels() == {Channel.IN_APP, Channel.EMAIL, Channel.PUSH}


def test_push_is_never_planned_while_it_is_not_configured(settings):
    settings.WEBPUSH_ENABLED = False
    user = UserFactory()
    PushSubscriptionFactory(user=user)
    services.notifications_plan(planned=[_planned(user)])
    assert _channels() == {Channel.IN_APP, Channel.EMAIL}


def test_choices_per_kind_drop_email_or_push(vapid):
    user = make_patient()
    PushSubscriptionFactory(user=user)
    devices.notification_choices_set(
        user=user,
        choices={Kind.LOG_REMINDER: (False, True), Kind.APPOINTMENT_REMINDER: (True, False)},
    )
    services.notifications_plan(
        planned=[
            _planned(user, key="log:1"),
            _planned(user, kind=Kind.APPOINTMENT_REMINDER, key="appt:1"),
            _planned(user, kind=Kind.SCAN_ANXIETY, key="scan:1"),
        ]
    )
    assert _channels("log:1") == {Channel.IN_APP, Channel.PUSH}
    assert _channels("appt:1") == {Channel.IN_APP, Channel.EMAIL}
    assert _channels("scan:1") == {Channel.IN_APP, Channel.EMAIL, Channel.PUSH}


def test_safety_alerts_keep_their_email_whatever_is_chosen(vapid):
    coordinator = UserFactory()
    PushSubscriptionFactory(user=coordinator)
    devices.notification_choices_set(user=coordinator, choices={Kind.FLAG_ALERT: (False, True)})
    services.notifications_plan(planned=[_planned(coordinator, kind=Kind.FLAG_ALERT)])
    assert _channels() == {Channel.IN_APP, Channel.EMAIL, Channel.PUSH}


def test_in_app_only_messages_get_no_push(vapid):
    user = UserFactory()
    PushSubscriptionFactory(user=user)
    services.notifications_plan(
        planned=[_planned(user, kind=Kind.RECORD_EXPORT, channels=(Channel.IN_APP,))]
    )
    assert _channels() == {Channel.IN_APP}


def test_a_changed_choice_cancels_and_adds_rows_on_the_next_sync(vapid):
    user = make_patient()
    PushSubscriptionFactory(user=user)
    now = timezone.now()
    planned = [_planned(user)]
    scope = Notification.objects.filter(recipient=user)
    planning.outbox_sync(scope=scope, keep={"log:1"}, planned=planned, now=now)
    assert _channels() == {Channel.IN_APP, Channel.EMAIL, Channel.PUSH}

    devices.notification_choices_set(user=user, choices={Kind.LOG_REMINDER: (False, False)})
    planning.outbox_sync(scope=scope, keep={"log:1"}, planned=planned, now=now)
    assert _channels() == {Channel.IN_APP}

    devices.notification_choices_set(user=user, choices={Kind.LOG_REMINDER: (True, True)})
    planning.outbox_sync(scope=scope, keep={"log:1"}, planned=planned, now=now)
    assert _channels() == {Channel.IN_APP, Channel.EMAIL, Channel.PUSH}


def test_choices_refuse_unknown_kinds():
    with pytest.raises(ValueError):
        devices.notification_choices_set(user=UserFactory(), choices={Kind.ACCOUNT: (False, False)})

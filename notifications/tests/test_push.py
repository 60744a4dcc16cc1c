"""Push delivery through the dispatcher to a local fake push service: real VAPID-signed,
encrypted requests, checked and decrypted as a push service and a phone would."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from accounts.credentials import sign_out_everywhere
from accounts.tests.factories import UserFactory
from notifications import services
from notifications.devices import push_subscription_add
from notifications.models import Channel, Kind, Notification, PushDelivery, PushSubscription, Status
from notifications.push import Pusher
from notifications.selectors import push_subscriptions_for
from notifications.tests.factories import NotificationFactory, PushSubscriptionFactory
from notifications.tests.push_fixtures import CONTACT

pytestmark = pytest.mark.django_db


def _device(service, user, *, answer: int = 201):
    fake = service.new_device(answer=answer)
    return fake, PushSubscriptionFactory(user=user, **fake.subscription_fields())


def _push_row(user, **fields) -> Notification:
    return NotificationFactory(recipient=user, channel=Channel.PUSH, **fields)


def test_each_device_gets_one_signed_encrypted_lock_screen_safe_message(push_service):
    user = UserFactory()
    (fake_a, _), (fake_b, _) = _device(push_service, user), _device(push_service, user)
    row = _push_row(user, key="appt:7:1d", link="/appointments/7/")

    result = services.dispatch_due()

    assert result.sent == 1
    received = push_service.received
    assert [item.problems for item in received] == [[], []]
    assert {item.token for item in received} == {fake_a.token, fake_b.token}
    for item in received:
        assert item.payload == {
            "title": "You have an appointment reminder",
            "body": "You have an appointment coming up.",
            "url": "/appointments/7/",
            "tag": "appt:7:1d",
        }
        assert item.claims["aud"] == push_service.origin
        assert item.claims["sub"] == CONTACT
        assert item.urgency == "normal"
        assert int(item.ttl) > 0
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert PushDelivery.objects.filter(notification=row).count() == 2
    assert PushSubscription.objects.filter(last_success_at__isnull=False).count() == 2


def test_flag_alerts_go_with_high_urgency(push_service):
    coordinator = UserFactory()
    _device(push_service, coordinator)
    _push_row(coordinator, kind=Kind.FLAG_ALERT, key="digest:1:2026-06-15", link="/")

    services.dispatch_due()

    assert [item.urgency for item in push_service.delivered()] == ["high"]


def test_gone_410_removes_that_device_and_the_others_still_get_it(push_service):
    user = UserFactory()
    _fake_gone, gone = _device(push_service, user, answer=410)
    _fake_ok, kept = _device(push_service, user)
    row = _push_row(user)

    services.dispatch_due()

    row.refresh_from_db()
    assert row.status == Status.SENT
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not PushSubscription.objects.filter(pk=gone.pk).exists()


def test_404_on_the_only_device_removes_it_and_skips_the_row(push_service):
    user = UserFactory()
    _device(push_service, user, answer=404)
    row = _push_row(user)

    result = services.dispatch_due()

    assert result.skipped == 1
    row.refresh_from_db()
    assert row.status == Status.SKIPPED
    assert row.last_error == services.NO_DEVICE
    assert not PushSubscription.objects.exists()


def test_a_500_backs_off_like_email_and_the_retry_skips_devices_already_reached(push_service):
    user = UserFactory()
    fake_bad, _bad = _device(push_service, user, answer=500)
    fake_ok, _ok = _device(push_service, user)
    row = _push_row(user)
    now = timezone.now()

    result = services.dispatch_due(now=now)

    assert result.retried == 1
    row.refresh_from_db()
    assert row.status == Status.PLANNED
    assert row.attempts == 1
    assert row.due_at == now + services.BACKOFF_BASE
    assert "500" in row.last_error
    assert PushSubscription.objects.count() == 2  # a server error is not "gone"

    fake_bad.answer = 201  # the push service is back
    services.dispatch_due(now=now + dt.timedelta(minutes=3))

    row.refresh_from_db()
    assert row.status == Status.SENT
    tokens = [item.token for item in push_service.delivered()]
    assert sorted(tokens) == sorted([fake_ok.token, fake_bad.token])  # each device once


def test_a_push_service_that_keeps_failing_fails_the_row_for_good(push_service):
    user = UserFactory()
    _device(push_service, user, answer=503)
    row = _push_row(user, attempts=services.MAX_ATTEMPTS - 1)

    assert services.dispatch_due().failed == 1
    row.refresh_from_db()
    assert row.status == Status.FAILED


def test_a_push_row_with_no_device_is_skipped(push_service):
    row = _push_row(UserFactory())

    assert services.dispatch_due().skipped == 1
    row.refresh_from_db()
    assert row.status == Status.SKIPPED
    assert push_service.received == []


def test_signing_out_everywhere_ends_every_devices_notifications(push_service):
    """A lost phone: signing out on all devices (web, API or admin) stops its notifications at
    once, and the devices are no longer listed; a phone that signs up again gets them again."""
    user = UserFactory()
    _device(push_service, user)
    _push_row(user, key="before")
    sign_out_everywhere(user=user)

    assert services.dispatch_due().skipped == 1
    assert push_service.received == []
    assert list(push_subscriptions_for(user)) == []

    fake = push_service.new_device()
    push_subscription_add(user=user, **fake.subscription_fields())
    assert PushSubscription.objects.filter(user=user).count() == 1  # the old one is gone
    _push_row(user, key="after")
    assert services.dispatch_due().sent == 1
    assert [item.token for item in push_service.received] == [fake.token]


def test_with_push_not_configured_push_rows_are_skipped_not_retried(settings):
    settings.WEBPUSH_ENABLED = False
    user = UserFactory()
    PushSubscriptionFactory(user=user)
    row = _push_row(user)

    assert services.dispatch_due().skipped == 1
    row.refresh_from_db()
    assert row.last_error == services.PUSH_OFF


def test_an_unreachable_push_service_times_out_and_backs_off(vapid, settings):
    settings.WEBPUSH_TIMEOUT_SECONDS = 0.5
    user = UserFactory()
    # A port nobody listens on: the connection is refused at once.
    PushSubscriptionFactory(user=user, endpoint="http://127.0.0.1:9/push/x")
    row = _push_row(user)

    assert services.dispatch_due().retried == 1
    row.refresh_from_db()
    assert row.status == Status.PLANNED
    assert "Connection" in row.last_error


def test_a_device_removed_while_its_message_is_on_the_way_breaks_nothing(push_service):
    user = UserFactory()
    _fake_a, first = _device(push_service, user)
    _fake_b, second = _device(push_service, user)
    row = _push_row(user)
    real_send = Pusher.send

    def send_then_remove(self, device, data, *, urgent):
        real_send(self, device, data, urgent=urgent)
        if device.pk == first.pk:  # the person removes this phone in settings meanwhile
            PushSubscription.objects.filter(pk=first.pk).delete()

    with mock.patch.object(Pusher, "send", send_then_remove):
        assert services.dispatch_due().sent == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert set(PushDelivery.objects.values_list("device_id", flat=True)) == {first.pk, second.pk}

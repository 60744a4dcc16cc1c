"""Sending one push message to one device: Web Push (RFC 8030) with VAPID (RFC 8292), the
payload encrypted for the browser (RFC 8291, aes128gcm) by pywebpush.

Only the dispatcher sends (``services.deliver``); no request ever calls a push service. The
payload is lock-screen safe: the outbox row's title and body (no health details) and a link
into the app, where the details sit behind sign-in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from notifications.models import Channel, Notification, PushDelivery, PushSubscription

GONE = frozenset({404, 410})  # the push service says the subscription no longer exists


class PushGone(Exception):
    """The device unsubscribed or its subscription expired: forget it."""


def payload(notification: Notification) -> dict[str, str]:
    """What the service worker shows: ``{"title", "body", "url", "tag"}``. The tag is the
    message's natural key, so a copy sent again replaces the first on the phone."""
    return {
        "title": notification.title,
        "body": notification.body,
        "url": notification.link or "/",
        "tag": notification.key,
    }


class Pusher:
    """One dispatch batch's push state: one HTTP session (kept-alive connections to the push
    services), the VAPID key parsed once, and the batch's devices and earlier deliveries read in
    two queries for the whole batch rather than two per message."""

    def __init__(self) -> None:
        self._session: requests.Session | None = None
        self._vapid: Vapid | None = None
        self._devices: dict[int, list[PushSubscription]] = defaultdict(list)
        self._reached: dict[int, set[int]] = defaultdict(set)
        self._loaded_users: set[int] = set()
        self._loaded_rows: set[int] = set()
        self._succeeded: set[int] = set()

    def prepare(self, notifications: Iterable[Notification]) -> None:
        """Read the devices of the push rows' recipients, and which devices each row already
        reached on an earlier attempt."""
        rows = [n for n in notifications if n.channel == Channel.PUSH]
        users = {n.recipient_id for n in rows} - self._loaded_users
        for device in PushSubscription.objects.live().filter(user_id__in=users).order_by("pk"):
            self._devices[device.user_id].append(device)
        self._loaded_users |= users
        pks = {n.pk for n in rows} - self._loaded_rows
        for row_id, device_id in PushDelivery.objects.filter(notification_id__in=pks).values_list(
            "notification_id", "device_id"
        ):
            self._reached[row_id].add(device_id)
        self._loaded_rows |= pks

    def devices(self, notification: Notification) -> tuple[list[PushSubscription], set[int]]:
        """The recipient's devices that the row has not reached yet, and those it has."""
        if notification.pk not in self._loaded_rows:
            self.prepare([notification])
        reached = self._reached[notification.pk]
        todo = [d for d in self._devices[notification.recipient_id] if d.pk not in reached]
        return todo, reached

    def reached(self, notification: Notification, device_ids: Iterable[int]) -> None:
        self._reached[notification.pk].update(device_ids)
        self._succeeded.update(device_ids)

    def record_successes(self, now: dt.datetime) -> None:
        """Stamp ``last_success_at`` on the devices reached in this batch: one UPDATE per batch
        (it is for people and admins to see, not for sending)."""
        if self._succeeded:
            PushSubscription.objects.filter(pk__in=self._succeeded).update(last_success_at=now)
            self._succeeded.clear()

    def forget(self, user_id: int, device_ids: set[int]) -> None:
        """Devices the push service said are gone (already deleted from the database)."""
        self._devices[user_id] = [d for d in self._devices[user_id] if d.pk not in device_ids]

    def send(self, subscription: PushSubscription, data: dict[str, str], *, urgent: bool) -> None:
        """Send to one device. Raises ``PushGone`` on 404/410, anything else on other failures
        (a timeout, a 5xx, a 429): the caller backs off and tries again."""
        if self._session is None:
            self._session = requests.Session()
        if self._vapid is None:
            self._vapid = Vapid.from_string(settings.WEBPUSH_VAPID_PRIVATE_KEY)
        try:
            webpush(
                {
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=json.dumps(data, separators=(",", ":")),
                vapid_private_key=self._vapid,
                # A fresh dict every time: pywebpush writes the audience (the endpoint's origin)
                # and expiry into it, and devices sit at different push services.
                vapid_claims={"sub": settings.WEBPUSH_CONTACT},
                ttl=settings.WEBPUSH_TTL_SECONDS,
                timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
                headers={"Urgency": "high" if urgent else "normal"},
                requests_session=self._session,
            )
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            if status in GONE:
                raise PushGone(f"The push service answered {status}.") from error
            raise

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

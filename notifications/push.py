"""Sending one push message to one device: Web Push (RFC 8030) with VAPID (RFC 8292), the
payload encrypted for the browser (RFC 8291, aes128gcm) by pywebpush.

Only the dispatcher sends (``services.deliver``); no request ever calls a push service. The
payload is lock-screen safe: the outbox row's title and body (no health details) and a link
into the app, where the details sit behind sign-in.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

if TYPE_CHECKING:
    from notifications.models import Notification, PushSubscription

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
    """One HTTP session (kept-alive connections to the push services) and the VAPID key parsed
    once, for a whole dispatch batch."""

    def __init__(self) -> None:
        self._session: requests.Session | None = None
        self._vapid: Vapid | None = None

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

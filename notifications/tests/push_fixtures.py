"""Fixtures for push tests: a VAPID pair in settings and a running fake push service."""

from __future__ import annotations

import pytest

from notifications.management.commands.webpush_dev_keys import new_pair
from notifications.tests.fake_push import FakePushService

CONTACT = "mailto:push-tests@example.org"


@pytest.fixture
def vapid(settings):
    private, public = new_pair()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = private
    settings.WEBPUSH_VAPID_PUBLIC_KEY = public
    settings.WEBPUSH_CONTACT = CONTACT
    settings.WEBPUSH_ENABLED = True
    return public


@pytest.fixture
def push_service(vapid):
    with FakePushService(contact=CONTACT, public_key=vapid) as service:
        yield service

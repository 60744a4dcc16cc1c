"""Admin for the outbox: failed rows are easy to find, content is read-only, retry works."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Notification, Status
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_notification_changelist")


def test_failed_rows_are_listed_with_their_error(people, client):
    NotificationFactory(status=Status.FAILED, attempts=5, last_error="SMTPServerDisconnected")
    NotificationFactory(status=Status.SENT, title="Delivered fine", sent_at="2026-06-01T09:00Z")
    client.force_login(people.admin)

    body = client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()

    assert "SMTPServerDisconnected" in body
    assert "Delivered fine" not in body
    assert client.get(CHANGELIST, {"q": "person"}).status_code == 200


def test_retry_now_plans_failed_rows_for_the_next_dispatch(people, client):
    failed = NotificationFactory(status=Status.FAILED, attempts=5, last_error="timeout")
    sent = NotificationFactory(status=Status.SENT, sent_at="2026-06-01T09:00Z")
    client.force_login(people.admin)

    response = client.post(
        CHANGELIST,
        {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )

    assert "1 message(s) will be sent at the next dispatch." in response.content.decode()
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.PLANNED, 0, "")
    assert sent.status == Status.SENT


def test_content_is_read_only_and_nobody_adds_messages(people, client):
    row = NotificationFactory(title="Original title")
    client.force_login(people.admin)
    change = reverse("admin:notifications_notification_change", args=[row.pk])

    assert client.get(change).status_code == 200
    client.post(change, {"title": "Changed", "status": "sent"})
    row.refresh_from_db()
    assert (row.title, row.status) == ("Original title", Status.PLANNED)
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_only_staff_open_the_outbox(people, client):
    NotificationFactory()
    for name in ("patient_a", "coordinator_a"):
        client.force_login(people.all()[name])
        assert client.get(CHANGELIST).status_code == 302
    assert Notification.objects.count() == 1

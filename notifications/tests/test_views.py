"""The notification centre page: own messages only, unread marked, times in the reader's zone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import make_patient
from notifications.models import Channel, Notification, Status
from notifications.tests.factories import message_pair

pytestmark = pytest.mark.django_db

PAGE = reverse("notification_list")
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)  # a Monday; BST in London, EDT in New York
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _sent(user, key: str, **fields) -> Notification:
    fields.setdefault("due_at", NOW - HOUR)
    return message_pair(user, key=key, status=Status.SENT, **fields)[0]


def _read_url(notification: Notification) -> str:
    return reverse("notification_read", args=[notification.pk])


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(reverse("notifications_read_all")).status_code == 302


def test_the_page_shows_own_messages_only(people, client):
    _sent(people.patient_a, "a:1", title="A message for Alice")
    message_pair(people.patient_a, key="a:2", title="Alice's next reminder", due_at=NOW + HOUR)
    _sent(people.patient_b, "b:1", title="A message for Bella")
    message_pair(people.patient_b, key="b:2", title="Bella's next reminder", due_at=NOW + HOUR)
    message_pair(people.patient_a, key="a:3", title="Cancelled one", status=Status.CANCELLED)
    client.force_login(people.patient_a)

    body = client.get(PAGE).content.decode()

    assert "A message for Alice" in body
    assert "Alice&#x27;s next reminder" in body
    assert "Bella" not in body
    assert "Cancelled one" not in body
    assert body.count('class="notice-title"') == 2  # email twins are not listed again


def test_sent_messages_come_newest_first_and_unread_ones_are_marked(people, client):
    older = _sent(people.patient_a, "old", title="Older message", due_at=NOW - 3 * HOUR)
    newer = _sent(people.patient_a, "new", title="Newer message")
    Notification.objects.filter(pk=older.pk).update(read_at=NOW - HOUR)
    client.force_login(people.patient_a)

    body = client.get(PAGE).content.decode()

    assert body.index("Newer message") < body.index("Older message")
    assert body.count('class="notice is-unread"') == 1
    assert f'action="{_read_url(newer)}"' in body
    assert f'action="{_read_url(older)}"' not in body
    assert ">1 new<" in body


def test_coming_up_shows_local_times_in_the_patients_zone(people, client):
    patient = make_patient(email="ny@example.org", timezone="America/New_York")
    message_pair(patient, key="ny:1", title="Your visit notes are ready", due_at=NOW + HOUR)
    client.force_login(patient)

    body = client.get(PAGE).content.decode()

    assert "Coming up" in body
    assert "Monday 15 June, 09:00" in body  # 13:00 UTC is 09:00 EDT
    assert "America/New_York" in body


def test_staff_see_times_in_the_default_zone(people, client):
    _sent(people.coordinator_a, "c:1", title="A care team alert", due_at=NOW - HOUR)
    client.force_login(people.coordinator_a)

    body = client.get(PAGE).content.decode()

    assert "A care team alert" in body
    assert "Monday 15 June, 12:00" in body  # 11:00 UTC is 12:00 BST
    assert "Europe/London" in body


def test_links_lead_inside_the_app_only(people, client):
    _sent(people.patient_a, "in", title="Inside", link="/appointments/4/")
    _sent(people.patient_a, "out", title="Outside", link="https://elsewhere.example/")
    _sent(people.patient_a, "proto", title="Protocol", link="//elsewhere.example/")
    client.force_login(people.patient_a)

    body = client.get(PAGE).content.decode()

    assert '<a href="/appointments/4/">Inside</a>' in body
    assert "elsewhere.example" not in body


def test_mark_as_read_is_a_post_for_own_messages(people, client):
    mine = _sent(people.patient_a, "mine")
    theirs = _sent(people.patient_b, "theirs")
    client.force_login(people.patient_a)

    assert client.get(_read_url(mine)).status_code == 405
    response = client.post(_read_url(mine), {"page": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?page=2"
    assert client.post(_read_url(theirs)).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.read_at, theirs.read_at) == (NOW, None)


def test_mark_all_as_read(people, client):
    for n in range(3):
        _sent(people.patient_a, f"all:{n}")
    theirs = _sent(people.patient_b, "theirs")
    client.force_login(people.patient_a)

    response = client.post(reverse("notifications_read_all"), follow=True)

    assert "All your messages are marked as read." in response.content.decode()
    assert not Notification.objects.filter(
        recipient=people.patient_a, channel=Channel.IN_APP, read_at__isnull=True
    ).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_older_messages_are_on_further_pages(people, client):
    for n in range(25):
        _sent(people.patient_a, f"p:{n}", title=f"Message number {n:02d}", due_at=NOW - n * HOUR)
    client.force_login(people.patient_a)

    first = client.get(PAGE).content.decode()
    second = client.get(PAGE, {"page": 2}).content.decode()

    assert "Message number 00" in first and "Message number 19" in first
    assert "Message number 20" not in first
    assert "Message number 24" in second
    assert "Older messages" in first and "Newer messages" in second


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_page_query_count_does_not_grow_with_the_messages(people, client):
    client.force_login(people.patient_a)
    _sent(people.patient_a, "q:0")
    few = _queries(client)
    for n in range(15):
        _sent(people.patient_a, f"q:sent:{n}")
        message_pair(people.patient_a, key=f"q:planned:{n}", due_at=NOW + (n + 1) * HOUR)
    assert _queries(client) == few

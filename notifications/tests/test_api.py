"""/api/v1/notifications/: the caller's own messages only, in API.md's shape."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Channel, Kind, Status
from notifications.tests.factories import NotificationFactory, message_pair

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
API_FIELDS = {"id", "kind", "title", "body", "scheduled_for", "sent_at", "channel"}
API_FIELDS |= {"appointment", "flag"}
EXTRAS = {"status", "read_at", "link"}
PERSONAS = ("patient_a", "patient_b", "coordinator_a", "coordinator_b", "admin")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _sent(user, key: str, **fields):
    return message_pair(user, key=key, status=Status.SENT, due_at=NOW - HOUR, **fields)[0]


def test_each_persona_sees_only_their_own_messages(people, api_client):
    own = {name: _sent(people.all()[name], f"own:{name}", title=f"For {name}") for name in PERSONAS}
    for name in PERSONAS:
        api_client.force_authenticate(people.all()[name])
        body = api_client.get(URL).json()
        assert [row["id"] for row in body["results"]] == [own[name].pk], name
        assert body["results"][0]["title"] == f"For {name}"
    api_client.force_authenticate(None)
    assert api_client.get(URL).status_code == 401


def test_fields_are_those_of_the_api_contract(people, api_client):
    patient = people.patient_a
    sent = _sent(
        patient,
        "appt:1:1d",
        kind=Kind.APPOINTMENT_REMINDER,
        subject_type="appointment",
        subject_id=41,
        link="/appointments/41/",
    )
    planned = message_pair(
        patient,
        key="flag:9",
        kind=Kind.FLAG_ALERT,
        subject_type="flag",
        subject_id=9,
        due_at=NOW + HOUR,
        link="",
    )[0]
    email_only = NotificationFactory(
        recipient=patient,
        key="account:1",
        kind=Kind.ACCOUNT,
        channel=Channel.EMAIL,
        status=Status.SENT,
        due_at=NOW - 2 * HOUR,
        sent_at=NOW - 2 * HOUR,
        subject_type="",
        link="",
    )
    for hidden in (Status.CANCELLED, Status.SKIPPED, Status.FAILED):
        message_pair(patient, key=f"hidden:{hidden}", status=hidden)
    api_client.force_authenticate(patient)

    results = api_client.get(URL).json()["results"]

    assert set(results[0]) == API_FIELDS | EXTRAS
    assert results == [
        {
            "id": planned.pk,
            "kind": "flag_alert",
            "title": planned.title,
            "body": planned.body,
            "scheduled_for": "2026-06-15T13:00:00Z",
            "sent_at": None,
            "channel": "in_app",
            "appointment": None,
            "flag": 9,
            "status": "scheduled",
            "read_at": None,
            "link": "",
        },
        {
            "id": sent.pk,
            "kind": "appointment_reminder",
            "title": sent.title,
            "body": sent.body,
            "scheduled_for": "2026-06-15T11:00:00Z",
            "sent_at": "2026-06-15T11:00:00Z",
            "channel": "in_app",
            "appointment": 41,
            "flag": None,
            "status": "sent",
            "read_at": None,
            "link": "/appointments/41/",
        },
        {
            "id": email_only.pk,
            "kind": "account",
            "title": email_only.title,
            "body": email_only.body,
            "scheduled_for": "2026-06-15T10:00:00Z",
            "sent_at": "2026-06-15T10:00:00Z",
            "channel": "email",
            "appointment": None,
            "flag": None,
            "status": "sent",
            "read_at": None,
            "link": "",
        },
    ]


def test_the_list_is_paginated(people, api_client):
    for n in range(55):
        _sent(people.patient_a, f"many:{n}")
    api_client.force_authenticate(people.patient_a)

    first = api_client.get(URL).json()
    second = api_client.get(URL, {"page": 2}).json()

    assert (first["count"], len(first["results"]), second["count"]) == (55, 50, 55)
    assert first["next"].endswith("?page=2")
    assert first["previous"] is None
    assert len(second["results"]) == 5
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(ids)) == 55


def _queries(api_client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(URL).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_messages(people, api_client):
    api_client.force_authenticate(people.patient_a)
    _sent(people.patient_a, "few:0", subject_type="appointment", subject_id=1)
    few = _queries(api_client)
    for n in range(30):
        _sent(people.patient_a, f"more:{n}", subject_type="flag", subject_id=n)
    assert _queries(api_client) == few == 2  # count + page


def test_mark_read_for_own_messages_only(people, api_client):
    mine = _sent(people.patient_a, "read:a")
    theirs = _sent(people.patient_b, "read:b")
    url = f"{URL}{{}}/read/"
    api_client.force_authenticate(people.patient_a)

    response = api_client.post(url.format(mine.pk))
    assert response.status_code == 200
    assert response.json()["read_at"] == "2026-06-15T12:00:00Z"
    assert api_client.post(url.format(theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    for name in ("coordinator_a", "admin"):
        api_client.force_authenticate(people.all()[name])
        assert api_client.post(url.format(mine.pk)).status_code == 404
    api_client.force_authenticate(None)
    assert api_client.post(url.format(mine.pk)).status_code == 401

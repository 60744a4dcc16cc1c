"""/api/v1/push-subscriptions/: a browser's PushSubscription.toJSON() in, the caller's own
devices out. Adding one never calls a push service."""

from __future__ import annotations

import pytest

from notifications.management.commands.webpush_dev_keys import new_pair
from notifications.models import Channel, Kind, Notification, PushSubscription, Status
from notifications.tests.factories import PushSubscriptionFactory
from notifications.tests.fake_push import b64url

pytestmark = pytest.mark.django_db

URL = "/api/v1/push-subscriptions/"
PERSONAS = ("patient_a", "patient_b", "coordinator_a", "coordinator_b", "admin")


def _body(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc123", **keys: str) -> dict:
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": new_pair()[1], "auth": b64url(b"0123456789abcdef"), **keys},
    }


def test_adding_a_device_then_the_same_endpoint_again_keeps_one_row(people, api_client):
    api_client.force_authenticate(people.patient_a)
    first = api_client.post(URL, _body(), format="json", HTTP_USER_AGENT="Phone browser")
    assert first.status_code == 201
    assert set(first.json()) == {"id", "endpoint", "device", "created_at", "last_success_at"}
    assert first.json()["device"] == "Phone browser"
    again = api_client.post(URL, _body(), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert PushSubscription.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"endpoint": "https://push.example.net/x"},
        _body(endpoint="http://push.example.net/x"),  # push services are https
        _body(endpoint="not a url"),
        _body(p256dh="short"),
        _body(p256dh=b64url(b"\x04" + b"\x01" * 64)),  # 65 bytes, but not a point on P-256
        _body(p256dh="***"),
        _body(auth=b64url(b"only8byt")),
        {"endpoint": "https://push.example.net/x", "keys": {"auth": "AAAAAAAAAAAAAAAAAAAAAA"}},
        {"endpoint": "https://push.example.net/x", "keys": "nope"},
    ],
)
def test_missing_or_malformed_fields_are_refused(people, api_client, body):
    api_client.force_authenticate(people.patient_a)
    assert api_client.post(URL, body, format="json").status_code == 400
    assert not PushSubscription.objects.exists()


def test_each_persona_lists_and_removes_only_their_own(people, api_client):
    own = {name: PushSubscriptionFactory(user=people.all()[name]) for name in PERSONAS}
    for name in PERSONAS:
        api_client.force_authenticate(people.all()[name])
        assert [row["id"] for row in api_client.get(URL).json()] == [own[name].pk]
        for other in PERSONAS:
            if other != name:
                response = api_client.delete(f"{URL}{own[other].pk}/")
                assert response.status_code == 404, (name, other)
    for name in PERSONAS:
        api_client.force_authenticate(people.all()[name])
        assert api_client.delete(f"{URL}{own[name].pk}/").status_code == 204
    assert not PushSubscription.objects.exists()
    api_client.force_authenticate(None)
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, _body(), format="json").status_code == 401


def test_an_endpoint_signed_up_again_by_someone_else_moves_to_them(people, api_client):
    device = PushSubscriptionFactory(user=people.patient_a, endpoint="https://push.example/1")
    api_client.force_authenticate(people.patient_b)
    body = _body(endpoint="https://push.example/1")
    assert api_client.post(URL, body, format="json").status_code == 200
    device.refresh_from_db()
    assert device.user == people.patient_b


def test_signing_up_sends_nothing_and_plans_push_for_upcoming_reminders(
    people, api_client, vapid, monkeypatch, django_capture_on_commit_callbacks
):
    def no_calls_out(*args, **kwargs):
        raise AssertionError("a request must never call a push service")

    monkeypatch.setattr("notifications.push.webpush", no_calls_out)
    patient = people.patient_a
    api_client.force_authenticate(patient)
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(URL, _body(), format="json").status_code == 201
    # The first device re-plans the patient's reminders: the coming log nudges go to it too.
    pending = Notification.objects.filter(
        recipient=patient, kind=Kind.LOG_REMINDER, status=Status.PLANNED
    )
    channels = set(pending.values_list("channel", flat=True))
    assert channels == {Channel.IN_APP, Channel.EMAIL, Channel.PUSH}

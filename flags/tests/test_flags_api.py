"""GET /api/v1/flags/ and the acknowledge / resolve actions, for the six personas."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flags import services as flags
from flags.models import Flag
from flags.tests.flag_helpers import NOW, day
from symptoms.tests.factories import entries_from, log_day

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "patient",
    "rule",
    "level",
    "status",
    "symptom",
    "site",
    "title",
    "explanation",
    "advice",
    "evidence",
    "opened_at",
    "updated_at",
    "acknowledged_by",
    "acknowledged_at",
    "note",
    "reported_at",
    "patient_response",
    "patient_responded_at",
    "contacts",
}


def login(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("patient_a", {"a"}),
        ("patient_b", {"b"}),
        ("coordinator_a", {"a"}),
        ("coordinator_b", {"b"}),
        ("admin", {"a", "b"}),
    ],
)
def test_list_shows_what_each_persona_may_see(people, api_client, flagged, persona, expected):
    response = login(api_client, people.all()[persona]).get("/api/v1/flags/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"] if row["rule"] == "red_flag"}
    assert ids == {flagged[name].pk for name in expected}


def test_anonymous_may_not_list(api_client, flagged):
    assert api_client.get("/api/v1/flags/").status_code in (401, 403)


def test_flag_fields_are_exactly_the_documented_ones(people, api_client, flagged):
    response = login(api_client, people.patient_a).get("/api/v1/flags/?status=open")
    row = next(row for row in response.json()["results"] if row["rule"] == "red_flag")
    assert set(row) == FIELDS
    assert row["patient"] == people.patient_a.pk
    assert (row["level"], row["status"], row["symptom"], row["site"]) == (
        "urgent",
        "open",
        "seizure",
        None,
    )
    assert row["evidence"] == [day(0).isoformat()]
    assert row["acknowledged_by"] is None and row["note"] == ""


def test_filters(people, api_client, flagged):
    client = login(api_client, people.admin)
    rows = client.get(f"/api/v1/flags/?patient={people.patient_b.pk}").json()["results"]
    assert {row["patient"] for row in rows} == {people.patient_b.pk}
    assert client.get("/api/v1/flags/?status=resolved").json()["results"] == []
    assert client.get("/api/v1/flags/?status=nope").status_code == 400
    # Empty means not given, as HTML forms send it (the schema says allowEmptyValue).
    assert client.get("/api/v1/flags/?status=").json()["count"] == 2


@pytest.mark.parametrize("persona", ["coordinator_a", "patient_a"])
def test_naming_a_patient_one_may_not_see_is_404_as_for_appointments(
    people, api_client, flagged, persona
):
    """Another team's patient (or, for a patient, anybody else) is 404 on every list that takes
    ?patient=, the same answer as for a patient that does not exist."""
    client = login(api_client, getattr(people, persona))
    for path in ("/api/v1/flags/", "/api/v1/appointments/"):
        for patient in (people.patient_b.pk, 999_999):
            response = client.get(f"{path}?patient={patient}")
            assert response.status_code == 404, (path, patient)
            assert response.json() == {"detail": "No such patient."}
        assert client.get(f"{path}?patient={people.patient_a.pk}").status_code == 200


def test_list_query_count_is_constant(people, api_client, flagged):
    client = login(api_client, people.admin)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/flags/")
    for offset in range(1, 6):
        log_day(people.patient_a, day(-offset), {"back_pain": 9, "seizure": True}, now=NOW)
    flags.evaluate_patients([people.patient_a.pk, people.patient_b.pk], now=NOW)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/flags/")
    assert response.json()["count"] > 2
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("patient_a", 403),
        ("patient_b", 403),
        ("coordinator_b", 404),
        ("admin", 403),
        ("anonymous", 401),
        ("coordinator_a", 200),
    ],
)
@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_only_the_patients_coordinators_may_act(
    people, api_client, flagged, persona, status, action
):
    client = login(api_client, people.all()[persona])
    response = client.post(
        f"/api/v1/flags/{flagged['a'].pk}/{action}/", {"note": "Called."}, format="json"
    )
    if status == 401:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == status
    flag = Flag.objects.get(pk=flagged["a"].pk)
    if status == 200:
        body = response.json()
        assert (
            body["status"]
            == flag.status
            == {"acknowledge": "acknowledged", "resolve": "resolved"}[action]
        )
        assert body["note"] == "Called."
    else:
        assert flag.status == "open"


def test_unknown_flag_is_404(people, api_client, flagged):
    client = login(api_client, people.coordinator_a)
    assert client.post("/api/v1/flags/999999/acknowledge/", {}, format="json").status_code == 404


def test_acknowledging_a_resolved_flag_is_400(people, api_client, flagged):
    client = login(api_client, people.coordinator_a)
    url = f"/api/v1/flags/{flagged['a'].pk}"
    assert client.post(f"{url}/acknowledge/", {"note": "Seen"}, format="json").status_code == 200
    assert client.post(f"{url}/acknowledge/", {}, format="json").status_code == 400
    assert client.post(f"{url}/resolve/", {"note": "Done"}, format="json").status_code == 200
    response = client.post(f"{url}/acknowledge/", {}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert client.post(f"{url}/resolve/", {}, format="json").status_code == 400
    acked = client.get("/api/v1/flags/?status=resolved").json()["results"][0]
    assert acked["acknowledged_by"] == people.coordinator_a.pk and acked["note"] == "Seen\nDone"


def test_log_post_lists_open_flags_and_enqueues_evaluation(
    people, api_client, django_capture_on_commit_callbacks
):
    client = login(api_client, people.patient_a)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/logs/",
                {"date": day(0).isoformat(), "entries": entries_from({"seizure": True})},
                format="json",
            )
        assert response.status_code == 201
        # The evaluation ran on commit (eager in tests); the next save's response lists it.
        response = client.post(
            "/api/v1/logs/",
            {"date": day(0).isoformat(), "entries": entries_from({"seizure": True})},
            format="json",
        )
    assert [flag["rule"] for flag in response.json()["flags"]] == ["red_flag"]
    assert set(response.json()["flags"][0]) == FIELDS


def test_a_broken_broker_does_not_fail_the_save(
    people, api_client, django_capture_on_commit_callbacks, monkeypatch
):
    from flags import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.evaluate_patient_flags, "apply_async", broken)
    client = login(api_client, people.patient_a)
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(
            "/api/v1/logs/",
            {"date": day(0).isoformat(), "entries": entries_from({"seizure": True})},
            format="json",
        )
    assert response.status_code == 201 and len(callbacks) == 1
    assert not Flag.objects.exists()
    # The urgent advice did not wait for the (broken) worker: it came from the request itself.
    [urgent] = response.json()["flags"]
    assert (urgent["id"], urgent["rule"], urgent["level"], urgent["symptom"]) == (
        None,
        "red_flag",
        "urgent",
        "seizure",
    )
    assert set(urgent) == FIELDS
    assert "999" in urgent["advice"]


def test_the_first_response_already_carries_the_urgent_finding(people, api_client):
    client = login(api_client, people.patient_a)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/api/v1/logs/",
            {"date": day(0).isoformat(), "entries": entries_from({"fever": 38.0})},
            format="json",
        )
        calm = client.post(
            "/api/v1/logs/",
            {"date": day(-1).isoformat(), "entries": entries_from({"fever": 37.9})},
            format="json",
        )
    assert [(f["rule"], f["level"]) for f in response.json()["flags"]] == [("fever", "urgent")]
    assert [f for f in calm.json()["flags"] if f["id"] is None] == [  # still today's fever
        f for f in response.json()["flags"] if f["id"] is None
    ]

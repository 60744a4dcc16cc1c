"""Call attempts about a flag (CLINICAL.md, "Every call attempt is recorded"): the service and
POST /api/v1/flags/{id}/contacts/, and the flags API listing them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import RecordAccess
from accounts.tests.factories import make_patient
from flags import services
from flags.models import FlagContact, FlagStatus
from flags.services.handling import NOTE_MAX_LENGTH
from flags.tests.factories import FlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urgent(people):
    return FlagFactory(patient=people.patient_a, rule="red_flag", title="Possible seizure")


def url(flag) -> str:
    return f"/api/v1/flags/{flag.pk}/contacts/"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("patient_a", 403),  # the flag's own patient: not their action
        ("patient_b", 403),
        ("admin", 403),  # administrators work through admin
        ("coordinator_b", 404),  # another team's coordinator: not even its existence
        ("coordinator_a", 201),
    ],
)
def test_permission_matrix(people, api_client, urgent, persona, status):
    user = people.all()[persona]
    if user:
        api_client.force_authenticate(user)
    response = api_client.post(url(urgent), {"outcome": "no_answer"}, format="json")
    assert response.status_code == status, response.content
    assert FlagContact.objects.count() == (1 if status == 201 else 0)
    urgent.refresh_from_db()
    assert urgent.status == (FlagStatus.ACKNOWLEDGED if status == 201 else FlagStatus.OPEN)


def test_unknown_flag_is_404(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    assert api_client.post(
        "/api/v1/flags/999999/contacts/", {"outcome": "reached"}
    ).status_code == (404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "phoned"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "reached", "note": "x" * (NOTE_MAX_LENGTH + 1)}, "note"),
    ],
)
def test_bad_input_is_400_and_saves_nothing(people, api_client, urgent, body, field):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(url(urgent), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not FlagContact.objects.exists()
    urgent.refresh_from_db()
    assert urgent.status == FlagStatus.OPEN


def test_201_returns_the_attempt_and_notes_the_access(people, api_client, urgent):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(
        url(urgent), {"outcome": "left_message", "note": "Voicemail, will try at 4"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"at", "by", "outcome", "note"}
    assert body["by"] == people.coordinator_a.get_full_name()
    assert (body["outcome"], body["note"]) == ("left_message", "Voicemail, will try at 4")
    assert RecordAccess.objects.filter(patient=people.patient_a, what="flags").count() == 1


def test_the_first_attempt_acknowledges_an_open_flag_and_a_second_changes_nothing(people, urgent):
    first_at = timezone.now() - dt.timedelta(minutes=30)
    services.flag_contact_record(
        flag=urgent, by=people.coordinator_a, outcome="no_answer", now=first_at
    )
    urgent.refresh_from_db()
    assert urgent.status == FlagStatus.ACKNOWLEDGED
    assert (urgent.acknowledged_by, urgent.acknowledged_at) == (people.coordinator_a, first_at)

    colleague = people.coordinator_a.__class__.objects.create_user(
        email="second.nurse@example.org", name="Second Nurse", role="coordinator"
    )
    people.team_a.coordinators.add(colleague)
    services.flag_contact_record(flag=urgent, by=colleague, outcome="reached", note="Fine now")
    urgent.refresh_from_db()
    assert urgent.status == FlagStatus.ACKNOWLEDGED
    assert (urgent.acknowledged_by, urgent.acknowledged_at) == (people.coordinator_a, first_at)
    assert list(urgent.contacts.values_list("outcome", "by__email")) == [
        ("no_answer", "coord.a@example.org"),
        ("reached", "second.nurse@example.org"),
    ]


def test_an_acknowledged_flag_takes_attempts_without_a_new_acknowledgement(people, urgent):
    services.flag_acknowledge(flag=urgent, by=people.coordinator_a, note="Seen")
    urgent.refresh_from_db()
    acknowledged_at = urgent.acknowledged_at
    services.flag_contact_record(flag=urgent, by=people.coordinator_a, outcome="reached")
    urgent.refresh_from_db()
    assert urgent.acknowledged_at == acknowledged_at and urgent.note == "Seen"


def test_a_resolved_flag_refuses_new_attempts(people, api_client, urgent):
    services.flag_resolve(flag=urgent, by=people.coordinator_a, note="Seen in clinic")
    with pytest.raises(ValidationError):
        services.flag_contact_record(flag=urgent, by=people.coordinator_a, outcome="reached")
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(url(urgent), {"outcome": "reached"}, format="json")
    assert response.status_code == 400
    assert "resolved" in response.json()["status"][0]
    assert not FlagContact.objects.exists()


def test_the_service_itself_refuses_anyone_but_the_patients_coordinators(people, urgent):
    for user in (people.coordinator_b, people.patient_a, people.admin):
        with pytest.raises(PermissionDenied):
            services.flag_contact_record(flag=urgent, by=user, outcome="reached")
    assert not FlagContact.objects.exists()


def test_the_flags_api_lists_contacts_oldest_first(people, api_client, urgent):
    now = timezone.now()
    services.flag_contact_record(
        flag=urgent, by=people.coordinator_a, outcome="reached", note="Talked", now=now
    )
    services.flag_contact_record(
        flag=urgent, by=people.coordinator_a, outcome="no_answer", now=now - dt.timedelta(hours=1)
    )
    for user in (people.coordinator_a, people.patient_a):
        api_client.force_authenticate(user)
        (row,) = api_client.get("/api/v1/flags/").json()["results"]
        assert [c["outcome"] for c in row["contacts"]] == ["no_answer", "reached"]
        assert row["contacts"][1]["by"] == people.coordinator_a.get_full_name()
        assert row["contacts"][1]["note"] == "Talked"


def test_the_flags_list_keeps_a_constant_query_count(
    people, api_client, django_assert_max_num_queries
):
    api_client.force_authenticate(people.coordinator_a)

    def add(count: int) -> None:
        for _ in range(count):
            patient = make_patient(care_team=people.team_a)
            flag = FlagFactory(patient=patient, rule="red_flag")
            for outcome in ("no_answer", "reached"):
                services.flag_contact_record(flag=flag, by=people.coordinator_a, outcome=outcome)

    add(2)
    with django_assert_max_num_queries(20) as small:
        assert api_client.get("/api/v1/flags/").status_code == 200
    add(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api_client.get("/api/v1/flags/")
    assert sum(len(row["contacts"]) for row in response.json()["results"]) == 24
    print(f"flags list: {len(small.captured_queries)} queries for 2 or 12 flags with calls")


def test_live_flags_data_carries_contacts(people, urgent):
    from flags.api.serializers import live_flags_data

    services.flag_contact_record(flag=urgent, by=people.coordinator_a, outcome="advised")
    (row,) = live_flags_data(patient_id=people.patient_a.pk)
    assert [c["outcome"] for c in row["contacts"]] == ["advised"]

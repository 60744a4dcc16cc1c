"""GET /api/v1/me/fhir/ and GET /api/v1/patients/{id}/fhir/: who may pull a Bundle, what it is
sent as, ?since=, and the record access log."""

from __future__ import annotations

import datetime as dt

import pytest
from fhir.resources.R4B.bundle import Bundle

from accounts import credentials
from accounts.models import RecordAccess, RecordAccessKind
from symptoms.tests.factories import log_day, log_days_back

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/fhir/"
FHIR_JSON = "application/fhir+json"


def patient_url(patient) -> str:
    return f"/api/v1/patients/{patient.pk}/fhir/"


def as_user(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def patient_ids(response) -> list[str]:
    bundle = Bundle.model_validate_json(response.content)
    return [e.resource.id for e in bundle.entry if e.resource.get_resource_type() == "Patient"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator_a", 200),
        ("coordinator_b", 404),
        ("admin", 200),
        ("patient_a", 403),
        ("patient_b", 403),
        ("anonymous", 401),
    ],
)
def test_a_patients_bundle_is_for_their_care_team(people, api_client, persona, status):
    response = as_user(api_client, people.all()[persona]).get(patient_url(people.patient_a))
    assert response.status_code == status
    if status == 200:
        assert patient_ids(response) == [str(people.patient_a.pk)]
    else:
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("patient_a", 200),
        ("patient_b", 200),
        ("coordinator_a", 403),
        ("coordinator_b", 403),
        ("admin", 403),
        ("anonymous", 401),
    ],
)
def test_my_bundle_is_for_the_patient_only(people, api_client, persona, status):
    user = people.all()[persona]
    response = as_user(api_client, user).get(ME)
    assert response.status_code == status
    if status == 200:
        assert patient_ids(response) == [str(user.pk)]


def test_an_unknown_or_non_patient_id_is_404(people, api_client):
    client = as_user(api_client, people.coordinator_a)
    assert client.get("/api/v1/patients/987654/fhir/").status_code == 404
    assert client.get(patient_url(people.coordinator_a)).status_code == 404


def test_a_patient_pulls_with_their_device_token(people, api_client):
    log_days_back(people.patient_a, 1, {"bone_pain": 3})
    token = credentials.api_token_issue(user=people.patient_a, device="phone")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get(ME)
    assert response.status_code == 200
    bundle = Bundle.model_validate_json(response.content)
    assert [e.resource.get_resource_type() for e in bundle.entry].count("Observation") == 1


# --- Content type -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, FHIR_JSON),
        ("*/*", FHIR_JSON),
        (FHIR_JSON, FHIR_JSON),
        ("application/json", "application/json"),
    ],
)
def test_the_bundle_is_fhir_json_unless_plain_json_is_asked_for(
    people, api_client, accept, content_type
):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = as_user(api_client, people.patient_a).get(ME, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "private, no-store"
    assert response.json()["resourceType"] == "Bundle"


# --- ?since= ----------------------------------------------------------------------------------


def test_since_limits_the_logs(people, api_client):
    today = people.patient_a.patient_profile.local_today()
    log_day(people.patient_a, today - dt.timedelta(days=9), {"bone_pain": 2})
    recent = log_day(people.patient_a, today - dt.timedelta(days=1), {"bone_pain": 4})
    client = as_user(api_client, people.coordinator_a)

    def responses(query: dict) -> list[str]:
        body = client.get(patient_url(people.patient_a), query).json()
        return [
            e["resource"]["id"]
            for e in body["entry"]
            if e["resource"]["resourceType"] == "QuestionnaireResponse"
        ]

    assert responses({"since": (today - dt.timedelta(days=3)).isoformat()}) == [f"log-{recent.pk}"]
    assert len(responses({})) == 2
    assert len(responses({"since": ""})) == 2  # empty means not given


@pytest.mark.parametrize("since", ["yesterday", "2026-02-30", "2026-1-5", "20260105"])
@pytest.mark.parametrize("path", ["me", "patient"])
def test_a_malformed_since_is_a_400_naming_it(people, api_client, since, path):
    if path == "me":
        client, url = as_user(api_client, people.patient_a), ME
    else:
        client, url = as_user(api_client, people.coordinator_a), patient_url(people.patient_a)
    response = client.get(url, {"since": since}, HTTP_ACCEPT=FHIR_JSON)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"since"}


# --- The record access log --------------------------------------------------------------------


def test_a_coordinators_pull_is_in_the_record_access_log(people, api_client):
    response = as_user(api_client, people.coordinator_a).get(patient_url(people.patient_a))
    assert response.status_code == 200
    row = RecordAccess.objects.get()
    assert (row.viewer_id, row.patient_id, row.what) == (
        people.coordinator_a.pk,
        people.patient_a.pk,
        RecordAccessKind.EXPORT,
    )
    assert row.path == patient_url(people.patient_a)


def test_an_admins_pull_is_logged_too(people, api_client):
    as_user(api_client, people.admin).get(patient_url(people.patient_a))
    assert list(RecordAccess.objects.values_list("viewer_id", "what")) == [
        (people.admin.pk, RecordAccessKind.EXPORT)
    ]


def test_the_patients_own_pull_and_refused_pulls_are_not_logged(people, api_client):
    assert as_user(api_client, people.patient_a).get(ME).status_code == 200
    api_client.force_authenticate(people.coordinator_b)
    assert api_client.get(patient_url(people.patient_a)).status_code == 404
    assert not RecordAccess.objects.exists()

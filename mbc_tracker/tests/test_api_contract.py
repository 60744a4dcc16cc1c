"""What schema fuzzing found, pinned down one by one: the API refuses bad query values with a
clear 400, pages strictly, answers JSON at any address under /api/, and its schema declares every
error it can answer and the formats it really sends (../shared/API.md, "Errors")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import CareTeamFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


# --- Query strings ------------------------------------------------------------------------------


def test_a_nul_character_in_the_panel_search_is_a_400_not_a_server_error(people):
    response = signed_in(people.coordinator_a).get("/api/v1/patients/", {"q": "Al\x00ice"})
    assert response.status_code == 400
    assert set(response.json()) == {"q"}


def test_the_panel_page_ignores_a_nul_character_in_its_search(people, client):
    client.force_login(people.coordinator_a)
    response = client.get(reverse("care:panel"), {"q": "Al\x00ice"})
    assert response.status_code == 200
    assert "Alice Patient" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"site": "elbow"}, "site"),
        ({"level": "high"}, "level"),
        ({"team": "x"}, "team"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_panel_filters_are_a_400_naming_the_filter(people, query, field):
    response = signed_in(people.coordinator_a).get("/api/v1/patients/", query)
    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_another_teams_filter_on_the_panel_is_404(people):
    client = signed_in(people.coordinator_a)
    assert client.get("/api/v1/patients/", {"team": people.team_b.pk}).status_code == 404
    assert client.get("/api/v1/patients/", {"team": people.team_a.pk}).status_code == 200
    other = CareTeamFactory(name="Team C")
    assert client.get("/api/v1/patients/", {"team": other.pk}).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/api/v1/logs/?to=", "/api/v1/appointments/?from=&patient=", "/api/v1/notifications/?page="],
)
def test_an_empty_query_value_means_not_given_as_the_schema_says(people, path, schema):
    response = signed_in(people.patient_a).get(path)
    assert response.status_code == 200
    operation = schema["paths"][path.split("?")[0]]["get"]
    for parameter in operation["parameters"]:
        assert parameter.get("allowEmptyValue", False) is (parameter["in"] == "query")


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["{}", "0", "-1", "1.5", "last", "²", " 1"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400(people, page):
    response = signed_in(people.patient_a).get("/api/v1/notifications/", {"page": page})
    assert response.status_code == 400
    assert response.json() == {"page": ["A page number is a whole number from 1."]}


def test_a_page_past_the_last_is_404_and_the_first_is_fine(people):
    client = signed_in(people.patient_a)
    assert client.get("/api/v1/notifications/", {"page": "1"}).status_code == 200
    response = client.get("/api/v1/notifications/", {"page": "2"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


# --- Addresses that are not in the API ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nowhere/", "/api/v1/patients/null,null/", "/api/v1/logs/2026-02-30/", "/api/v2"],
)
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_any_other_address_under_the_api_is_a_json_404_for_everyone(people, path, method):
    for client in (APIClient(), signed_in(people.patient_a)):
        response = getattr(client, method)(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "There is nothing at this address."}


# --- Times of day -------------------------------------------------------------------------------


def test_the_reminder_time_goes_in_and_out_as_hours_and_minutes(people):
    client = signed_in(people.patient_a)
    response = client.patch("/api/v1/me/", {"log_reminder_time": "07:45"}, format="json")
    assert response.status_code == 200
    assert response.json()["patient"]["log_reminder_time"] == "07:45"
    for other in ("07:45:00", "7:45", "07:45Z", 745):
        response = client.patch("/api/v1/me/", {"log_reminder_time": other}, format="json")
        assert response.status_code == 400, other


def test_text_settings_must_be_text(people):
    response = signed_in(people.patient_a).patch(
        "/api/v1/me/", {"patient": {"call_time": 0}}, format="json"
    )
    assert response.status_code == 400


# --- The schema ---------------------------------------------------------------------------------


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_that_needs_a_sign_in_declares_401_and_each_error_has_a_body(schema):
    for label, operation in operations(schema):
        responses = operation["responses"]
        if operation.get("security", [{}]) != [{}] and "security" in operation:
            assert "401" in responses, label
        for code, response in responses.items():
            if code >= "400":
                assert "application/json" in response.get("content", {}), (label, code)


@pytest.mark.parametrize(
    ("label", "codes"),
    [
        ("GET /api/v1/me/", {"200", "401"}),
        ("PATCH /api/v1/me/", {"200", "400", "401", "403"}),
        ("GET /api/v1/patients/", {"200", "400", "401", "403", "404"}),
        ("POST /api/v1/patients/", {"201", "400", "401", "403"}),
        ("GET /api/v1/patients/{id}/", {"200", "401", "403", "404"}),
        ("GET /api/v1/flags/", {"200", "400", "401", "403", "404"}),  # 403: a carer without
        # the right to see the record
        ("POST /api/v1/auth/token/", {"200", "400", "429"}),
    ],
)
def test_the_status_codes_each_operation_can_answer_are_declared(schema, label, codes):
    declared = dict(operations(schema))[label]["responses"]
    assert set(declared) == codes


def test_the_reminder_time_is_declared_as_it_is_sent(schema):
    components = schema["components"]["schemas"]
    for name in ("PatientSettings", "PatientSettingsRequest", "Patient"):
        field = components[name]["properties"]["log_reminder_time"]
        assert "format" not in field
        assert field["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"


def test_ids_and_pages_in_query_strings_are_declared_from_1(schema):
    for label, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in ("page", "patient", "team"):
                assert parameter["schema"]["minimum"] == 1, (label, parameter["name"])


def test_bodies_that_refuse_unknown_fields_say_so(schema):
    components = schema["components"]["schemas"]
    for name in ("PatchedMeUpdateRequest", "PatientSettingsRequest", "PatchedPatientUpdateRequest"):
        assert components[name]["additionalProperties"] is False

"""GET and PATCH /api/v1/me/."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/"


def test_patient_reads_their_settings(people, api_client):
    api_client.force_authenticate(people.patient_a)
    body = api_client.get(URL).json()
    assert body == {
        "id": people.patient_a.pk,
        "email": "patient.a@example.org",
        "name": "Alice Patient",
        "role": "patient",
        "patient": {"sites": ["bone"], "timezone": "Europe/London", "log_reminder_time": "19:00"},
    }


@pytest.mark.parametrize("persona,role", [("coordinator_a", "coordinator"), ("admin", "admin")])
def test_staff_have_no_patient_part(people, api_client, persona, role):
    api_client.force_authenticate(getattr(people, persona))
    body = api_client.get(URL).json()
    assert body["role"] == role
    assert body["patient"] is None


def test_patient_updates_sites_timezone_time_and_name(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(
        URL,
        {
            "name": "Alice P",
            "sites": ["liver", "bone"],
            "timezone": "Pacific/Auckland",
            "log_reminder_time": "20:30",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["patient"] == {
        "sites": ["bone", "liver"],
        "timezone": "Pacific/Auckland",
        "log_reminder_time": "20:30",
    }
    people.patient_a.refresh_from_db()
    profile = people.patient_a.patient_profile
    assert people.patient_a.name == "Alice P"
    assert profile.sites == ["bone", "liver"]
    assert profile.timezone == "Pacific/Auckland"
    assert profile.log_reminder_time == dt.time(20, 30)


def test_patient_fields_may_also_be_nested(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(URL, {"patient": {"timezone": "America/New_York"}}, format="json")
    assert response.status_code == 200
    assert response.json()["patient"]["timezone"] == "America/New_York"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"patient": {"timezone": "Europe/Londres"}}, "patient"),
        ({"sites": ["bone", "spleen"]}, "sites"),
        ({"sites": ["bone", "bone"]}, "sites"),
        ({"sites": "bone"}, "sites"),
        ({"log_reminder_time": "25:00"}, "log_reminder_time"),
        ({"name": "x" * 151}, "name"),
    ],
)
def test_bad_values_are_400_and_nothing_changes(people, api_client, body, field):
    api_client.force_authenticate(people.patient_a)
    before = api_client.get(URL).json()
    response = api_client.patch(
        URL, {"name": "Changed", **body} if field != "name" else body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert api_client.get(URL).json() == before


def test_role_and_email_cannot_be_changed(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch(URL, {"role": "admin", "email": "evil@example.org"}, format="json")
    assert response.status_code == 200
    people.patient_a.refresh_from_db()
    assert people.patient_a.role == "patient"
    assert people.patient_a.email == "patient.a@example.org"
    assert not people.patient_a.is_staff


def test_staff_cannot_set_patient_settings(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.patch(
        URL, {"name": "New name", "timezone": "Europe/Paris"}, format="json"
    )
    assert response.status_code == 400
    assert "timezone" in response.json()
    people.coordinator_a.refresh_from_db()
    assert people.coordinator_a.name != "New name"  # nothing half-saved


def test_staff_may_change_their_name(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    assert api_client.patch(URL, {"name": "Nurse A"}, format="json").json()["name"] == "Nurse A"

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
        "language": None,
        "patient": {
            "sites": ["bone"],
            "timezone": "Europe/London",
            "log_reminder_time": "19:00",
            "phone": "",
            "call_time": "",
        },
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
        "phone": "",
        "call_time": "",
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
        ({"phone": "hello"}, "phone"),
        ({"phone": "123"}, "phone"),
        ({"phone": "+44 20 7946 09"}, "phone"),  # one digit short
        ({"call_time": "x" * 81}, "call_time"),
        ({"call_time": "mornings\u0000"}, "call_time"),
        ({"language_of_love": "en"}, "language_of_love"),
        ({"patient": {"hospital_number": "123"}}, "patient.hospital_number"),
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
    response = api_client.patch(
        URL, {"name": "Changed", "role": "admin", "email": "evil@example.org"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"role", "email"}
    people.patient_a.refresh_from_db()
    assert people.patient_a.role == "patient"
    assert people.patient_a.email == "patient.a@example.org"
    assert people.patient_a.name == "Alice Patient"  # nothing half-saved
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


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("07911 123456", "+447911123456"),  # a UK number as people write it (default region)
        ("+44 (0)7911 123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+49 30 901820", "+4930901820"),
    ],
)
def test_phone_in_any_usual_spelling_is_stored_in_e164(people, api_client, typed, stored):
    api_client.force_authenticate(people.patient_a)

    response = api_client.patch(URL, {"phone": typed, "call_time": " mornings "}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["patient"]["phone"] == stored
    assert response.json()["patient"]["call_time"] == "mornings"
    profile = people.patient_a.patient_profile
    profile.refresh_from_db()
    assert str(profile.phone) == stored and profile.call_time == "mornings"
    assert api_client.get(URL).json()["patient"]["phone"] == stored


def test_a_bad_phone_is_a_clear_400(people, api_client):
    api_client.force_authenticate(people.patient_a)

    response = api_client.patch(URL, {"phone": "my mobile", "call_time": "mornings"}, format="json")

    assert response.status_code == 400
    assert "does not look like a phone number" in response.json()["phone"][0]
    profile = people.patient_a.patient_profile
    profile.refresh_from_db()
    assert profile.phone == "" and profile.call_time == ""  # nothing half-saved


def test_the_phone_can_be_removed(people, api_client):
    api_client.force_authenticate(people.patient_a)
    api_client.patch(URL, {"phone": "07911 123456"}, format="json")

    response = api_client.patch(URL, {"phone": ""}, format="json")

    assert response.status_code == 200 and response.json()["patient"]["phone"] == ""

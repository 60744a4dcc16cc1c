"""Names refuse control characters at every door: a patient's own settings (page and API), the
care team's enrolment and edit (API and page), admin and the command line. Names go on into
pages and emails, so a refused name is never saved and no invitation is sent with it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import services
from accounts.models import CareTeam, PatientProfile, User
from accounts.validators import validate_name

pytestmark = pytest.mark.django_db

MESSAGE = "Please write the name on one line, without tabs or other hidden characters."
BAD_NAMES = {
    "bell": "Al\x07ice",
    "escape code": "Alice \x1b[31mRed",
    "new line": "Evil\r\nBcc: someone@example.org",
    "tab": "Alice\tPatient",
    "delete": "Ali\x7fce",
    "C1 control": "Ali\x85ce",
    "line separator": "Alice\u2028Patient",
    "right-to-left override": "Alice \u202egpj.exe",
}
# A Persian name keeps its zero-width non-joiner (U+200C), which the script needs.
GOOD_NAMES = [
    "Anne-Marie O'Neil",
    "José Ñúñez",
    "Zoë",
    "\u0645\u0631\u06cc\u0645\u200c\u0647\u0627",
    "李小龙",
    "Dr. A. B. Smith",
]


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_the_validator_refuses_control_characters(name):
    with pytest.raises(ValidationError) as error:
        validate_name(name)
    assert error.value.messages == [MESSAGE]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_the_validator_keeps_names_in_any_script(name):
    validate_name(name)


# --- The patient's own settings --------------------------------------------------------------


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_me_api_refuses_a_name_with_control_characters(people, api_client, name):
    api_client.force_authenticate(people.patient_a)
    response = api_client.patch("/api/v1/me/", {"name": name}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": [MESSAGE]}
    assert User.objects.get(pk=people.patient_a.pk).name == "Alice Patient"


def test_settings_page_refuses_control_characters_in_either_name(people, client):
    client.force_login(people.patient_a)
    form = {
        "name": "Alice Patient",
        "preferred_name": "",
        "sites": ["bone"],
        "timezone": "Europe/London",
        "log_reminder_time": "19:00",
    }
    for field in ("name", "preferred_name"):
        response = client.post(reverse("settings"), {**form, field: "Ali\x1bce"})
        assert response.status_code == 200
        assert response.context["form"].errors[field] == [MESSAGE]
    people.patient_a.refresh_from_db()
    assert people.patient_a.name == "Alice Patient"
    assert people.patient_a.patient_profile.preferred_name == ""


def test_a_preferred_name_with_control_characters_is_refused_by_the_service(people):
    profile = people.patient_a.patient_profile
    with pytest.raises(ValidationError) as error:
        services.patient_profile_update(profile=profile, preferred_name="Al\nice")
    assert error.value.message_dict == {"preferred_name": [MESSAGE]}


# --- The care team: enrol and edit ------------------------------------------------------------


def test_enrolment_api_refuses_the_name_and_sends_no_invitation(
    people, api_client, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(people.coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/patients/",
            {
                "email": "new@example.org",
                "name": "Evil\r\nBcc: someone@example.org",
                "timezone": "Europe/London",
            },
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"name": [MESSAGE]}
    assert not User.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_enrolment_service_refuses_the_name_whoever_calls_it(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        services.patient_enrol(
            email="new@example.org",
            name="New\x1b[2J Patient",
            care_team=people.team_a,
            timezone="Europe/London",
        )
    assert error.value.message_dict == {"name": [MESSAGE]}
    assert not User.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_a_good_name_still_reaches_the_invitation(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.patient_enrol(
            email="new@example.org",
            name="Anne-Marie O'Neil",
            care_team=people.team_a,
            timezone="Europe/London",
        )
    (message,) = mail.outbox
    assert message.body.startswith("Hello Anne-Marie,")


def test_patient_edit_api_and_page_refuse_the_name(people, api_client, client):
    patient = people.patient_a
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.patch(
        f"/api/v1/patients/{patient.pk}/", {"name": "Alice\tPatient"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"name": [MESSAGE]}
    client.force_login(people.coordinator_a)
    profile = patient.patient_profile
    form = {
        "name": "Alice\x07Patient",
        "phone": "",
        "call_time": "",
        "sites": ["bone"],
        "timezone": profile.timezone,
        "restaging_interval_weeks": "12",
        "hormone_receptor_status": "unknown",
        "her2_status": "unknown",
        "pik3ca_status": "unknown",
        "pd_l1_status": "unknown",
        "current_treatment": "",
        "date_of_birth": "",
        "hospital_number": "",
    }
    response = client.post(reverse("care:patient_edit", args=[patient.pk]), form)
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [MESSAGE]
    assert User.objects.get(pk=patient.pk).name == "Alice Patient"


# --- Admin and the command line -----------------------------------------------------------------


def test_admin_refuses_the_name_of_a_patient_a_user_and_a_team(people, client):
    client.force_login(people.admin)
    response = client.post(
        reverse("admin:accounts_patientprofile_add"),
        {
            "email": "form.patient@example.org",
            "name": "Form\nPatient",
            "preferred_name": "Form\x1b",
            "password": "",
            "care_team": people.team_b.pk,
            "sites": ["brain"],
            "timezone": "Asia/Tokyo",
            "log_reminder_time": "19:00",
            "restaging_interval_weeks": "10",
            "enrolled_on": "2026-11-01",
            "hormone_receptor_status": "unknown",
            "her2_status": "unknown",
            "pik3ca_status": "unknown",
            "pd_l1_status": "unknown",
            "current_treatment": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["name"] == [MESSAGE]
    assert errors["preferred_name"] == [MESSAGE]
    assert not User.objects.filter(email="form.patient@example.org").exists()

    user_url = reverse("admin:accounts_user_change", args=[people.coordinator_a.pk])
    response = client.post(
        user_url,
        {"email": people.coordinator_a.email, "name": "Coord\tA", "role": "coordinator"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [MESSAGE]

    response = client.post(reverse("admin:accounts_careteam_add"), {"name": "Team\u202eC"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [MESSAGE]
    assert not CareTeam.objects.filter(name__startswith="Team\u202e").exists()


COMMAND = ("create_user", "--password", "a long enough password", "--role", "patient")


def test_the_command_refuses_the_names_of_people_and_teams(db):
    with pytest.raises(CommandError, match="name: " + MESSAGE):
        call_command(*COMMAND, "--email", "p@example.org", "--team", "T", "--name", "P\x1bQ")
    with pytest.raises(CommandError, match="team: " + MESSAGE):
        call_command(
            *COMMAND, "--email", "c@example.org", "--team", "T\x07U", "--role", "coordinator"
        )
    assert not User.objects.exists()
    assert not CareTeam.objects.exists()
    assert not PatientProfile.objects.exists()

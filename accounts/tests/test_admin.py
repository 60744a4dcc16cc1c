"""Django admin: every model's pages load, and one form enrols a patient."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import PatientProfile, User

pytestmark = pytest.mark.django_db


def _registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", _registered_models(), ids=lambda m: m._meta.label)
def test_admin_pages_load_for_every_model(people, client, model):
    client.force_login(people.admin)
    meta = model._meta
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    # A singleton's list (flag thresholds) goes straight to its one change page.
    assert client.get(changelist, follow=True).status_code == 200
    assert client.get(changelist, {"q": "a"}, follow=True).status_code == 200
    model_admin = admin.site._registry[model]
    request = type("R", (), {"user": people.admin, "method": "GET"})()
    if model_admin.has_add_permission(request):
        assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == (
            200
        )
    obj = model_admin.get_queryset(request).first() if hasattr(request, "user") else None
    if obj is not None:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200


def test_non_staff_cannot_open_admin(people, client):
    for user in (people.patient_a, people.coordinator_a):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_admin_enrols_patient_in_one_form(people, client, django_capture_on_commit_callbacks):
    client.force_login(people.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_patientprofile_add"),
            {
                "email": "Form.Patient@example.org",
                "name": "Form Patient",
                "preferred_name": "",
                "password": "",
                "care_team": people.team_b.pk,
                "sites": ["brain"],
                "timezone": "Asia/Tokyo",
                "log_reminder_time": "19:00",
                "restaging_interval_weeks": "10",
                "enrolled_on": "2026-11-01",
                "hormone_receptor_status": "positive",
                "her2_status": "low",
                "pik3ca_status": "unknown",
                "pd_l1_status": "unknown",
                "current_treatment": "Letrozole and palbociclib",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="form.patient@example.org")
    profile = user.patient_profile
    assert user.role == "patient"
    assert profile.care_team == people.team_b
    assert profile.sites == ["brain"]
    assert profile.her2_status == "low"
    assert profile.restaging_interval_weeks == 10
    from django.core import mail

    assert [m.to for m in mail.outbox] == [["form.patient@example.org"]]


def test_admin_enrol_rejects_a_taken_email_and_saves_nothing(people, client):
    client.force_login(people.admin)
    before = PatientProfile.objects.count()
    response = client.post(
        reverse("admin:accounts_patientprofile_add"),
        {
            "email": "patient.b@example.org",
            "name": "Dup",
            "care_team": people.team_a.pk,
            "timezone": "Europe/London",
            "log_reminder_time": "19:00",
            "restaging_interval_weeks": "12",
            "enrolled_on": "2026-11-01",
            "hormone_receptor_status": "unknown",
            "her2_status": "unknown",
            "pik3ca_status": "unknown",
            "pd_l1_status": "unknown",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert PatientProfile.objects.count() == before


def test_admin_cannot_give_staff_access_to_a_coordinator(people, client):
    client.force_login(people.admin)
    coordinator = people.coordinator_a
    response = client.post(
        reverse("admin:accounts_user_change", args=[coordinator.pk]),
        {
            "email": coordinator.email,
            "name": coordinator.name,
            "role": "coordinator",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    coordinator.refresh_from_db()
    assert not coordinator.is_staff


def _profile_change_form(profile: PatientProfile, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "preferred_name": profile.preferred_name,
        "care_team": str(profile.care_team_id),
        "sites": list(profile.sites),
        "timezone": profile.timezone,
        "log_reminder_time": "19:00",
        "restaging_interval_weeks": str(profile.restaging_interval_weeks),
        "enrolled_on": profile.enrolled_on.isoformat(),
        "hormone_receptor_status": profile.hormone_receptor_status,
        "her2_status": profile.her2_status,
        "pik3ca_status": profile.pik3ca_status,
        "pd_l1_status": profile.pd_l1_status,
        "current_treatment": profile.current_treatment,
    }
    return data | changes


def test_admin_records_identity_and_contact_details(people, client):
    profile = people.patient_a.patient_profile
    client.force_login(people.admin)
    url = reverse("admin:accounts_patientprofile_change", args=[profile.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        _profile_change_form(
            profile,
            phone="07911 123456",
            call_time="Mornings, not Fridays",
            date_of_birth="1961-04-23",
            hospital_number=" RX1 234 567 ",
        ),
    )

    for field in ("date_of_birth", "hospital_number", "phone", "call_time"):
        assert f'name="{field}"' in page
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert str(profile.phone) == "+447911123456"
    assert profile.call_time == "Mornings, not Fridays"
    assert profile.date_of_birth.isoformat() == "1961-04-23"
    assert profile.hospital_number == "RX1 234 567"


@pytest.mark.parametrize(
    "field,value",
    [
        ("phone", "not a number"),
        ("phone", "0791"),
        ("date_of_birth", "2999-01-01"),
        ("date_of_birth", "1899-12-31"),
        ("hospital_number", "RX1\t234"),
        ("hospital_number", "x" * 33),
        ("call_time", "after\nlunch"),
    ],
)
def test_admin_refuses_bad_identity_and_contact_details(people, client, field, value):
    profile = people.patient_a.patient_profile
    client.force_login(people.admin)
    url = reverse("admin:accounts_patientprofile_change", args=[profile.pk])

    response = client.post(
        url, _profile_change_form(profile, **{"phone": "07911 123456", field: value})
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert (str(profile.phone), profile.call_time, profile.date_of_birth) == ("", "", None)  # none
    assert profile.hospital_number == ""

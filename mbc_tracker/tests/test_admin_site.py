"""The admin index puts daily work first and low-level tables last; care teams show sites as
labels; the access log speaks about the patient."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import RecordAccess, RecordAccessKind
from accounts.tests.factories import make_patient

pytestmark = pytest.mark.django_db


def _sections(client) -> list[tuple[str, list[str]]]:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return [
        (app["name"], [model["object_name"] for model in app["models"]])
        for app in response.context["app_list"]
    ]


def test_the_index_puts_people_and_settings_first_and_system_records_last(people, client):
    client.force_login(people.admin)
    sections = _sections(client)
    names = [name for name, _ in sections]
    assert names[:3] == ["People and care teams", "Clinical settings", "Patients' records"]
    assert names[-1] == "Security and system records"
    found = dict(sections)
    assert found["People and care teams"] == ["User", "PatientProfile", "CareTeam", "CarerLink"]
    assert "FlagThresholds" in found["Clinical settings"]
    system = found["Security and system records"]
    for model in ("Group", "TokenProxy", "AccessAttempt", "AccessLog", "RecordAccess"):
        assert model in system, model
    for name, models in sections[:-1]:  # no low-level table beside daily work
        assert not {"Group", "TokenProxy", "AccessAttempt", "AccessLog"} & set(models), name


def test_an_apps_own_page_still_works(people, client):
    client.force_login(people.admin)
    response = client.get(reverse("admin:app_list", args=["axes"]))
    assert response.status_code == 200
    assert [app["app_label"] for app in response.context["app_list"]] == ["axes"]


def test_care_team_shows_its_patients_sites_as_labels(people, client):
    make_patient(name="Cara Sites", care_team=people.team_a, sites=["bone", "brain"])
    client.force_login(people.admin)
    text = client.get(
        reverse("admin:accounts_careteam_change", args=[people.team_a.pk])
    ).content.decode()
    assert "Bone, Brain" in text
    assert "[&quot;bone&quot;" not in text and '["bone"' not in text


def test_patient_sites_are_tick_boxes_in_the_form(people, client):
    client.force_login(people.admin)
    url = reverse("admin:accounts_patientprofile_change", args=[people.patient_a.pk])
    text = client.get(url).content.decode()
    assert 'type="checkbox" name="sites" value="bone"' in text


def test_the_access_log_in_admin_speaks_about_the_patient(people, client):
    client.force_login(people.admin)
    client.get(reverse("admin:accounts_patientprofile_change", args=[people.patient_a.pk]))
    assert RecordAccess.objects.filter(what=RecordAccessKind.ADMIN).exists()
    text = client.get(reverse("admin:accounts_recordaccess_changelist")).content.decode()
    assert "Opened the patient&#x27;s details in the admin pages" in text
    assert "your details" not in text.lower()


def test_the_flags_list_in_admin_names_flags_in_staff_words(people, client):
    from flags.tests.factories import FlagFactory

    FlagFactory(
        patient=people.patient_a,
        rule="red_flag",
        subject="seizure",
        title="Seizure (fit): get emergency help now",
        explanation="You told us “Seizure (fit)” yesterday.",
    )
    client.force_login(people.admin)
    text = client.get(reverse("admin:flags_flag_changelist")).content.decode()
    assert "Red-flag symptom: Seizure (fit)" in text
    assert "get emergency help now" not in text

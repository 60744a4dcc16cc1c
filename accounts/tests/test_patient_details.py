"""accounts.services.patient_details_update: what a patient's care team changes about them,
all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import PatientProfile, User
from accounts.tests.factories import make_patient

pytestmark = pytest.mark.django_db


def _stored(patient: User) -> tuple[dict, str]:
    return (
        PatientProfile.objects.filter(pk=patient.pk).values().get(),
        User.objects.get(pk=patient.pk).name,
    )


def test_every_error_is_reported_at_once_and_nothing_is_saved() -> None:
    patient = make_patient(name="Cara Jones")
    before = _stored(patient)
    with pytest.raises(ValidationError) as caught:
        services.patient_details_update(
            profile=patient.patient_profile,
            name="",
            timezone="Mars/Olympus_Mons",
            date_of_birth=dt.date(2999, 1, 1),
            current_treatment="Letrozole",
        )
    assert set(caught.value.message_dict) == {"name", "timezone", "date_of_birth"}
    assert _stored(patient) == before


def test_a_valid_name_is_not_saved_beside_an_invalid_profile() -> None:
    patient = make_patient(name="Cara Jones")
    with pytest.raises(ValidationError):
        services.patient_details_update(
            profile=patient.patient_profile, name="Cara Smith", phone="not a number"
        )
    assert User.objects.get(pk=patient.pk).name == "Cara Jones"
    assert patient.patient_profile.user.name == "Cara Jones"  # the caller's copy too


def test_fields_outside_the_care_teams_details_are_refused() -> None:
    patient = make_patient()
    with pytest.raises(ValidationError) as caught:
        services.patient_details_update(
            profile=patient.patient_profile, log_reminder_time="07:00", enrolled_on="2020-01-01"
        )
    assert set(caught.value.message_dict) == {"enrolled_on", "log_reminder_time"}


def test_phone_is_stored_in_international_form() -> None:
    patient = make_patient(name="Cara Jones")
    profile = services.patient_details_update(
        profile=patient.patient_profile, name=" Cara Smith ", phone="07911 123456"
    )
    assert str(profile.phone) == "+447911123456"
    assert profile.user.name == "Cara Smith"
    assert User.objects.get(pk=patient.pk).name == "Cara Smith"

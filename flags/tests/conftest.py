"""Fixtures shared by the symptoms tests."""

from __future__ import annotations

import pytest

from flags import services as flags
from flags.models import Flag
from flags.tests.flag_helpers import NOW, day
from symptoms.tests.factories import log_day


@pytest.fixture
def flagged(people) -> dict[str, Flag]:
    """Patients A and B each logged a seizure today: each has one open red_flag flag."""
    for patient in (people.patient_a, people.patient_b):
        log_day(patient, day(0), {"seizure": True}, now=NOW)
        flags.evaluate_patient(patient=patient, now=NOW)
    return {
        "a": Flag.objects.get(patient=people.patient_a, rule="red_flag"),
        "b": Flag.objects.get(patient=people.patient_b, rule="red_flag"),
    }

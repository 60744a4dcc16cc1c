"""The catalogue as seeded from CLINICAL.md, and its per-process cache."""

import pytest

from symptoms import services
from symptoms.catalogue import get_catalogue
from symptoms.models import Symptom

pytestmark = pytest.mark.django_db

RED_FLAGS = {
    "fracture": "call_now",
    "limb_weakness_numbness": "emergency",
    "bladder_bowel_change": "emergency",
    "seizure": "emergency",
    "confusion": "call_now",
    "speech_difficulty": "emergency",
    "jaundice": "call_now",
    "breathless_at_rest": "emergency",
    "coughing_blood": "emergency",
}


def test_catalogue_matches_clinical_spec():
    catalogue = get_catalogue()
    assert [site.code for site in catalogue.sites] == [
        "bone", "brain", "liver", "lung", "general", "treatment",
    ]  # fmt: skip
    assert len(catalogue.symptoms) == 33
    counts = {}
    for symptom in catalogue.symptoms.values():
        counts[symptom.site] = counts.get(symptom.site, 0) + 1
        assert symptom.help_text, symptom.code
        assert symptom.active
    assert counts == {"bone": 6, "brain": 6, "liver": 4, "lung": 5, "general": 8, "treatment": 4}
    assert {c: s.red_flag for c, s in catalogue.symptoms.items() if s.red_flag != "none"} == (
        RED_FLAGS
    )
    assert catalogue.symptoms["fever"].kind == "temperature"
    assert all(catalogue.symptoms[code].kind == "presence" for code in RED_FLAGS)


def test_red_flag_help_says_what_to_do():
    for code, level in RED_FLAGS.items():
        text = get_catalogue().symptoms[code].help_text
        assert ("999" in text) if level == "emergency" else ("24-hour line" in text)


def test_catalogue_is_cached_and_cleared_on_change(django_assert_num_queries):
    get_catalogue()
    with django_assert_num_queries(0):
        get_catalogue()
    services.symptom_retire(symptom=Symptom.objects.get(code="itching"))
    assert not get_catalogue().symptoms["itching"].active
    assert "itching" not in {symptom.code for symptom in get_catalogue().active}

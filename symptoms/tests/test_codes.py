"""PRO-CTCAE terms and LOINC codes on the catalogue: the shipped data, the data migration that
never overwrites an admin's edit, the admin form, the API and the database's own checks."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from symptoms.catalogue import get_catalogue
from symptoms.models import Symptom
from symptoms.selectors import code_coverage

pytestmark = pytest.mark.django_db
migration = importlib.import_module("symptoms.migrations.0009_proctcae_and_loinc_data")

PAIN_SCORE = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")


def _codes(code: str) -> tuple[str, str, str, str]:
    symptom = Symptom.objects.get(code=code)
    return (
        symptom.proctcae_term,
        symptom.proctcae_attribute,
        symptom.loinc_code,
        symptom.loinc_display,
    )


# --- The shipped catalogue -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "code,expected",
    [
        ("fever", ("", "", "8310-5", "Body temperature")),
        ("bone_pain", ("", "", *PAIN_SCORE)),
        ("headache", ("Headache", "severity", *PAIN_SCORE)),
        ("fatigue", ("Fatigue", "interference", "", "")),
        ("diarrhea", ("Diarrhea", "frequency", "", "")),
        ("neuropathy", ("Numbness & tingling", "severity", "", "")),
        ("low_mood", ("Sad", "severity", "", "")),
        ("seizure", ("", "", "", "")),
        ("thirst", ("", "", "", "")),
    ],
)
def test_the_migrated_catalogue_carries_the_chosen_codes(code, expected):
    assert _codes(code) == expected


def test_every_shipped_symptom_has_exactly_the_frozen_codes():
    for symptom in Symptom.objects.all():
        term_and_attribute = migration.PROCTCAE.get(symptom.code, ("", ""))
        loinc = migration.LOINC.get(symptom.code, ("", ""))
        assert (symptom.proctcae_term, symptom.proctcae_attribute) == term_and_attribute
        assert (symptom.loinc_code, symptom.loinc_display) == loinc


def test_share_of_symptoms_with_codes():
    coverage = code_coverage()
    assert (coverage.symptoms, coverage.with_proctcae, coverage.with_loinc) == (33, 18, 6)
    assert coverage.proctcae_share == pytest.approx(18 / 33)
    assert coverage.loinc_share == pytest.approx(6 / 33)


# --- The data migration --------------------------------------------------------------------------


def test_the_migration_fills_blanks_and_keeps_an_admins_edits():
    Symptom.objects.filter(code="fatigue").update(proctcae_attribute="severity")
    Symptom.objects.filter(code="fever").update(loinc_display="Body temperature (oral)")
    Symptom.objects.filter(code="cough").update(proctcae_term="", proctcae_attribute="")
    Symptom.objects.filter(code="bone_pain").update(loinc_code="", loinc_display="")
    Symptom.objects.filter(code="chest_pain").update(loinc_display="")  # code kept, name lost

    migration.fill(django_apps, None)
    migration.fill(django_apps, None)  # twice is the same as once

    assert _codes("fatigue")[:2] == ("Fatigue", "severity")
    assert _codes("fever")[2:] == ("8310-5", "Body temperature (oral)")
    assert _codes("cough")[:2] == ("Cough", "severity")
    assert _codes("bone_pain")[2:] == PAIN_SCORE
    assert _codes("chest_pain")[2:] == PAIN_SCORE


def test_the_migration_leaves_an_admins_own_code_on_an_uncoded_symptom_alone():
    Symptom.objects.filter(code="thirst").update(
        proctcae_term="Thirst", proctcae_attribute="amount"
    )
    migration.fill(django_apps, None)
    assert _codes("thirst")[:2] == ("Thirst", "amount")


def test_the_way_down_clears_only_what_it_wrote():
    Symptom.objects.filter(code="fatigue").update(proctcae_attribute="severity")
    migration.clear(django_apps, None)
    assert _codes("fatigue")[:2] == ("Fatigue", "severity")  # an admin's choice stays
    assert _codes("fever") == ("", "", "", "")
    assert _codes("nausea") == ("", "", "", "")
    assert not Symptom.objects.exclude(code="fatigue").exclude(proctcae_term="").exists()
    assert not Symptom.objects.exclude(loinc_code="").exists()


# --- The database refuses half a code ------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"proctcae_term": "Cough", "proctcae_attribute": ""},
        {"proctcae_term": "", "proctcae_attribute": "severity"},
        {"loinc_code": "", "loinc_display": "Body temperature"},
    ],
)
def test_the_database_refuses_half_a_code(change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Symptom.objects.filter(code="cough").update(**change)


def test_a_loinc_code_without_its_name_is_allowed():
    Symptom.objects.filter(code="cough").update(loinc_code="8310-5", loinc_display="")


# --- Admin ---------------------------------------------------------------------------------------


def _change_form(code: str, **changes: str) -> dict[str, str | int]:
    symptom = Symptom.objects.get(code=code)
    form: dict[str, str | int] = {
        "name_en": symptom.name,
        "site": symptom.site_id,
        "red_flag": symptom.red_flag,
        "help_text_en": symptom.help_text,
        "display_order": symptom.display_order,
        "active": "on",
        "loinc_code": symptom.loinc_code,
        "loinc_display": symptom.loinc_display,
        "proctcae_term": symptom.proctcae_term,
        "proctcae_attribute": symptom.proctcae_attribute,
    }
    form.update(changes)
    return form


def test_admin_shows_the_codes(people, client):
    client.force_login(people.admin)
    page = client.get(reverse("admin:symptoms_symptom_change", args=["fever"])).content.decode()
    assert 'class="fieldset-heading">Codes</h2>' in page
    for field in ("loinc_code", "loinc_display", "proctcae_term", "proctcae_attribute"):
        assert f'name="{field}"' in page
    assert 'value="8310-5"' in page


def test_admin_edits_codes_and_patients_and_clients_see_them_at_once(people, client, api_client):
    get_catalogue()  # cached before the edit
    client.force_login(people.admin)
    response = client.post(
        reverse("admin:symptoms_symptom_change", args=["thirst"]),
        _change_form("thirst", proctcae_term="Thirst", proctcae_attribute="severity"),
    )
    assert response.status_code == 302
    assert _codes("thirst")[:2] == ("Thirst", "severity")
    assert get_catalogue().symptoms["thirst"].proctcae_term == "Thirst"
    api_client.force_authenticate(people.patient_a)
    body = {s["code"]: s for s in api_client.get("/api/v1/symptoms/").json()}
    assert body["thirst"]["proctcae"] == {"term": "Thirst", "attribute": "severity"}


def test_admin_clears_codes(people, client):
    client.force_login(people.admin)
    response = client.post(
        reverse("admin:symptoms_symptom_change", args=["fever"]),
        _change_form("fever", loinc_code="", loinc_display=""),
    )
    assert response.status_code == 302
    assert get_catalogue().symptoms["fever"].loinc_code == ""


@pytest.mark.parametrize(
    "changes,field,words",
    [
        ({"proctcae_attribute": ""}, "proctcae_attribute", "or clear the term"),
        ({"proctcae_term": ""}, "proctcae_term", "or clear the attribute"),
        ({"loinc_code": "", "loinc_display": "Cough"}, "loinc_code", "or clear the name"),
        ({"loinc_code": "cough"}, "loinc_code", "A LOINC code looks like 8310-5."),
    ],
)
def test_admin_explains_half_a_code_instead_of_failing(people, client, changes, field, words):
    client.force_login(people.admin)
    response = client.post(
        reverse("admin:symptoms_symptom_change", args=["headache"]),
        _change_form("headache", **changes),
    )
    assert response.status_code == 200  # the form again, nothing saved
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert words in " ".join(errors[field])
    assert _codes("headache") == ("Headache", "severity", *PAIN_SCORE)


def test_admin_adds_a_symptom_with_codes(people, client):
    client.force_login(people.admin)
    response = client.post(
        reverse("admin:symptoms_symptom_add"),
        {
            "code": "hiccups",
            "name_en": "Hiccups",
            "site": "general",
            "kind": "severity",
            "red_flag": "none",
            "help_text_en": "Hiccups that will not stop.",
            "display_order": 99,
            "active": "on",
            "loinc_code": "",
            "loinc_display": "",
            "proctcae_term": "Hiccups",
            "proctcae_attribute": "severity",
        },
    )
    assert response.status_code == 302
    assert _codes("hiccups") == ("Hiccups", "severity", "", "")


def test_admin_list_shows_and_filters_codes(people, client):
    client.force_login(people.admin)
    url = reverse("admin:symptoms_symptom_changelist")
    page = client.get(url).content.decode()
    assert "LOINC 8310-5" in page
    assert "PRO-CTCAE Fatigue (interference)" in page

    def count(query: dict[str, str]) -> int:
        return client.get(url, query).context["cl"].result_count

    assert count({"has_loinc": "yes"}) == 6
    assert count({"has_loinc": "no"}) == 27
    assert count({"has_proctcae": "yes"}) == 18
    assert count({"has_proctcae": "no"}) == 15
    assert count({"has_loinc": "yes", "has_proctcae": "yes"}) == 2  # headache, abdominal pain


# --- API -----------------------------------------------------------------------------------------


def test_the_api_shows_codes_and_null_where_none(people, api_client):
    api_client.force_authenticate(people.patient_a)
    body = {s["code"]: s for s in api_client.get("/api/v1/symptoms/").json()}
    assert body["fever"]["loinc"] == {"code": "8310-5", "display": "Body temperature"}
    assert body["fever"]["proctcae"] is None
    assert body["fatigue"]["loinc"] is None
    assert body["fatigue"]["proctcae"] == {"term": "Fatigue", "attribute": "interference"}
    assert body["headache"]["loinc"] == {"code": PAIN_SCORE[0], "display": PAIN_SCORE[1]}
    assert body["seizure"]["loinc"] is None
    assert body["seizure"]["proctcae"] is None
    assert sum(1 for s in body.values() if s["proctcae"]) == 18
    assert sum(1 for s in body.values() if s["loinc"]) == 6


def test_the_schema_documents_the_codes(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    symptom = schema["components"]["schemas"]["Symptom"]["properties"]
    for field, component in (("loinc", "Loinc"), ("proctcae", "ProCtcae")):
        assert symptom[field]["nullable"] is True
        assert symptom[field]["allOf"] == [{"$ref": f"#/components/schemas/{component}"}]
    assert set(schema["components"]["schemas"]["Loinc"]["properties"]) == {"code", "display"}
    assert set(schema["components"]["schemas"]["ProCtcae"]["properties"]) == {"term", "attribute"}

"""The patient's download as a ZIP: every table with the right number of rows, each CSV file
readable by the standard csv module, spreadsheet formulas defused, times in the patient's zone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.utils import timezone

from exports import archive, fhir, selectors
from exports.tests.factories import known_record
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.django_db

CSV_FILES = (
    "logs.csv",
    "log_entries.csv",
    "flags.csv",
    "flag_contacts.csv",
    "questions.csv",
    "appointments.csv",
    "scan_checkins.csv",
    "messages.csv",
    "record_access.csv",
)


def build(patient) -> zipfile.ZipFile:
    data = archive.record_zip(
        record=selectors.patient_record(patient_id=patient.pk),
        fhir_json=fhir.bundle_json(patient_id=patient.pk),
        now=timezone.now(),
    )
    return zipfile.ZipFile(io.BytesIO(data))


def read_csv(zipped: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = zipped.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no byte-order mark"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.fixture
def alice(people):
    profile = people.patient_a.patient_profile
    profile.timezone = "America/New_York"
    profile.save(update_fields=["timezone"])
    return people.patient_a


def test_the_zip_holds_every_table_with_the_right_row_counts(alice, people):
    known = known_record(alice, people.coordinator_a)
    known_record(people.patient_b, people.coordinator_b)  # never in Alice's file
    zipped = build(alice)
    assert zipped.testzip() is None
    assert sorted(zipped.namelist()) == sorted([*CSV_FILES, "fhir_bundle.json", "README.txt"])
    for name in CSV_FILES:
        assert len(read_csv(zipped, name)) == known.counts[name], name
    bundle = json.loads(zipped.read("fhir_bundle.json"))
    assert bundle["resourceType"] == "Bundle"
    readme = zipped.read("README.txt").decode()
    for name in (*CSV_FILES, "fhir_bundle.json"):
        assert name in readme


def test_an_empty_record_still_has_every_file_with_its_header(people):
    zipped = build(people.patient_a)
    for name in CSV_FILES:
        raw = zipped.read(name).decode("utf-8-sig")
        assert read_csv(zipped, name) == [] and raw.count("\r\n") == 1, name


def test_entries_carry_their_code_name_site_kind_value_and_unit(alice, people):
    known_record(alice, people.coordinator_a)
    rows = read_csv(build(alice), "log_entries.csv")
    fever = next(row for row in rows if row["symptom_code"] == "fever")
    assert fever["symptom"] == "Temperature" and fever["kind"] == "temperature"
    assert (fever["value"], fever["unit"]) == ("38.4", "°C")
    today = alice.patient_profile.local_today()
    assert fever["date"] == (today - dt.timedelta(days=1)).isoformat()
    bone = [row for row in rows if row["symptom_code"] == "bone_pain"]
    assert [row["value"] for row in bone] == ["3", "6"] and bone[0]["unit"] == "0-10"
    assert bone[0]["site"] == "Bone"


def test_accents_survive_and_times_are_in_the_patients_zone_with_offset(alice, people):
    known_record(alice, people.coordinator_a)
    zipped = build(alice)
    logs = read_csv(zipped, "logs.csv")
    assert logs[-1]["notes"] == "Très fatiguée, ça va"
    seen = read_csv(zipped, "record_access.csv")[0]
    when = dt.datetime.fromisoformat(seen["when"])
    assert when.utcoffset() in (dt.timedelta(hours=-5), dt.timedelta(hours=-4))  # New York
    assert (seen["who"], seen["role"]) == (people.coordinator_a.name, "Care coordinator")
    assert seen["what"] == "Saw you in their list of patients"


@pytest.mark.parametrize("text", ["=1+1", "+44 1234", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert archive.safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["fine", "38.4", "It's = fine", ""])
def test_other_text_is_left_alone(text):
    assert archive.safe_text(text) == text


def test_the_patients_own_words_never_reach_a_spreadsheet_as_formulas(alice, people):
    known_record(alice, people.coordinator_a)
    zipped = build(alice)
    assert read_csv(zipped, "logs.csv")[1]["notes"] == "'=1+1 felt hot"
    assert read_csv(zipped, "questions.csv")[0]["question"] == "'+ is this normal?"
    assert read_csv(zipped, "flag_contacts.csv")[0]["note"] == "'@ home, fine"
    flags = read_csv(zipped, "flags.csv")
    assert "'-called back" in [flag["team_note"] for flag in flags]
    for name in CSV_FILES:
        for row in read_csv(zipped, name):
            for value in row.values():
                assert not value.startswith(archive.FORMULA_STARTS), (name, value)


def test_the_record_is_read_in_a_fixed_number_of_queries(
    alice, people, django_assert_max_num_queries
):
    known_record(alice, people.coordinator_a)
    for days in range(3, 30):
        log_days_back(alice, days, {"bone_pain": 2, "fatigue": 3})
    with django_assert_max_num_queries(12):
        record = selectors.patient_record(patient_id=alice.pk)
        archive.record_zip(record=record, fhir_json=b"{}", now=timezone.now())

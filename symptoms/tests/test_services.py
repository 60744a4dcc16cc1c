"""symptoms.services: the one way a daily log is written."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from accounts.tests.factories import make_patient
from symptoms import services
from symptoms.models import DailyLog, LogEntry, Symptom
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def patient():
    return make_patient(timezone="Europe/London", sites=["bone"])


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _values(log: DailyLog) -> dict:
    return {entry.symptom_id: entry.value for entry in log.entries.all()}


def test_save_creates_then_replaces(patient):
    log, created = services.daily_log_save(
        patient=patient,
        date=TODAY,
        entries=[
            {"symptom": "bone_pain", "severity": 6},
            {"symptom": "seizure", "present": True},
            {"symptom": "fever", "value": 38.4},
        ],
        notes="  A rough day.  ",
    )
    assert created
    assert _values(log) == {"bone_pain": 6, "seizure": True, "fever": Decimal("38.4")}
    assert log.notes == "A rough day."

    again, created = services.daily_log_save(
        patient=patient, date=TODAY, entries=[{"symptom": "fatigue", "severity": 3}]
    )
    assert not created
    assert again.pk == log.pk
    assert _values(again) == {"fatigue": 3}
    assert again.notes == ""
    assert LogEntry.objects.count() == 1


def test_empty_log_is_a_normal_day(patient):
    log, created = services.daily_log_save(patient=patient, date=TODAY, entries=[])
    assert created and not log.entries.exists()


@pytest.mark.parametrize(
    "entries,field",
    [
        ([{"symptom": "bone_pain", "severity": 11}], "severity"),
        ([{"symptom": "bone_pain", "severity": -1}], "severity"),
        ([{"symptom": "bone_pain", "severity": 4.5}], "severity"),
        ([{"symptom": "bone_pain", "severity": True}], "severity"),
        ([{"symptom": "bone_pain", "severity": "6"}], "severity"),
        ([{"symptom": "bone_pain", "present": True}], "present"),
        ([{"symptom": "seizure", "severity": 3}], "severity"),
        ([{"symptom": "seizure", "present": "yes"}], "present"),
        ([{"symptom": "fever", "value": 43.1}], "value"),
        ([{"symptom": "fever", "value": 33.9}], "value"),
        ([{"symptom": "fever", "value": "hot"}], "value"),
        ([{"symptom": "fever"}], "value"),
        ([{"symptom": "toothache", "severity": 3}], "symptom"),
        ([{"severity": 3}], "symptom"),
        (["bone_pain"], "non_field_errors"),
        ([{"symptom": "fatigue", "severity": 1}, {"symptom": "fatigue", "severity": 2}], "symptom"),
    ],
)
def test_bad_entries_save_nothing(patient, entries, field):
    log_day(patient, TODAY, {"nausea": 2})
    with pytest.raises(services.LogInputError) as error:
        services.daily_log_save(patient=patient, date=TODAY, entries=entries)
    errors = error.value.detail["entries"]
    assert len(errors) == len(entries)
    assert field in errors[-1]
    assert [(e.symptom_id, e.severity) for e in LogEntry.objects.all()] == [("nausea", 2)]


def test_errors_stay_aligned_with_entries(patient):
    with pytest.raises(services.LogInputError) as error:
        services.daily_log_save(
            patient=patient,
            date=TODAY,
            entries=[{"symptom": "fatigue", "severity": 2}, {"symptom": "fever", "value": 50}],
        )
    assert error.value.detail["entries"][0] == {}
    assert "34.0 and 43.0" in error.value.detail["entries"][1]["value"][0]


def test_temperature_boundaries_are_allowed(patient):
    log_day(patient, TODAY, {"fever": 34.0})
    log_day(patient, TODAY - dt.timedelta(days=1), {"fever": 43.0})
    assert LogEntry.objects.count() == 2


def test_retired_symptoms_are_refused_but_history_stays(patient):
    old = log_day(patient, TODAY - dt.timedelta(days=3), {"itching": 5})
    services.symptom_retire(symptom=Symptom.objects.get(code="itching"))
    with pytest.raises(services.LogInputError):
        log_day(patient, TODAY, {"itching": 2})
    assert _values(old) == {"itching": 5}


@pytest.mark.parametrize("days_back,ok", [(0, True), (30, True), (31, False), (-1, False)])
def test_date_window(patient, days_back, ok):
    day = TODAY - dt.timedelta(days=days_back)
    if ok:
        log_day(patient, day)
    else:
        with pytest.raises(services.LogInputError) as error:
            log_day(patient, day)
        assert "date" in error.value.detail
        assert not DailyLog.objects.exists()


def test_today_is_the_patients_own_day():
    # 2026-06-15 12:00 UTC is already 2026-06-16 00:00 in Auckland (UTC+12 in June)...
    auckland = make_patient(timezone="Pacific/Auckland")
    los_angeles = make_patient(timezone="America/Los_Angeles")
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        log_day(auckland, dt.date(2026, 6, 16))
        with pytest.raises(services.LogInputError):
            log_day(los_angeles, dt.date(2026, 6, 16))
        log_day(los_angeles, dt.date(2026, 6, 15))
    # ...and the 30-day window follows the patient's own today too.
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        log_day(auckland, dt.date(2026, 5, 17))
        with pytest.raises(services.LogInputError):
            log_day(los_angeles, dt.date(2026, 5, 15))


def test_only_patients_keep_logs(people):
    with pytest.raises(services.LogInputError) as error:
        services.daily_log_save(patient=people.coordinator_a, date=TODAY, entries=[])
    assert "patient" in error.value.detail


def test_notes_length(patient):
    with pytest.raises(services.LogInputError) as error:
        services.daily_log_save(patient=patient, date=TODAY, entries=[], notes="x" * 2001)
    assert "notes" in error.value.detail


def test_copy_previous_day(patient):
    log_day(patient, TODAY - dt.timedelta(days=1), {"bone_pain": 4, "fever": 37.9}, notes="n")
    log, created = services.daily_log_copy_previous(patient=patient, date=TODAY)
    assert created
    assert _values(log) == {"bone_pain": 4, "fever": Decimal("37.9")}
    assert log.notes == ""


def test_copy_previous_day_needs_the_day_before(patient):
    log_day(patient, TODAY - dt.timedelta(days=2), {"bone_pain": 4})
    with pytest.raises(services.LogInputError):
        services.daily_log_copy_previous(patient=patient, date=TODAY)
    assert not DailyLog.objects.filter(date=TODAY).exists()


def test_delete(patient):
    log_day(patient, TODAY, {"bone_pain": 4})
    assert services.daily_log_delete(patient=patient, date=TODAY)
    assert not services.daily_log_delete(patient=patient, date=TODAY)
    assert not LogEntry.objects.exists()


def test_database_enforces_one_log_per_day_and_entry_rules(patient):
    log = log_day(patient, TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyLog.objects.create(patient=patient, date=TODAY)
    bad_entries = [
        LogEntry(log=log, symptom_id="bone_pain", severity=11),
        LogEntry(log=log, symptom_id="fever", temperature=Decimal("44.0")),
        LogEntry(log=log, symptom_id="bone_pain"),
        LogEntry(log=log, symptom_id="bone_pain", severity=2, present=True),
    ]
    for entry in bad_entries:
        with pytest.raises(IntegrityError), transaction.atomic():
            entry.save()
    LogEntry.objects.create(log=log, symptom_id="bone_pain", severity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.create(log=log, symptom_id="bone_pain", severity=3)


def test_copy_previous_day_leaves_out_red_flag_events(patient):
    log_day(patient, TODAY - dt.timedelta(days=1), {"headache": 5, "seizure": True})
    log, _ = services.daily_log_copy_previous(patient=patient, date=TODAY)
    assert _values(log) == {"headache": 5}

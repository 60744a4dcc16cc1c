"""symptoms.selectors: grouping for the log page and the history behind the charts."""

import datetime as dt
import threading

import pytest
from django.db import connection

from accounts.tests.factories import make_patient
from symptoms import selectors, services
from symptoms.models import DailyLog, Symptom
from symptoms.tests.factories import entries_from, log_day

pytestmark = pytest.mark.django_db


def test_own_sites_first_then_general_and_treatment_then_others():
    groups = selectors.symptom_groups(patient_sites=["liver", "bone"])
    assert [(g.site.code, g.own_site) for g in groups] == [
        ("bone", True),
        ("liver", True),
        ("general", True),
        ("treatment", True),
        ("brain", False),
        ("lung", False),
    ]
    assert [s.code for s in groups[0].symptoms][:2] == ["bone_pain", "back_pain"]


def test_retired_symptoms_leave_the_groups():
    services.symptom_retire(symptom=Symptom.objects.get(code="cough"))
    lung = next(g for g in selectors.symptom_groups(patient_sites=[]) if g.site.code == "lung")
    assert "cough" not in [s.code for s in lung.symptoms]


def test_history_treats_a_log_as_a_full_snapshot():
    patient = make_patient(sites=["bone"])
    today = patient.patient_profile.local_today()
    log_day(patient, today - dt.timedelta(days=2), {"bone_pain": 5, "fever": 38.1})
    log_day(patient, today, {"fatigue": 3})
    history = selectors.history(patient=patient, today=today, days=7)
    assert history.days[-1] == today and len(history.days) == 7
    assert history.logged == {today, today - dt.timedelta(days=2)}
    series = {s.symptom.code: s for _, group in history.groups for s in group}
    assert series["bone_pain"].values[-3:] == [5.0, None, 0.0]  # unlogged day unknown, not 0
    assert series["fever"].values[-3:] == [38.1, None, None]  # no temperature taken
    assert series["bone_pain"].peak == 5.0 and series["bone_pain"].latest == 0.0
    assert series["fatigue"].logged_days == 2


def test_history_keeps_retired_symptoms_with_data():
    patient = make_patient()
    today = patient.patient_profile.local_today()
    log_day(patient, today, {"itching": 4})
    services.symptom_retire(symptom=Symptom.objects.get(code="mouth_sores"))
    services.symptom_retire(symptom=Symptom.objects.get(code="itching"))
    codes = {
        s.symptom.code
        for _, group in selectors.history(patient=patient, today=today, days=7).groups
        for s in group
    }
    assert "itching" in codes and "mouth_sores" not in codes


def test_history_query_count_is_constant(django_assert_max_num_queries):
    patient = make_patient()
    today = patient.patient_profile.local_today()
    for back in range(3):
        log_day(patient, today - dt.timedelta(days=back), {"bone_pain": back})
    with django_assert_max_num_queries(3):
        selectors.history(patient=patient, today=today, days=90)
    for back in range(3, 30):
        log_day(patient, today - dt.timedelta(days=back), {"bone_pain": 2, "nausea": 1})
    with django_assert_max_num_queries(3):
        selectors.history(patient=patient, today=today, days=90)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_of_one_day_at_once_make_one_log():
    patient = make_patient()
    today = patient.patient_profile.local_today()
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def save(severity: int) -> None:
        try:
            barrier.wait()
            services.daily_log_save(
                patient=patient, date=today, entries=entries_from({"bone_pain": severity})
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in (3, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = DailyLog.objects.get(patient=patient, date=today)
    assert [entry.severity for entry in log.entries.all()] in ([3], [7])

"""Admin for the catalogue and for logs (saved through the log service)."""

import datetime as dt

import pytest
from django.urls import reverse

from symptoms.catalogue import get_catalogue
from symptoms.models import DailyLog, Symptom
from symptoms.tests.factories import log_days_back

pytestmark = pytest.mark.django_db


def test_editing_wording_reaches_patients_at_once(people, client):
    get_catalogue()  # cached before the edit
    client.force_login(people.admin)
    symptom = Symptom.objects.get(code="fatigue")
    response = client.post(
        reverse("admin:symptoms_symptom_change", args=["fatigue"]),
        {
            "name_en": "Tiredness or weakness",
            "site": "general",
            "red_flag": "none",
            "help_text_en": symptom.help_text,
            "display_order": symptom.display_order,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert get_catalogue().symptoms["fatigue"].name == "Tiredness or weakness"


def test_admin_adds_a_symptom_and_retires_one(people, client):
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
        },
    )
    assert response.status_code == 302
    assert get_catalogue().symptoms["hiccups"].active
    client.post(
        reverse("admin:symptoms_symptom_changelist"),
        {"action": "retire", "_selected_action": ["hiccups"]},
    )
    assert not get_catalogue().symptoms["hiccups"].active


def test_symptoms_cannot_be_deleted(people, client):
    client.force_login(people.admin)
    url = reverse("admin:symptoms_symptom_delete", args=["fatigue"])
    assert client.get(url).status_code == 403


def test_admin_log_edit_goes_through_the_service(people, client):
    log = log_days_back(people.patient_a, 1, {"bone_pain": 3})
    client.force_login(people.admin)
    url = reverse("admin:symptoms_dailylog_change", args=[log.pk])
    assert client.get(url).status_code == 200
    form = {
        "notes": "Checked with patient by phone",
        "entries-TOTAL_FORMS": "2",
        "entries-INITIAL_FORMS": "1",
        "entries-0-id": str(log.entries.get().pk),
        "entries-0-log": str(log.pk),
        "entries-0-symptom": "bone_pain",
        "entries-0-severity": "11",
        "entries-1-log": str(log.pk),
        "entries-1-symptom": "fever",
        "entries-1-temperature": "38.5",
    }
    response = client.post(url, form)
    assert response.status_code == 200  # refused: severity above 10
    assert [e.severity for e in log.entries.all()] == [3]

    form["entries-0-severity"] = "5"
    response = client.post(url, form)
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.notes == "Checked with patient by phone"
    assert {e.symptom_id: e.value for e in log.entries.all()} == {
        "bone_pain": 5,
        "fever": pytest.approx(38.5),
    }


def test_admin_cannot_add_a_log_outside_the_window(people, client):
    client.force_login(people.admin)
    too_old = people.patient_a.patient_profile.local_today() - dt.timedelta(days=31)
    response = client.post(
        reverse("admin:symptoms_dailylog_add"),
        {
            "patient": people.patient_a.pk,
            "date": too_old.isoformat(),
            "notes": "",
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not DailyLog.objects.exists()

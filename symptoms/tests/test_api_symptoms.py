"""/api/v1/symptoms/: the active catalogue, served from the cached catalogue."""

import datetime as dt

import pytest
import time_machine

from symptoms import services
from symptoms.catalogue import get_catalogue
from symptoms.models import Symptom
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db
URL = "/api/v1/symptoms/"
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 15)  # in Europe/London, the personas' time zone


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _codes(body: list[dict]) -> list[str]:
    return [symptom["code"] for symptom in body]


def test_lists_every_active_symptom_in_display_order(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)  # the whole catalogue, not paginated
    assert len(body) == 33
    assert _codes(body) == list(
        Symptom.objects.filter(active=True)
        .order_by("site__display_order", "display_order", "code")
        .values_list("code", flat=True)
    )
    by_code = {symptom["code"]: symptom for symptom in body}
    assert by_code["bone_pain"] == {
        "code": "bone_pain",
        "name": "Bone pain",
        "site": "bone",
        "kind": "severity",
        "red_flag": False,
        "red_flag_level": "none",
        "help": Symptom.objects.get(code="bone_pain").help_text,
        "loinc": {
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        },
        "proctcae": None,
    }
    assert by_code["seizure"]["kind"] == "presence"
    assert by_code["seizure"]["red_flag"] is True
    assert by_code["seizure"]["red_flag_level"] == "emergency"
    assert by_code["confusion"]["red_flag_level"] == "call_now"
    assert by_code["fever"]["kind"] == "temperature"
    assert by_code["fever"]["red_flag"] is False
    assert {symptom["site"] for symptom in body} == {
        "bone",
        "brain",
        "liver",
        "lung",
        "general",
        "treatment",
    }


def test_served_from_the_cached_catalogue(people, api_client, django_assert_num_queries):
    api_client.force_authenticate(people.coordinator_a)
    get_catalogue()  # warm this process's copy
    with django_assert_num_queries(0):
        assert len(api_client.get(URL).json()) == 33


@pytest.mark.parametrize(
    "persona,status",
    [
        ("patient_a", 200),
        ("patient_b", 200),
        ("coordinator_a", 200),
        ("coordinator_b", 200),
        ("admin", 200),
        ("anonymous", 401),
    ],
)
def test_any_logged_in_user_may_read_the_catalogue(people, api_client, persona, status):
    user = people.all()[persona]
    if user is not None:
        api_client.force_authenticate(user)
    assert api_client.get(URL).status_code == status


def test_retired_symptom_leaves_the_list_but_old_entries_keep_it(people, api_client):
    patient = people.patient_a
    log_day(patient, TODAY, {"cough": 4, "bone_pain": 2})
    services.symptom_retire(symptom=Symptom.objects.get(code="cough"))

    api_client.force_authenticate(patient)
    body = api_client.get(URL).json()
    assert len(body) == 32
    assert "cough" not in _codes(body)

    log = api_client.get(f"/api/v1/logs/{TODAY}/")
    assert log.status_code == 200
    assert log.json()["entries"] == [
        {"symptom": "bone_pain", "severity": 2},
        {"symptom": "cough", "severity": 4},
    ]

"""CLINICAL.md: the daily "how are you today?" nudge goes only if the day has no log, and a
message that will not be sent is never shown as coming. Saving a day (any door: "I feel as
usual", "Same as yesterday", the API) cancels its nudge in the same transaction; deleting the
log plans it again while its time has not passed; the nightly planning never brings back a
logged day's nudge."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import make_patient
from notifications.models import Notification, Status
from symptoms import reminder_planning
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 6, 15)  # nudges at 19:00 (the default reminder time), London time
AFTERNOON = dt.datetime(2026, 6, 15, 13, 0, tzinfo=LONDON)
EVENING = dt.datetime(2026, 6, 15, 20, 0, tzinfo=LONDON)
NUDGE = "How are you today?"


@pytest.fixture
def frozen():
    with time_machine.travel(AFTERNOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def patient(frozen):
    user = make_patient(timezone="Europe/London")
    reminder_planning.log_reminders_plan(profiles=[user.patient_profile], now=AFTERNOON)
    return user


def statuses(patient, day: dt.date) -> set[str]:
    key = reminder_planning.log_key(patient.pk, day)
    return set(Notification.objects.filter(key=key).values_list("status", flat=True))


def nudges_coming_up(patient) -> int:
    client = Client()
    client.force_login(patient)
    page = client.get(reverse("notification_list")).content.decode()
    return page.split('id="upcoming-heading"', 1)[1].count(NUDGE)


def save_today(patient, door: str, api_client) -> None:
    client = Client()
    client.force_login(patient)
    if door == "usual":
        response = client.post(reverse("log_usual", args=[TODAY]))
        assert response.status_code == 302
    elif door == "same":
        log_day(patient, TODAY - dt.timedelta(days=1), {"fatigue": 2})
        response = client.post(reverse("log_same", args=[TODAY]))
        assert response.status_code == 302
    else:
        api_client.force_authenticate(patient)
        body = {"date": str(TODAY), "entries": [{"symptom": "fatigue", "severity": 2}]}
        assert api_client.post("/api/v1/logs/", body, format="json").status_code == 201


def test_each_day_ahead_has_its_nudge_planned(patient):
    for offset in range(3):
        assert statuses(patient, TODAY + dt.timedelta(days=offset)) == {Status.PLANNED}
    assert nudges_coming_up(patient) == 3


@pytest.mark.parametrize("door", ["usual", "same", "api"])
def test_saving_the_day_cancels_its_nudge_and_it_is_no_longer_listed(patient, api_client, door):
    save_today(patient, door, api_client)
    assert statuses(patient, TODAY) == {Status.CANCELLED}  # in the app and by email
    assert statuses(patient, TODAY + dt.timedelta(days=1)) == {Status.PLANNED}
    assert nudges_coming_up(patient) == 2  # tomorrow's and the day after's, not today's


def test_a_bad_log_cancels_nothing(patient, api_client):
    api_client.force_authenticate(patient)
    body = {"date": str(TODAY), "entries": [{"symptom": "fatigue", "severity": 11}]}
    assert api_client.post("/api/v1/logs/", body, format="json").status_code == 400
    assert statuses(patient, TODAY) == {Status.PLANNED}


def test_planning_again_never_brings_back_a_logged_days_nudge(patient):
    log_day(patient, TODAY, {"fatigue": 2})
    reminder_planning.log_reminders_plan(profiles=[patient.patient_profile], now=AFTERNOON)
    reminder_planning.plan_reminders(now=AFTERNOON)
    assert statuses(patient, TODAY) == {Status.CANCELLED}
    assert nudges_coming_up(patient) == 2


def test_a_day_logged_before_planning_never_gets_a_nudge(frozen):
    user = make_patient(timezone="Europe/London")
    log_day(user, TODAY, {"fatigue": 2})
    reminder_planning.log_reminders_plan(profiles=[user.patient_profile], now=AFTERNOON)
    assert statuses(user, TODAY) == set()
    assert statuses(user, TODAY + dt.timedelta(days=1)) == {Status.PLANNED}


def test_deleting_the_log_plans_its_nudge_again_while_its_time_is_ahead(patient, api_client):
    log_day(patient, TODAY, {"fatigue": 2})
    api_client.force_authenticate(patient)
    assert api_client.delete(f"/api/v1/logs/{TODAY}/").status_code == 204
    assert statuses(patient, TODAY) == {Status.PLANNED}
    (row,) = Notification.objects.filter(
        key=reminder_planning.log_key(patient.pk, TODAY), channel="in_app"
    )
    assert row.due_at == dt.datetime(2026, 6, 15, 19, 0, tzinfo=LONDON)
    assert row.attempts == 0
    assert nudges_coming_up(patient) == 3


def test_deleting_the_log_after_its_nudge_time_brings_nothing_back(patient, frozen, api_client):
    log_day(patient, TODAY, {"fatigue": 2})
    frozen.move_to(EVENING)
    api_client.force_authenticate(patient)
    assert api_client.delete(f"/api/v1/logs/{TODAY}/").status_code == 204
    assert statuses(patient, TODAY) == {Status.CANCELLED}  # skipped, never sent late
    assert nudges_coming_up(patient) == 2

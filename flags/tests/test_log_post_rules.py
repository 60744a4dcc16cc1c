"""The rules a log POST runs in the request read the thresholds in force: kept per process, and
read again after any change to them, however it was made."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flags.models import FlagThresholds
from flags.services import thresholds_row
from flags.tests.flag_helpers import NOW, day
from symptoms.tests.factories import entries_from

pytestmark = pytest.mark.django_db


def _fever_flags(api_client, temperature: float) -> list[str]:
    response = api_client.post(
        "/api/v1/logs/",
        {"date": day(0).isoformat(), "entries": entries_from({"fever": temperature})},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    return [flag["level"] for flag in response.json()["flags"] if flag["rule"] == "fever"]


def test_a_threshold_change_applies_to_the_next_save(people, api_client):
    api_client.force_authenticate(people.patient_a)
    with time_machine.travel(NOW, tick=False):
        assert _fever_flags(api_client, 37.8) == []  # the shipped 38.0 °C, no row yet

        row = thresholds_row()  # as admin does: a saved row
        row.fever_celsius = Decimal("37.5")
        row.save()
        assert _fever_flags(api_client, 37.8) == ["urgent"]

        # Kept while unchanged: the next save does not read the thresholds again.
        with CaptureQueriesContext(connection) as queries:
            assert _fever_flags(api_client, 37.8) == ["urgent"]
        assert not [q for q in queries if '"fever_celsius"' in q["sql"]]

        # A queryset update, in the same transaction even, is a change too.
        FlagThresholds.objects.update(fever_celsius=Decimal("37.9"))
        assert _fever_flags(api_client, 37.8) == []
        FlagThresholds.objects.update(fever_celsius=Decimal("37.7"))
        assert _fever_flags(api_client, 37.8) == ["urgent"]

        FlagThresholds.objects.all().delete()  # back to the shipped defaults
        assert _fever_flags(api_client, 37.8) == []


@pytest.mark.parametrize("logged", ["this month", "long ago", "never"])
def test_the_request_reads_the_same_facts_as_the_worker(people, logged):
    # The request's two queries (one compiled once per process) against the worker's batch
    # reads: the same facts for a patient with a past scan, a booked one and a live flag.
    import datetime as dt

    from appointments.models import Appointment
    from flags import facts
    from flags.models import Flag
    from symptoms.tests.factories import log_day

    patient = people.patient_a
    profile = patient.patient_profile
    Appointment.objects.create(
        patient=patient, kind="ct", starts_at=NOW - dt.timedelta(days=40), duration_minutes=30
    )
    Appointment.objects.create(
        patient=patient, kind="mri", starts_at=NOW + dt.timedelta(days=9), duration_minutes=30
    )
    if logged == "this month":
        log_day(patient, day(-2), {"back_pain": 8, "fever": 38.2}, now=NOW)
    elif logged == "long ago":
        log_day(patient, day(-60), {"back_pain": 3}, now=NOW - dt.timedelta(days=60))
    Flag.objects.create(
        patient=patient, rule="severe", level="soon", symptom_id="back_pain", opened_at=NOW
    )

    for _ in range(2):  # compiling once, then bound again
        request = facts.one_patient(profile, now=NOW)
        (loaded,) = facts.profiles_for_rules([profile.pk], now=NOW, lock=False)
        logs = facts.day_logs([profile.pk], date_from=facts.window_start(NOW))
        assert request.facts == facts.facts_for(loaded, now=NOW, logs=logs.get(profile.pk, {}))
        assert request.facts.restaging.next_booked
        assert request.facts.restaging.last_restaging_on == (NOW - dt.timedelta(days=40)).date()
        assert request.facts.ever_logged == (logged != "never")
        assert request.has_live_flag
    Flag.objects.all().delete()
    assert not facts.one_patient(profile, now=NOW).has_live_flag

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

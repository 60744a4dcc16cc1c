"""A real Celery worker on Redis: a log saved through the API becomes a visible flag within 10 s
and exactly one alert email per coordinator; running again sends nothing more."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import CoordinatorFactory
from flags import services as flags
from flags.tasks import evaluate_patient_flags
from notifications.services import dispatch_due
from symptoms.tests.factories import entries_from


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_red_flag_log_becomes_a_flag_and_one_alert_per_coordinator(real_worker, people):
    from rest_framework.test import APIClient

    second = CoordinatorFactory(email="coord.a2@example.org", teams=[people.team_a])
    patient = APIClient()
    patient.force_authenticate(people.patient_a)
    today = people.patient_a.patient_profile.local_today()
    response = patient.post(
        "/api/v1/logs/",
        {"date": today.isoformat(), "entries": entries_from({"seizure": True})},
        format="json",
    )
    assert response.status_code == 201

    coordinator = APIClient()
    coordinator.force_authenticate(people.coordinator_a)
    deadline = time.monotonic() + 10
    rows: list = []
    while time.monotonic() < deadline:
        rows = coordinator.get("/api/v1/flags/?status=open").json()["results"]
        if any(row["rule"] == "red_flag" for row in rows):
            break
        time.sleep(0.2)
    assert any(row["rule"] == "red_flag" and row["level"] == "urgent" for row in rows)

    dispatch_due(now=timezone.now())
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted([people.coordinator_a.email, second.email])

    # Running the evaluation again, here and through the worker (a redelivery): nothing more.
    flags.evaluate_patient(patient=people.patient_a)
    evaluate_patient_flags.delay(people.patient_a.pk)
    evaluate_patient_flags.delay(people.patient_a.pk)
    time.sleep(1.5)
    assert dispatch_due(now=timezone.now()).sent == 0
    assert len(mail.outbox) == 2

"""The follow-up queue with the real follow-ups: a save whose ring is lost still gets its flag
evaluation from the drain, and evaluating a patient twice, or twice at once, alerts each
coordinator once per flag."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from flags.models import Flag
from flags.tasks import evaluate_patient_flags
from followups import services as followups
from followups.tests.fixtures import rows
from notifications.models import Notification
from symptoms.models import DailyLog
from symptoms.services import daily_log_save


@pytest.mark.django_db
def test_a_broker_that_cannot_be_reached_does_not_fail_the_save_and_nothing_is_lost(
    people, registered_tasks, sent, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(registered_tasks[followups.FLAG_EVALUATION], "apply_async", unreachable)
    patient = people.patient_a
    today = patient.patient_profile.local_today()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        log, created = daily_log_save(
            patient=patient, date=today, entries=[{"symptom": "seizure", "present": True}]
        )
    assert len(callbacks) == 1  # the ring ran, and raised nothing
    assert created and DailyLog.objects.filter(pk=log.pk, patient=patient, date=today).exists()
    # The follow-up waits in the table, committed with the log.
    assert rows() == [(followups.FLAG_EVALUATION, patient.pk, 1)]

    # The broker is back: the next drain sends it, once the ring's grace has passed.
    monkeypatch.undo()
    sent_now = []
    monkeypatch.setattr(
        registered_tasks[followups.FLAG_EVALUATION],
        "apply_async",
        lambda args=None, **options: sent_now.append(tuple(args)),
    )
    assert followups.drain()["sent"] == 0  # still within the grace: its ring may be on its way
    later = timezone.now() + dt.timedelta(seconds=django_settings.FOLLOW_UP_RING_GRACE_SECONDS + 1)
    assert followups.drain(now=later)["sent"] == 1
    assert sent_now == [(patient.pk,)]
    # Sent and claimed: the next minute's drain leaves it to its worker.
    assert followups.drain(now=later + dt.timedelta(minutes=1))["sent"] == 0
    # Its worker died: once the claim lapses it is sent again.
    lapse = later + dt.timedelta(seconds=django_settings.FOLLOW_UP_CLAIM_SECONDS + 1)
    assert followups.drain(now=lapse)["sent"] == 1


@pytest.mark.django_db
def test_the_task_removes_its_row_once_done(people, sent):
    followups.request_flag_evaluation(people.patient_a.pk)
    evaluate_patient_flags(people.patient_a.pk)
    assert rows() == []


@pytest.mark.django_db
def test_evaluating_twice_alerts_each_coordinator_once_per_flag(people, sent):
    today = people.patient_a.patient_profile.local_today()
    daily_log_save(
        patient=people.patient_a, date=today, entries=[{"symptom": "seizure", "present": True}]
    )
    for _ in range(3):
        evaluate_patient_flags(people.patient_a.pk)
    (flag,) = Flag.objects.filter(patient=people.patient_a, level="urgent")
    alerts = flag_alert_keys(flag)
    assert alerts == [f"flag:{flag.pk}:urgent:{people.coordinator_a.pk}"] * 2  # email + in app


def flag_alert_keys(flag: Flag) -> list[str]:
    return sorted(
        Notification.objects.filter(subject_id=flag.pk, key__contains=":urgent:").values_list(
            "key", flat=True
        )
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_evaluations_of_one_patient_alert_once(people, sent):
    """Two workers evaluating the same patient at once: the profile lock serialises them."""
    today = people.patient_a.patient_profile.local_today()
    daily_log_save(
        patient=people.patient_a, date=today, entries=[{"symptom": "seizure", "present": True}]
    )
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def evaluate() -> None:
        try:
            barrier.wait()
            evaluate_patient_flags(people.patient_a.pk)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (flag,) = Flag.objects.filter(patient=people.patient_a, level="urgent")
    assert flag_alert_keys(flag) == [f"flag:{flag.pk}:urgent:{people.coordinator_a.pk}"] * 2
    assert rows() == []

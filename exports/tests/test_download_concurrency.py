"""Many at once: asking four times at the same moment makes one export, and four workers
building it at once store one file and plan one message."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from exports import services
from exports.models import ExportStatus, RecordExport
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at_once(work: Callable[[], object], times: int = 4) -> list[object]:
    barrier = threading.Barrier(times)
    results: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_asking_four_times_at_once_makes_one_export(people, sent):
    patient = people.patient_a
    exports = at_once(
        lambda: services.record_export_request(patient=patient, requested_by=patient).pk
    )
    (export,) = RecordExport.objects.filter(patient=patient)
    assert set(exports) == {export.pk}


def test_four_builds_at_once_store_one_file_and_plan_one_message(people, sent):
    patient = people.patient_a
    export = services.record_export_request(patient=patient, requested_by=patient)
    at_once(lambda: services.record_export_build(patient_id=patient.pk))
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.size > 0
    messages = Notification.objects.filter(recipient=patient, kind=Kind.RECORD_EXPORT)
    assert messages.count() == 1

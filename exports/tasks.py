"""Background work for the patient's download. Thin: call a service.

``build_record_export`` follows a patient's request through the follow-up queue
(``followups.services``), which sends it again if its ring is lost or its worker dies, so it is
acknowledged early. Building is idempotent (``exports.services.record_export_build``). Beat runs
``expire_record_exports`` once a night.
"""

from __future__ import annotations

from celery import shared_task

from exports import services
from followups.services import RECORD_EXPORT_BUILD, follow_up_run


# The time limit stays below FOLLOW_UP_CLAIM_SECONDS: a slow run is never sent again meanwhile.
@shared_task(soft_time_limit=90, time_limit=110, ignore_result=True)
def build_record_export(patient_id: int) -> None:
    with follow_up_run(task=RECORD_EXPORT_BUILD, patient_id=patient_id):
        services.record_export_build(patient_id=patient_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def expire_record_exports() -> dict[str, int]:
    return services.record_exports_expire()

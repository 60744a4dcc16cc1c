"""The patient's record as a FHIR R4 Bundle (built and validated with ``fhir.resources``).

A Bundle of type ``collection``: the Patient; the symptom catalogue as one published
Questionnaire; each day's log as a QuestionnaireResponse with an Observation per entry; flags as
Flag and appointments as Appointment resources. Every ``fullUrl`` is ``FHIR_BASE_URL`` plus
``Type/id``, so the references inside ("Patient/12") resolve within the Bundle.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from exports.fhir import codes, resources
from exports.fhir.records import PatientRecord, patient_record

__all__ = ["bundle_json", "patient_bundle"]


def patient_bundle(*, patient_id: int, since: dt.date | None = None) -> Bundle:
    """The whole record of one patient (logs and flags from ``since`` when given)."""
    record = patient_record(patient_id=patient_id, since=since)
    return _bundle(record, now=timezone.now())


def bundle_json(*, patient_id: int, since: dt.date | None = None) -> bytes:
    """``patient_bundle`` as FHIR JSON (UTF-8)."""
    return patient_bundle(patient_id=patient_id, since=since).model_dump_json().encode()


def _bundle(record: PatientRecord, *, now: dt.datetime) -> Bundle:
    catalogue = record.catalogue
    patient = resources.patient(record.profile)
    patient_ref = resources.reference("Patient", patient.id, record.profile.user.name)
    version = resources.questionnaire_version(record.catalogue_updated_at)
    questionnaire = resources.questionnaire(
        catalogue, version=version, date=record.catalogue_updated_at
    )
    canonical = f"{codes.questionnaire_url()}|{version}"

    found: list[Resource] = [patient, questionnaire]
    for log in record.logs:
        found.append(
            resources.questionnaire_response(
                log, catalogue=catalogue, canonical=canonical, patient_ref=patient_ref
            )
        )
        for entry in log.entries.all():
            symptom = catalogue.symptoms[entry.symptom_id]
            found.append(
                resources.observation(entry, log=log, symptom=symptom, patient_ref=patient_ref)
            )
    log_ids_by_day = {log.date: resources.log_id(log) for log in record.logs}
    for flag in record.flags:
        found.append(
            resources.flag(
                flag, catalogue=catalogue, patient_ref=patient_ref, log_ids_by_day=log_ids_by_day
            )
        )
    for appointment in record.appointments:
        found.append(resources.appointment(appointment, patient_ref=patient_ref, now=now))

    return Bundle(
        id=uuid.uuid4().hex,
        type="collection",
        timestamp=now,
        entry=[
            {"fullUrl": codes.resource_url(item.get_resource_type(), item.id), "resource": item}
            for item in found
        ],
    )

"""The patient's record as a FHIR R4 Bundle (built and validated with ``fhir.resources``).

A Bundle of type ``collection``: the Patient; the symptom catalogue as one published
Questionnaire; each day's log as a QuestionnaireResponse with an Observation per entry; flags as
Flag and appointments as Appointment resources. Every ``fullUrl`` is ``FHIR_BASE_URL`` plus
``Type/id``, so the references inside ("Patient/12") resolve within the Bundle.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from fhir.resources.R4B.bundle import Bundle

from exports.fhir import codes, resources
from exports.fhir.records import PatientRecord, patient_record

__all__ = ["bundle_data", "bundle_json", "patient_bundle"]


def bundle_data(*, patient_id: int, since: dt.date | None = None) -> dict[str, Any]:
    """The whole record of one patient (logs and flags from ``since`` when given) as the
    Bundle's JSON data, every resource in it validated by ``fhir.resources``."""
    record = patient_record(patient_id=patient_id, since=since)
    # The Bundle is for systems, not people: its display words stay in the site's language
    # whoever asks, in whatever language.
    with translation.override(settings.LANGUAGE_CODE):
        return _bundle(record, now=timezone.now())


def patient_bundle(*, patient_id: int, since: dt.date | None = None) -> Bundle:
    """``bundle_data`` as a ``fhir.resources`` Bundle, for callers that want the model."""
    return Bundle.model_validate(bundle_data(patient_id=patient_id, since=since))


def bundle_json(*, patient_id: int, since: dt.date | None = None) -> bytes:
    """``bundle_data`` as FHIR JSON (UTF-8)."""
    return dumps(bundle_data(patient_id=patient_id, since=since))


def dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, default=_json_value, ensure_ascii=False, separators=(",", ":")).encode()


def _json_value(value: object) -> object:
    # FHIR JSON: decimals are numbers; dates and instants are ISO 8601 text.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):  # aware: it carries its offset ("Z" for UTC)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not FHIR JSON")


def _bundle(record: PatientRecord, *, now: dt.datetime) -> dict[str, Any]:
    catalogue = record.catalogue
    patient = resources.patient(record.profile)
    patient_ref = resources.reference("Patient", patient["id"], record.profile.user.name)
    version = resources.questionnaire_version(record.catalogue_updated_at)
    questionnaire = resources.questionnaire(
        catalogue, version=version, date=record.catalogue_updated_at
    )
    canonical = f"{codes.questionnaire_url()}|{version}"

    found: list[dict[str, Any]] = [patient, questionnaire]
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

    header = {"id": uuid.uuid4().hex, "type": "collection", "timestamp": now}
    Bundle.model_validate(header)  # the resources were each validated as they were made
    return {
        "resourceType": "Bundle",
        **header,
        "entry": [
            {"fullUrl": codes.resource_url(item["resourceType"], item["id"]), "resource": item}
            for item in found
        ],
    }

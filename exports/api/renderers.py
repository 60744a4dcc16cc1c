"""FHIR JSON for the export endpoints: the Bundle's bytes go out as built (fhir.resources has
already written and validated them); anything else, such as an error body, is DRF's JSON."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import JSONRenderer

FHIR_JSON = "application/fhir+json"


class _BytesAsBuilt(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return super().render(data, accepted_media_type, renderer_context)


class FhirJsonRenderer(_BytesAsBuilt):
    """``application/fhir+json``: the FHIR media type, answered unless JSON is asked for."""

    media_type = FHIR_JSON
    format = "json"  # the same format as plain JSON: content type is chosen by Accept alone


class PlainJsonRenderer(_BytesAsBuilt):
    """``application/json``, for clients that ask for it (``Accept: application/json``)."""

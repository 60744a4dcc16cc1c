"""The FHIR R4 export: a patient's record as a Bundle, for the patient (``/me/fhir/``) and for
their care team (``/patients/{id}/fhir/``). Thin: check the query and who asks, build, send."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access, services
from accounts.api.permissions import IsCareStaff, IsPatient
from accounts.models import RecordAccessKind
from exports import fhir
from exports.api.renderers import FhirJsonRenderer, PlainJsonRenderer
from exports.api.serializers import FhirBundleSerializer, FhirQuerySerializer

SINCE = OpenApiParameter(
    "since",
    {"type": "string", "format": "date"},
    description=FhirQuerySerializer().fields["since"].help_text,
)


class FhirExportView(APIView):
    """Shared by both doors: FHIR JSON out (plain JSON on request), errors as DRF's usual JSON."""

    renderer_classes = [FhirJsonRenderer, PlainJsonRenderer]

    def since(self, request: Request) -> dt.date | None:
        query = FhirQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("since")

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: object, **kwargs: object
    ) -> HttpResponseBase:
        # Errors keep DRF's usual body and say so: application/json, whatever was asked for.
        if response.status_code >= 400 and isinstance(response, Response):
            request.accepted_renderer = PlainJsonRenderer()
            request.accepted_media_type = PlainJsonRenderer.media_type
        # A whole health record: never kept by a browser or a proxy.
        response["Cache-Control"] = "private, no-store"
        return super().finalize_response(request, response, *args, **kwargs)


class MyFhirView(FhirExportView):
    """The caller's own record as a FHIR R4 Bundle (patients only)."""

    permission_classes = [IsPatient]

    @extend_schema(
        operation_id="me_fhir",
        parameters=[SINCE],
        responses={
            200: OpenApiResponse(FhirBundleSerializer, description="A FHIR R4 Bundle."),
            403: OpenApiResponse(description="Signed in, but not as a patient."),
        },
    )
    def get(self, request: Request) -> Response:
        since = self.since(request)
        return Response(fhir.bundle_json(patient_id=request.user.pk, since=since))


class PatientFhirView(FhirExportView):
    """One patient's record as a FHIR R4 Bundle, for their care team; anybody else's patient is
    404. Each pull is written in the record access log."""

    permission_classes = [IsCareStaff]

    @extend_schema(
        operation_id="patients_fhir",
        parameters=[SINCE],
        responses={200: OpenApiResponse(FhirBundleSerializer, description="A FHIR R4 Bundle.")},
    )
    def get(self, request: Request, pk: int) -> Response:
        profile = access.get_profile_or_404(request.user, pk)
        since = self.since(request)
        services.record_access(
            request=request, patient_ids=[profile.pk], what=RecordAccessKind.EXPORT
        )
        return Response(fhir.bundle_json(patient_id=profile.pk, since=since))

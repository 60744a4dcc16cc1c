"""The coordinators' patients API: their panel in triage order, one patient's record, and
enrolling a patient (see ../shared/API.md, "Patients"). Thin: validate, call, show."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api.access_log import RecordAccessListMixin
from accounts.api.permissions import IsCareStaff
from accounts.api.views import as_api_error
from accounts.choices import MetastasisSite
from accounts.models import RecordAccessKind
from care import selectors as care_selectors
from care.api.serializers import (
    PanelFilterSerializer,
    PatientDetailSerializer,
    PatientEnrolSerializer,
    PatientSerializer,
    PatientUpdateSerializer,
)
from care.selectors import PanelPatient
from flags.models import FlagLevel

PANEL_FILTERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": 100},
        description="Part of a name or email address.",
    ),
    OpenApiParameter("site", OpenApiTypes.STR, enum=MetastasisSite.values),
    OpenApiParameter("level", OpenApiTypes.STR, enum=FlagLevel.values),
    OpenApiParameter(
        "team", {"type": "integer", "minimum": 1}, description="One of the caller's care teams."
    ),
]


class PatientListCreateView(RecordAccessListMixin, generics.ListCreateAPIView):
    """The caller's panel of patients in triage order (most pressing first, as on the
    dashboard); POST enrols a patient in one of the caller's teams."""

    permission_classes = [IsCareStaff]
    serializer_class = PatientSerializer
    record_access_what = RecordAccessKind.PANEL

    def record_patient_id(self, item: PanelPatient) -> int:
        return item.pk

    def get_queryset(self):
        params = PanelFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        teams = selectors.teams_for(self.request.user)
        team = params.validated_data.get("team")
        if team is not None and team not in {each.pk for each in teams}:
            raise Http404(_("Not one of your care teams."))
        filters = care_selectors.panel_filters(
            teams=teams,
            team=team,
            site=params.validated_data.get("site"),
            level=params.validated_data.get("level"),
            search=params.validated_data.get("q"),
        )
        return care_selectors.triage_panel(user=self.request.user, filters=filters)

    @extend_schema(
        parameters=PANEL_FILTERS,
        responses={
            200: PatientSerializer(many=True),
            404: OpenApiResponse(
                description="`team` is not one of yours, or the page is past the last."
            ),
        },
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PatientEnrolSerializer, responses={201: PatientDetailSerializer})
    def post(self, request: Request) -> Response:
        data = PatientEnrolSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            team = services.enrolment_team(by=request.user, team=fields.pop("care_team", None))
            user = services.patient_enrol(care_team=team, **fields)
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        profile = self._one(user.pk)
        return Response(PatientDetailSerializer(profile).data, status=status.HTTP_201_CREATED)

    def _one(self, patient_id: int) -> PanelPatient:
        return care_selectors.record_profile(
            user=self.request.user, patient_id=patient_id, now=timezone.now()
        )


class PatientDetailView(generics.RetrieveAPIView):
    """One patient of the caller's care teams; anybody else's patient is 404. PATCH changes
    their details (the same service as the record's edit page and admin)."""

    permission_classes = [IsCareStaff]
    serializer_class = PatientDetailSerializer

    @extend_schema(request=PatientUpdateSerializer, responses={200: PatientDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        patient = self.get_object()  # 404 before the body is read; access-logged
        data = PatientUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.patient_details_update(profile=patient.profile, **data.validated_data)
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        fresh = care_selectors.record_profile(
            user=request.user, patient_id=patient.pk, now=timezone.now()
        )
        return Response(PatientDetailSerializer(fresh).data)

    def get_object(self):
        profile = care_selectors.record_profile(
            user=self.request.user, patient_id=self.kwargs["pk"], now=timezone.now()
        )
        services.record_access(
            request=self.request, patient_ids=[profile.pk], what=RecordAccessKind.RECORD
        )
        return profile

"""Flags API (see ../shared/API.md, "Flags"). Thin: validate, call a service, show.

Listing: a patient sees their own flags, a coordinator their care teams' patients', an
administrator everyone's (accounts.access decides). Acknowledge and resolve are for the
patient's coordinators only: other roles get 403, a flag the caller may not see is 404. Respond
is the flag's own patient's only (staff 403, another patient's flag 404).
Care staff's reads are noted in the record access log, once per patient shown.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.api.access_log import RecordAccessListMixin
from accounts.api.permissions import IsCoordinator, IsPatientOrCarer, acting_patient
from accounts.models import RecordAccessKind
from accounts.services import record_access
from flags import services
from flags.api.serializers import (
    FlagContactCreateSerializer,
    FlagContactSerializer,
    FlagFilterSerializer,
    FlagNoteSerializer,
    FlagRespondSerializer,
    FlagSerializer,
    contacts_prefetch,
)
from flags.models import Flag, FlagStatus
from lib.api import PATIENT_ID


class FlagListView(RecordAccessListMixin, generics.ListAPIView):
    """Flags the caller may see, newest first. Filter with ?status= and ?patient=."""

    carer_rights = {"GET": ("record",)}  # a carer: their patient's, with the right to see them

    serializer_class = FlagSerializer
    record_access_what = RecordAccessKind.FLAGS

    def get_queryset(self) -> QuerySet[Flag]:
        filters = FlagFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        if "patient" in filters.validated_data:
            # Someone the caller may not see is 404, as for ?patient= on appointments.
            patient = access.get_profile_or_404(
                self.request.user, filters.validated_data["patient"], carer_right="record"
            )
            queryset = Flag.objects.filter(patient_id=patient.pk)
        else:
            visible = access.visible_profiles(self.request.user, carer_right="record")
            queryset = Flag.objects.filter(patient_id__in=visible.values("pk"))
        if "status" in filters.validated_data:
            queryset = queryset.filter(status=filters.validated_data["status"])
        return queryset.prefetch_related(contacts_prefetch()).order_by("-opened_at", "-pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=FlagStatus.values),
            OpenApiParameter("patient", PATIENT_ID, description="A patient's user id."),
        ],
        responses={
            200: FlagSerializer(many=True),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="A bad filter value."),
            404: OpenApiResponse(
                description="`patient` is not one you may see, or the page is past the last."
            ),
        },
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


def _flag_for_coordinator(request: Request, pk: int) -> Flag:
    """A flag of one of the caller's own patients; anybody else's is 404."""
    visible = access.visible_profiles(request.user).values("pk")
    flag = Flag.objects.filter(pk=pk, patient_id__in=visible).first()
    if flag is None:
        raise Http404(_("No such flag."))
    return flag


FLAG_ACTION_RESPONSES = {
    200: FlagSerializer,
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Not possible in the flag's status, or a resolution without a note.",
    ),
    403: OpenApiResponse(description="Not a care coordinator."),
    404: OpenApiResponse(description="No such flag among your patients'."),
}
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class _FlagActionView(APIView):
    permission_classes = [IsCoordinator]
    service = staticmethod(services.flag_acknowledge)

    def post(self, request: Request, pk: int) -> Response:
        flag = _flag_for_coordinator(request, pk)
        record_access(request=request, patient_ids=[flag.patient_id], what=RecordAccessKind.FLAGS)
        data = FlagNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            flag = self.service(flag=flag, by=request.user, note=data.validated_data["note"])
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        return Response(FlagSerializer(flag).data)


class FlagAcknowledgeView(_FlagActionView):
    """Mark an open flag as seen, with an optional note."""

    service = staticmethod(services.flag_acknowledge)

    @extend_schema(
        operation_id="v1_flags_acknowledge",
        parameters=[ID_PARAMETER],
        request=FlagNoteSerializer,
        responses=FLAG_ACTION_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class FlagResolveView(_FlagActionView):
    """Close an open or acknowledged flag, with a note."""

    service = staticmethod(services.flag_resolve)

    @extend_schema(
        operation_id="v1_flags_resolve",
        parameters=[ID_PARAMETER],
        request=FlagNoteSerializer,
        responses=FLAG_ACTION_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class FlagRespondView(APIView):
    """The patient says what they did about urgent advice. Their own flags only (anyone else's
    is 404; care staff get 403); answering again replaces the answer. Never resolves the flag."""

    permission_classes = [IsPatientOrCarer]
    carer_rights = {"POST": ("log",)}  # a carer who logs for the patient may answer for them

    @extend_schema(
        operation_id="v1_flags_respond",
        parameters=[ID_PARAMETER],
        request=FlagRespondSerializer,
        responses={
            200: FlagSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="An unknown response, or a flag that asks for none.",
            ),
            403: OpenApiResponse(description="Not a patient."),
            404: OpenApiResponse(description="No such flag among your own."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        flag = Flag.objects.filter(pk=pk, patient=acting_patient(request)).first()
        if flag is None:
            raise Http404(_("No such flag."))
        data = FlagRespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            flag = services.flag_respond(
                flag=flag, by=request.user, response=data.validated_data["response"]
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        return Response(FlagSerializer(flag).data)


class FlagContactCreateView(APIView):
    """Record a call attempt about a flag: the patient's coordinators only (other roles 403, a
    flag they may not see 404). The first attempt on an open flag acknowledges it."""

    permission_classes = [IsCoordinator]

    @extend_schema(
        operation_id="v1_flags_contacts_create",
        parameters=[ID_PARAMETER],
        request=FlagContactCreateSerializer,
        responses={
            201: FlagContactSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="An unknown outcome, a note too long, or a resolved flag.",
            ),
            403: OpenApiResponse(description="Not a care coordinator."),
            404: OpenApiResponse(description="No such flag among your patients'."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        flag = _flag_for_coordinator(request, pk)
        record_access(request=request, patient_ids=[flag.patient_id], what=RecordAccessKind.FLAGS)
        data = FlagContactCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            contact = services.flag_contact_record(
                flag=flag,
                by=request.user,
                outcome=data.validated_data["outcome"],
                note=data.validated_data["note"],
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        return Response(FlagContactSerializer(contact).data, status=201)

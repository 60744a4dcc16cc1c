"""Carers API: a patient's carers, for the patient and their care team. Thin: validate, call
accounts.carers, show. Other roles get 403; another patient's link, or a patient outside the
caller's teams, 404."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access, carers
from accounts.api.carer_serializers import (
    CarerInviteSerializer,
    CarerQuerySerializer,
    CarerSerializer,
    CarerUpdateSerializer,
)
from accounts.models import CarerLink, User


class IsPatientOrCareStaff(BasePermission):
    message = gettext_lazy("Only patients and their care teams can do this.")

    def has_permission(self, request, view) -> bool:
        return access.is_patient(request.user) or access.is_care_staff(request.user)


def _api_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's errors in DRF's usual body (``non_field_errors`` for the whole)."""
    if hasattr(error, "error_dict"):
        errors = error.message_dict
    else:
        errors = {NON_FIELD_ERRORS: error.messages}
    if NON_FIELD_ERRORS in errors:
        errors["non_field_errors"] = errors.pop(NON_FIELD_ERRORS)
    return serializers.ValidationError(errors)


def _patient_for(request: Request, patient_id: object) -> User:
    """Whose carers: a patient's own; staff name the patient (one of theirs, or 404)."""
    if access.is_patient(request.user):
        return request.user
    if patient_id in (None, ""):
        raise serializers.ValidationError({"patient": [_("Say which patient: their id.")]})
    return access.get_profile_or_404(request.user, patient_id).user


def _link_or_404(request: Request, pk: int) -> CarerLink:
    link = carers.manageable_link(request.user, pk)
    if link is None:
        raise NotFound()
    return link


NOT_FOR_ROLE = OpenApiResponse(description="Not for this role (carers, for example).")
NO_SUCH = OpenApiResponse(description="No such carer, or a patient who is not yours.")


class CarerListView(APIView):
    """A patient's carers (revoked ones too, with `active` false), oldest first; and inviting
    one. A patient sees and invites their own; a member of the care team names the patient
    (`?patient=<id>` to list, `patient` to invite) and invites only on the patient's word
    (`patients_word`). The carer gets an email with a link to choose their password."""

    permission_classes = [IsPatientOrCareStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "patient",
                {"type": "integer", "minimum": 1},
                description="Care staff only, and required for them: the patient's id.",
            )
        ],
        responses={
            200: CarerSerializer(many=True),
            400: OpenApiResponse(description="Care staff: no patient named."),
            403: NOT_FOR_ROLE,
            404: NO_SUCH,
        },
    )
    def get(self, request: Request) -> Response:
        query = CarerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patient = _patient_for(request, query.validated_data.get("patient"))
        return Response(CarerSerializer(carers.links_for(patient), many=True).data)

    @extend_schema(
        request=CarerInviteSerializer,
        responses={
            201: CarerSerializer,
            400: OpenApiResponse(
                description="Something to fix: no rights, an email address already registered, "
                "too many carers, or (care staff) no patient or no `patients_word`."
            ),
            403: NOT_FOR_ROLE,
            404: NO_SUCH,
        },
    )
    def post(self, request: Request) -> Response:
        data = CarerInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        patient = _patient_for(request, values.get("patient"))
        try:
            link = carers.carer_invite(
                patient=patient,
                email=values["email"],
                name=values["name"],
                rights=values["rights"],
                by=request.user,
                patients_word=values.get("patients_word", ""),
            )
        except DjangoValidationError as error:
            raise _api_error(error) from None
        except DjangoPermissionDenied:
            raise NotFound() from None
        return Response(CarerSerializer(link).data, status=status.HTTP_201_CREATED)


class CarerDetailView(APIView):
    """Change what a carer may do (the whole list of rights), or revoke them: their access,
    sessions and API tokens end at once. Care staff do either on the patient's word."""

    permission_classes = [IsPatientOrCareStaff]

    @extend_schema(
        request=CarerUpdateSerializer,
        responses={
            200: CarerSerializer,
            400: OpenApiResponse(
                description="No rights, the carer was revoked, or (care staff) no `patients_word`."
            ),
            403: NOT_FOR_ROLE,
            404: NO_SUCH,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        link = _link_or_404(request, pk)
        data = CarerUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            link = carers.carer_rights_update(
                link=link,
                rights=data.validated_data["rights"],
                by=request.user,
                patients_word=data.validated_data.get("patients_word", ""),
            )
        except DjangoValidationError as error:
            raise _api_error(error) from None
        return Response(CarerSerializer(link).data)

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked (or already revoked)."),
            403: NOT_FOR_ROLE,
            404: NO_SUCH,
        },
    )
    def delete(self, request: Request, pk: int) -> Response:
        carers.carer_revoke(link=_link_or_404(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""Accounts API: tokens, /me and the coordinator's patients. Thin: validate, call, show."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.access_log import RecordAccessListMixin
from accounts.api.permissions import IsCareStaff
from accounts.api.serializers import (
    MeSerializer,
    MeUpdateSerializer,
    PatientDetailSerializer,
    PatientEnrolSerializer,
    PatientSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from accounts.choices import MetastasisSite
from accounts.models import RecordAccessKind, User
from care import selectors as care_selectors
from care.selectors import PanelPatient
from symptoms import reminders as log_reminders
from symptoms.models import FlagLevel


def as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's validation error, in DRF's usual 400 body."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


class TokenView(APIView):
    """Exchange email and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong email or password."),
            429: OpenApiResponse(description="Too many attempts; see Retry-After."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request goes to authenticate() so that lockouts apply here as on the web.
        user = authenticate(
            request._request,
            username=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["That email address and password do not match."]}
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    """Who am I, and (for patients) my settings."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(self._me(request)).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        changes = MeUpdateSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        try:
            with transaction.atomic():  # the change and its re-plan: both or neither
                user = services.account_update(user=self._me(request), **changes.validated_data)
                if {"timezone", "log_reminder_time"} & set(changes.validated_data):
                    log_reminders.patient_reminders_replan(profile=user.patient_profile)
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        return Response(MeSerializer(self._me(request)).data)

    def _me(self, request: Request) -> User:
        return User.objects.select_related("patient_profile").get(pk=request.user.pk)


PANEL_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Part of a name or email address."),
    OpenApiParameter("site", OpenApiTypes.STR, enum=MetastasisSite.values),
    OpenApiParameter("level", OpenApiTypes.STR, enum=FlagLevel.values),
    OpenApiParameter("team", OpenApiTypes.INT, description="One of the caller's care teams."),
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
        params = self.request.query_params
        filters = care_selectors.panel_filters(
            teams=selectors.teams_for(self.request.user),
            team=params.get("team"),
            site=params.get("site"),
            level=params.get("level"),
            search=params.get("q"),
        )
        return care_selectors.triage_panel(user=self.request.user, filters=filters)

    @extend_schema(parameters=PANEL_FILTERS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PatientEnrolSerializer, responses={201: PatientDetailSerializer})
    def post(self, request: Request) -> Response:
        data = PatientEnrolSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        teams = list(selectors.teams_for(request.user))
        team = fields.pop("care_team", None)
        if team is None:
            if len(teams) != 1:
                raise serializers.ValidationError(
                    {"care_team": ["Choose which of your care teams this patient joins."]}
                )
            team = teams[0]
        elif team not in teams:
            raise serializers.ValidationError({"care_team": ["This is not one of your teams."]})
        try:
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
    """One patient of the caller's care teams; anybody else's patient is 404."""

    permission_classes = [IsCareStaff]
    serializer_class = PatientDetailSerializer

    def get_object(self):
        profile = care_selectors.record_profile(
            user=self.request.user, patient_id=self.kwargs["pk"], now=timezone.now()
        )
        services.record_access(
            request=self.request, patient_ids=[profile.pk], what=RecordAccessKind.RECORD
        )
        return profile

"""Accounts API: tokens, /me and the coordinator's patients. Thin: validate, call, show."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import access, selectors, services
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
from accounts.models import PatientProfile, User
from appointments import selectors as appointment_selectors
from symptoms import reminders as log_reminders
from symptoms import selectors as symptom_selectors


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
            user = services.account_update(user=self._me(request), **changes.validated_data)
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        if {"timezone", "log_reminder_time"} & set(changes.validated_data):
            log_reminders.patient_reminders_replan(profile=user.patient_profile)
        return Response(MeSerializer(self._me(request)).data)

    def _me(self, request: Request) -> User:
        return User.objects.select_related("patient_profile").get(pk=request.user.pk)


def with_care_facts(profiles: QuerySet[PatientProfile]) -> QuerySet[PatientProfile]:
    """Profiles annotated with what their care team looks at first: the newest log, the next
    appointment and the last scan (for when restaging is due). One query, however many."""
    now = timezone.now()
    return profiles.annotate(
        last_log_date=symptom_selectors.last_log_date_subquery(),
        next_appointment=appointment_selectors.next_appointment_subquery(now=now),
        last_restaging_at=appointment_selectors.last_restaging_subquery(now=now),
    )


class PatientListCreateView(generics.ListCreateAPIView):
    """The caller's panel of patients; POST enrols a patient in one of the caller's teams."""

    permission_classes = [IsCareStaff]
    serializer_class = PatientSerializer

    def get_queryset(self):
        return with_care_facts(selectors.patient_panel(user=self.request.user))

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

    def _one(self, patient_id: int) -> PatientProfile:
        return (
            with_care_facts(access.visible_profiles(self.request.user))
            .select_related("user", "care_team")
            .get(pk=patient_id)
        )


class PatientDetailView(generics.RetrieveAPIView):
    """One patient of the caller's care teams; anybody else's patient is 404."""

    permission_classes = [IsCareStaff]
    serializer_class = PatientDetailSerializer

    def get_object(self):
        profile = access.get_profile_or_404(self.request.user, self.kwargs["pk"])
        return with_care_facts(PatientProfile.objects.select_related("user", "care_team")).get(
            pk=profile.pk
        )

"""Accounts API: tokens, /me and the coordinator's patients. Thin: validate, call, show."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import (
    MeSerializer,
    MeUpdateSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from accounts.models import User
from accounts.throttling import LoginRateThrottle


def as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's validation error, in DRF's usual 400 body."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


class TokenView(APIView):
    """Exchange email and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # The cache's rate limit, counted in the database while the cache is down.
    throttle_classes = [LoginRateThrottle]
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
            services.account_update(user=self._me(request), **changes.validated_data)
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        return Response(MeSerializer(self._me(request)).data)

    def _me(self, request: Request) -> User:
        return User.objects.select_related("patient_profile").get(pk=request.user.pk)

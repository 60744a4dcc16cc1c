"""Accounts API: tokens, /me and the coordinator's patients. Thin: validate, call, show."""

from __future__ import annotations

from django.contrib.auth import authenticate, logout
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access, credentials, selectors, services, two_step
from accounts.api.serializers import (
    DeviceTokenSerializer,
    MeSerializer,
    MeUpdateSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from accounts.lockout import lockout_response
from accounts.models import ApiToken, User
from accounts.throttling import LoginRateThrottle
from lib.i18n import use_language_of


def as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's validation error, in DRF's usual 400 body."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


def staff_second_step(request: Request, user: User, code: str) -> Response | None:
    """Care staff get a token only with a code from their authenticator app (or a recovery
    code), as on the website: a password alone never opens staff data. A wrong code counts
    towards the lockout like a wrong password. None when the code is right."""
    if two_step.authenticator_for(user) is None:
        raise serializers.ValidationError(
            {
                "code": [
                    "Set up two-step sign-in first: sign in on the website once and follow the "
                    "steps. Then ask again with the code from your authenticator app."
                ]
            }
        )
    if not code.strip():
        raise serializers.ValidationError(
            {"code": ["Care staff also need the 6-digit code from their authenticator app."]}
        )
    result = two_step.code_check(request=request._request, user=user, code=code)
    if result.locked_out:
        return lockout_response(request._request)
    if result.wait_seconds:
        return Response(
            {"detail": f"Please wait {result.wait_seconds} s before trying another code."},
            status=429,
            headers={"Retry-After": str(result.wait_seconds)},
        )
    if result.device is None:
        raise serializers.ValidationError({"code": ["That code did not work."]})
    return None


class TokenView(APIView):
    """Exchange email and password (and, for care staff, a code from their authenticator app)
    for an API token for this device. It works until `expires` (API_TOKEN_DAYS after sign-in),
    or until the person changes their password or signs out everywhere."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # The cache's rate limit, counted in the database while the cache is down.
    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="Wrong email or password; for care staff, a missing or wrong code, "
                "or two-step sign-in not set up yet; or a device name that is not one line of "
                "plain text (at most 64 characters)."
            ),
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
        if access.is_care_staff(user):
            refusal = staff_second_step(request, user, data.validated_data.get("code", ""))
            if refusal is not None:
                return refusal
        issued = credentials.api_token_issue(user=user, device=data.validated_data["device"])
        return Response({"token": issued.key, "expires": issued.token.expires_at})


def _current_token(request: Request) -> ApiToken | None:
    """The device token this request signed in with, or None (a web session)."""
    return request.auth if isinstance(request.auth, ApiToken) else None


class LogoutView(APIView):
    """Sign this device out: the token of this request stops working (for a web session, the
    session ends). The person's other devices stay signed in."""

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Signed out."),
            401: OpenApiResponse(description="Not signed in."),
        },
    )
    def post(self, request: Request) -> Response:
        token = _current_token(request)
        if token is not None:
            credentials.api_token_revoke(user=request.user, token_id=token.pk)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Sign out everywhere: every API token and every web session of this person ends, this
    one included."""

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Signed out on every device."),
            401: OpenApiResponse(description="Not signed in."),
        },
    )
    def post(self, request: Request) -> Response:
        credentials.sign_out_everywhere(user=request.user)
        if _current_token(request) is None:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceTokenListView(APIView):
    """The devices signed in to the API as this person, newest first."""

    @extend_schema(
        responses={
            200: DeviceTokenSerializer(many=True),
            401: OpenApiResponse(description="Not signed in."),
        }
    )
    def get(self, request: Request) -> Response:
        tokens = selectors.api_tokens_for(user=request.user)
        current = _current_token(request)
        context = {"current_id": current.pk if current is not None else None}
        return Response(DeviceTokenSerializer(tokens, many=True, context=context).data)


class DeviceTokenView(APIView):
    """Sign one of this person's devices out."""

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="That device is signed out."),
            401: OpenApiResponse(description="Not signed in."),
            404: OpenApiResponse(description="No such token of yours."),
        },
    )
    def delete(self, request: Request, pk: int) -> Response:
        if not credentials.api_token_revoke(user=request.user, token_id=pk):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


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
            me = services.account_update(user=self._me(request), **changes.validated_data)
        except DjangoValidationError as error:
            raise as_api_error(error) from None
        if "language" in changes.validated_data:  # answer in the language just chosen
            translation.activate(translation.get_language_from_request(request._request))
            use_language_of(request._request, me)
        return Response(MeSerializer(self._me(request)).data)

    def _me(self, request: Request) -> User:
        return User.objects.select_related("patient_profile").get(pk=request.user.pk)

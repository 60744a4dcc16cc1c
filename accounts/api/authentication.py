"""API token authentication that loads what nearly every request needs in one query."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.models import User


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, with the user's patient profile joined in (or none)."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        try:
            token = Token.objects.select_related("user", "user__patient_profile").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token

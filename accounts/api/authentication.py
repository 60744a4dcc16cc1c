"""API token authentication that loads what nearly every request needs in one query."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token as LegacyToken

from accounts.models import ApiToken, User
from accounts.tokens import key_digest, token_lifetime

INVALID = "Invalid token."
ENDED = "This sign-in has ended. Please sign in again."


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` for a device token (accounts.models.ApiToken), with the
    user's patient profile joined in (or none). A token works until it expires, and only while
    the user's session auth hash is the one it was issued with (no password change or sign-out
    everywhere since)."""

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = (
            ApiToken.objects.select_related("user", "user__patient_profile")
            .filter(digest=key_digest(key))
            .first()
        ) or _from_legacy(key)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.expires_at <= timezone.now() or not _bound_to(user, token.user_hash):
            raise exceptions.AuthenticationFailed(ENDED)
        return user, token


def _bound_to(user: User, user_hash: str) -> bool:
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(user_hash, current) for current in hashes)


def _from_legacy(key: str) -> ApiToken | None:
    """A single token of the older kind (the upgrade moves them all; this catches one made
    after it, e.g. by a server not yet restarted): it becomes a device token that ends one
    lifetime after it was made, bound to the user as they are now."""
    with transaction.atomic():
        legacy = LegacyToken.objects.select_for_update().filter(key=key).first()
        if legacy is None:  # none, or a request at the same moment has just moved it
            return ApiToken.objects.select_related("user").filter(digest=key_digest(key)).first()
        token = ApiToken.objects.create(
            user=legacy.user,
            digest=key_digest(key),
            user_hash=legacy.user.get_session_auth_hash(),
            created_at=legacy.created,
            expires_at=legacy.created + token_lifetime(),
        )
        legacy.delete()
    return token

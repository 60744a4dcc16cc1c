"""Writes for sign-in credentials: API tokens per device, signing out one device, and signing
out everywhere. Keyword-only, typed, atomic; the API, the settings page and admin call these.
How sessions and tokens are bound to the user is in accounts.tokens."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.authtoken.models import Token as LegacyToken

from accounts.models import ApiToken, User
from accounts.tokens import key_digest, new_key, token_lifetime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # the only time the key exists outside the client


@transaction.atomic
def api_token_issue(*, user: User, device: str = "") -> IssuedToken:
    """A new token for one device of ``user``, who has just proved who they are."""
    now = timezone.now()
    # Tidy as we go: this user's ended tokens are of no use to anyone.
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = new_key()
    token = ApiToken.objects.create(
        user=user,
        device=device.strip(),
        digest=key_digest(key),
        user_hash=user.get_session_auth_hash(),
        created_at=now,
        expires_at=now + token_lifetime(),
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> bool:
    """End one of ``user``'s own tokens; another person's token is never touched. Whether one
    was ended."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


@transaction.atomic
def sign_out_everywhere(*, user: User) -> int:
    """End every session and every API token of ``user``, on every device. Sessions end because
    the session auth hash moves on (no session table to scan); token rows are deleted as well.
    How many tokens were ended."""
    User.objects.filter(pk=user.pk).update(sign_outs=F("sign_outs") + 1)
    user.refresh_from_db(fields=["sign_outs"])
    ended, _ = ApiToken.objects.filter(user=user).delete()
    LegacyToken.objects.filter(user=user).delete()
    # A security event worth finding later in the logs (ids only, never health data).
    logger.info("User %s signed out everywhere; %s API tokens ended", user.pk, ended)
    return ended

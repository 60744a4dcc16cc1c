"""The small pure pieces behind sign-in credentials: API token keys, their digests, lifetimes,
and the per-user hash that both web sessions and API tokens are bound to.

A session (Django's own mechanism) and an API token both stay valid only while the user's
*session auth hash* is what it was when they were made. The hash covers the password and a
counter that "sign out everywhere" moves on, so a password change on any path (the settings
page, a reset link, admin, ``changepassword``) or a sign-out everywhere ends every session and
every token at once, with no table to scan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

# Django's own salt: with the counter at 0 the hash is exactly Django's, so sessions made before
# the counter existed stay valid.
SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


def session_auth_hash(*, password: str, sign_outs: int, secret: str | None = None) -> str:
    """The HMAC a session or token is bound to; ``secret`` None means SECRET_KEY."""
    value = password if sign_outs == 0 else f"{password}\x00{sign_outs}"
    return salted_hmac(SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def new_key() -> str:
    """A fresh API token key: 256 random bits, URL-safe. Shown to the client once, never stored."""
    return secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    """What the database keeps of a key. A plain SHA-256 is enough: keys are random, not
    passwords, so there is nothing to guess from it."""
    return hashlib.sha256(key.encode()).hexdigest()


def token_lifetime() -> dt.timedelta:
    """How long an API token works after it is made (``API_TOKEN_DAYS``)."""
    return dt.timedelta(days=settings.API_TOKEN_DAYS)

"""API token authentication that loads what nearly every request needs in one query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token as LegacyToken

from accounts.models import ApiToken, User
from accounts.tokens import key_digest, token_lifetime
from lib.i18n import use_language_of

INVALID = "Invalid token."
ENDED = "This sign-in has ended. Please sign in again."


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` for a device token (accounts.models.ApiToken), with the
    user's patient profile joined in (or none). A token works until it expires, and only while
    the user's session auth hash is the one it was issued with (no password change or sign-out
    everywhere since)."""

    def authenticate(self, request: Any) -> tuple[User, ApiToken] | None:
        signed_in = super().authenticate(request)
        if signed_in is not None:
            # Django REST framework authenticates inside the view, after the middleware that
            # applies a person's language to pages: so here, for the API (no query: the user
            # row is already loaded).
            use_language_of(request._request, signed_in[0])
        return signed_in

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = _token(key_digest(key)) or _from_legacy(key)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.expires_at <= timezone.now() or not _bound_to(user, token.user_hash):
            raise exceptions.AuthenticationFailed(ENDED)
        return user, token


def _token_query(digest: str) -> QuerySet[ApiToken]:
    """The device token with this digest, its user and their patient profile (if any)."""
    return ApiToken.objects.select_related("user", "user__patient_profile").filter(digest=digest)


# The lookup's SQL is the same on every request but for the digest, and building and compiling
# its queryset cost more than running it. So on PostgreSQL each process compiles it once with a
# stand-in digest and binds the real one after (as flags.facts does), and builds the instances
# from the row the way Django's own model iterable does; the queryset above stays the one
# definition of what is read.
_STANDIN_DIGEST = "-" * 64  # a digest is hex: no token has this one


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[object, ...]
    converters: dict[int, tuple[list[Any], Any]]  # column -> (converters, expression)
    columns: slice  # the token's own columns
    attnames: list[str]
    related: list[Any]  # django's RelatedPopulator for the user and the profile


_compiled: list[_Compiled] = []


def _compile() -> _Compiled:
    compiler = _token_query(_STANDIN_DIGEST)[:1].query.get_compiler(connection.alias)
    sql, params = compiler.as_sql()
    if list(params).count(_STANDIN_DIGEST) != 1:
        raise RuntimeError("The token query no longer takes its digest as expected.")
    select, klass_info = compiler.select, compiler.klass_info
    columns = slice(klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
    return _Compiled(
        sql=sql,
        params=tuple(params),
        converters=compiler.get_converters([column[0] for column in select]),
        columns=columns,
        attnames=[column[0].target.attname for column in select[columns]],
        related=get_related_populators(klass_info, select, connection.alias),
    )


def _token(digest: str) -> ApiToken | None:
    """The device token with this digest (see ``_token_query``), or None."""
    if connection.vendor != "postgresql":
        return _token_query(digest).first()
    if not _compiled:
        _compiled.append(_compile())
    compiled = _compiled[0]
    with connection.cursor() as cursor:
        cursor.execute(
            compiled.sql,
            [digest if value == _STANDIN_DIGEST else value for value in compiled.params],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for index, (converters, expression) in compiled.converters.items():
        for converter in converters:
            row[index] = converter(row[index], expression, connection)
    token = ApiToken.from_db(connection.alias, compiled.attnames, row[compiled.columns])
    for populator in compiled.related:
        populator.populate(row, token)
    return token


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

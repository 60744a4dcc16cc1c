"""Middleware of our own: only what no installed package does as we need it."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


class AuditlogActorMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the actor read when a change is saved rather than when
    the request arrives. API requests authenticate with a token inside the view (Django REST
    framework then sets ``request.user``), so a change made through the API is attributed to
    the token's user, as a change made through a page is to the session's."""

    @staticmethod
    def _get_actor(request: HttpRequest) -> SimpleLazyObject:
        return SimpleLazyObject(lambda: AuditlogMiddleware._get_actor(request))

"""Middleware of our own: only what no installed package does as we need it."""

from __future__ import annotations

import time
from collections.abc import Callable

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect

from accounts import access
from accounts.models import User


class AuditlogActorMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the actor read when a change is saved rather than when
    the request arrives. API requests authenticate with a token inside the view (Django REST
    framework then sets ``request.user``), so a change made through the API is attributed to
    the token's user, as a change made through a page is to the session's."""

    @staticmethod
    def _get_actor(request: HttpRequest) -> SimpleLazyObject:
        return SimpleLazyObject(lambda: AuditlogMiddleware._get_actor(request))


class StaffIdleTimeoutMiddleware:
    """Coordinators' and administrators' web sessions end after STAFF_IDLE_MINUTES without a
    request: each request of theirs moves the session's end on (a sliding expiry, saved at most
    once a minute). Patients keep the fixed SESSION_COOKIE_AGE. A page's own background refresh
    (htmx polling, marked with the ``X-Background-Refresh`` header) is not a person's activity,
    so a panel left open on an unattended screen still signs out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") and _to_login(response):
            # A signed-out page refreshing itself: show the sign-in page whole, not inside it.
            return HttpResponseClientRedirect(response["Location"])
        if response.status_code >= 500:
            return response  # not activity; and the session may be unreadable (database down)
        # After the view, so that a sign-in in this request counts and a sign-out is seen.
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return response  # no web session: an API token, or nobody signed in
        user = getattr(request, "user", None)
        if user is None or not access.is_care_staff(user):
            return response
        if request.headers.get("X-Background-Refresh"):
            return response
        if time.time() - session.get(IDLE_MARK, 0) >= SAVE_EVERY_SECONDS:
            _restart_idle_clock(session)
        return response


IDLE_MARK = "staff_active_at"
SAVE_EVERY_SECONDS = 60  # so a burst of requests writes the session once, not each time


def start_staff_idle_clock(
    sender: object, request: HttpRequest, user: User, **kwargs: object
) -> None:
    """On sign-in (``user_logged_in``): a staff member's session starts on the idle clock."""
    if request is not None and hasattr(request, "session") and access.is_care_staff(user):
        _restart_idle_clock(request.session)


def _restart_idle_clock(session: SessionBase) -> None:
    session[IDLE_MARK] = int(time.time())
    session.set_expiry(settings.STAFF_IDLE_MINUTES * 60)


def _to_login(response: HttpResponse) -> bool:
    return response.status_code == 302 and response.get("Location", "").startswith(
        resolve_url(settings.LOGIN_URL)
    )

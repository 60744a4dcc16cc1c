"""Middleware of our own: only what no installed package does as we need it."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect

from accounts import access, two_step
from accounts.models import User
from lib.i18n import use_language_of


class AuditlogActorMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the actor read when a change is saved rather than when
    the request arrives. API requests authenticate with a token inside the view (Django REST
    framework then sets ``request.user``), so a change made through the API is attributed to
    the token's user, as a change made through a page is to the session's."""

    @staticmethod
    def _get_actor(request: HttpRequest) -> SimpleLazyObject:
        return SimpleLazyObject(lambda: AuditlogMiddleware._get_actor(request))


class UserLanguageMiddleware:
    """A signed-in person's chosen language wins over the browser's (LocaleMiddleware, above,
    has activated that one). API requests signed in with a token are answered in the person's
    language by the token authentication itself (accounts.api.authentication): Django REST
    framework authenticates inside the view, after every middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            use_language_of(request, user)
        return self.get_response(request)


# Views a signed-in member of staff may reach before the second step: the two-step pages
# themselves, signing out, password reset (for people not signed in) and the token endpoint
# (which checks its own credentials, code included). Everything else waits for the code.
OPEN_BEFORE_SECOND_STEP = frozenset(
    {
        "two_step_verify",
        "two_step_setup",
        "logout",
        "admin:logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "api-token",
        "healthz",
        # The installable app's files: the same for everyone, nothing about the person.
        "manifest",
        "service_worker",
        "offline",
        "favicon",
    }
)


class StaffTwoStepMiddleware:
    """The one place that holds staff to two-step sign-in (needs django-otp's OTPMiddleware
    above). A coordinator or administrator whose session has not passed the second step is sent
    to set up an authenticator app (if they have none yet) or to type a code; the API answers
    403 instead. Patients are never asked. A request authenticated by an API token carries no
    session user here, so it passes: staff tokens are issued only with a code (see the token
    endpoint)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        if not two_step.needs_second_step(request.user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_STEP:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Finish signing in first: enter the code from your "
                    "authenticator app on the sign-in page."
                },
                status=403,
            )
        has_app = two_step.authenticator_for(request.user) is not None
        url = reverse("two_step_verify" if has_app else "two_step_setup")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)  # the whole page goes, not a fragment
        return redirect(url)


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

"""When PostgreSQL is unreachable (stopped, restarting, refusing connections, out of connection
slots, or a connection cut by an administrator), every request gets a calm 503 with Retry-After:
JSON for the API, a plain page with the emergency numbers for people. Never a 500 or a traceback.

The error can arise in a view, in a template, in DRF's authentication, or in a middleware (the
session is loaded and saved there), so three doors lead here: ``DatabaseOutageMiddleware`` (the
outermost of ours: ``process_exception`` for views, and the 500 that Django made of an error raised
inside another middleware), ``api_exception_handler`` for DRF, and ``QuietOutageTracebacks``, which
keeps Django's own "Internal Server Error" traceback out of the logs for these (one line is logged
here instead). A broken connection is closed so that the next request opens a fresh one: the app
recovers by itself as soon as the database is back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

# A database restart takes seconds; clients and proxies may come back after this long.
RETRY_AFTER_SECONDS = 30
API_DETAIL = gettext_lazy(
    "The service is briefly unavailable. Nothing already saved is lost. "
    "Please try again in a minute."
)
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(error: BaseException | None) -> bool:
    """Errors that mean "the database cannot answer now", not "this request is wrong"."""
    return isinstance(error, OUTAGE_ERRORS)


def discard_broken_connections() -> None:
    """Close every open connection outside a transaction, so that the next query reconnects
    rather than reusing a socket the server has dropped (CONN_MAX_AGE keeps them otherwise)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue  # nothing open, or an atomic block above us will roll back and close
        try:
            connection.close()
        except Exception:  # a dead socket may complain; it is gone either way
            connection.connection = None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _retry_path(request: HttpRequest) -> str:
    """The page to try again, for a GET to a path on this site ("//host" would leave it)."""
    path = request.path
    if request.method != "GET" or not path.startswith("/") or path[1:2] in ("/", "\\"):
        return ""
    return path


def _page(request: HttpRequest) -> str:
    numbers = {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "CARE_TEAM_24H_LINE": settings.CARE_TEAM_24H_LINE,
    }
    try:
        return render_to_string("503.html", {**numbers, "retry_path": _retry_path(request)})
    except Exception:
        # The page must never fail in its turn: the same words, without the layout.
        logger.exception("The outage page could not be drawn")
        return format_html(
            "<!doctype html><title>{}</title><h1>{}</h1><p>{}</p>",
            _("Back in a few minutes"),
            _("We will be back in a few minutes"),
            _(
                "In an emergency, call %(emergency)s. For urgent advice, call your care team's "
                "24-hour line: %(line)s."
            )
            % {"emergency": numbers["EMERGENCY_NUMBER"], "line": numbers["CARE_TEAM_24H_LINE"]},
        )


def outage_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 for ``request`` after ``error``: logged once, connections discarded, no traceback.
    Builds the page without the database: no request context, so no context processor (the
    signed-in user, messages, the attention banner) runs; the numbers come from settings."""
    logger.warning(
        "Database unavailable; answered 503 to %s %s (%s)",
        request.method,
        request.path,
        _first_line(error),
    )
    discard_broken_connections()
    if wants_json(request):
        response: HttpResponse = JsonResponse({"detail": str(API_DETAIL)}, status=503)
    else:
        response = HttpResponse(_page(request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django logs it no more
    return response


def _note_outage(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Django is about to turn an exception into a 500 (raised in a middleware, where
    ``process_exception`` does not reach): remember it when it is a database outage."""
    error = sys.exc_info()[1]
    if request is not None and is_database_outage(error):
        request._database_outage = error  # type: ignore[attr-defined]


got_request_exception.connect(_note_outage, dispatch_uid="mbc_tracker.outage.note")


class DatabaseOutageMiddleware:
    """Outermost of the project's middleware (only the request-id one is above it, so that the
    log line carries the request's id): turns a database outage anywhere below into the 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, "_database_outage", None)
        if error is not None and response.status_code >= 500:
            return outage_response(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            return outage_response(request, exception)
        return None


def api_exception_handler(exc: Exception, context: dict) -> HttpResponse | None:
    """DRF's handler, plus the outage 503 for API views (DRF would re-raise it otherwise)."""
    # Imported here: logging configuration imports this module before the apps are ready.
    from rest_framework.views import exception_handler

    if is_database_outage(exc):
        request = context["request"]
        return outage_response(getattr(request, "_request", request), exc)
    return exception_handler(exc, context)


class QuietOutageTracebacks(logging.Filter):
    """Drops Django's "Internal Server Error" record (with its traceback) for a database outage
    that ``DatabaseOutageMiddleware`` answers with a 503 and logs in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "django.request" or not record.exc_info:
            return True
        return not is_database_outage(record.exc_info[1])

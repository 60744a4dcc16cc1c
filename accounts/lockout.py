"""What a locked-out login attempt gets back, on the web and in the API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

LOCKOUT_STATUS = 429


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, retry_after // 60)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "detail": ngettext(
                    "Too many failed sign-in attempts. Please wait %(minutes)s minute and try "
                    "again.",
                    "Too many failed sign-in attempts. Please wait %(minutes)s minutes and try "
                    "again.",
                    minutes,
                )
                % {"minutes": minutes}
            },
            status=LOCKOUT_STATUS,
        )
    else:
        response = render(
            request, "registration/lockout.html", {"minutes": minutes}, status=LOCKOUT_STATUS
        )
    response["Retry-After"] = str(retry_after)
    return response

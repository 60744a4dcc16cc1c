"""What a locked-out login attempt gets back, on the web and in the API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKOUT_STATUS = 429


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, retry_after // 60)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "detail": "Too many failed sign-in attempts. "
                f"Please wait {minutes} minutes and try again."
            },
            status=LOCKOUT_STATUS,
        )
    else:
        response = render(
            request, "registration/lockout.html", {"minutes": minutes}, status=LOCKOUT_STATUS
        )
    response["Retry-After"] = str(retry_after)
    return response

"""The patient's download pages. They work without JavaScript: asking is a plain POST, the file a
plain link. Only the patient reaches their own exports; anybody else, staff included, gets 404."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from exports import selectors, services
from exports.models import RecordExport
from lib.clock import local_time

SETTINGS_SECTION = "#record-export"


@login_required
@require_POST
def record_export_request(request: HttpRequest) -> HttpResponse:
    """ "Download your record" on the settings page."""
    user = request.user
    if not access.is_patient(user):
        raise Http404
    pending = selectors.pending_export(patient_id=user.pk)
    services.record_export_request(patient=user, requested_by=user)
    if pending is not None:
        messages.info(
            request,
            _(
                "We are already making a copy of your record. We will send you a message when "
                "it is ready."
            ),
        )
    else:
        messages.success(
            request,
            _(
                "Thank you. We are making a copy of your record. It usually takes a few minutes. "
                "We will send you a message when it is ready to download."
            ),
        )
    return redirect(reverse("settings") + SETTINGS_SECTION)


def _own_export(request: HttpRequest, pk: int) -> RecordExport:
    return get_object_or_404(selectors.own_exports(request.user), pk=pk)


@login_required
@require_GET
def record_export_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the "your record is ready" message leads: the file while it is there, or what to
    do next."""
    export = _own_export(request, pk)
    zone = selectors.patient_zone(patient_id=export.patient_id)
    state = selectors.export_state(export, zone=zone)
    return render(
        request,
        "exports/record_export.html",
        {"state": state, "keep_days": settings.RECORD_EXPORT_KEEP_DAYS},
    )


@login_required
@require_GET
def record_export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The ZIP itself, while it is ready and in date."""
    export = _own_export(request, pk)
    data = services.record_export_download(export=export, user=request.user)
    if data is None:
        raise Http404
    zone = selectors.patient_zone(patient_id=export.patient_id)
    made = local_time(export.ready_at or export.requested_at, zone)
    response = FileResponse(
        io.BytesIO(data),  # sent in blocks, with its length
        as_attachment=True,
        filename=f"mbc-tracker-record-{made:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response

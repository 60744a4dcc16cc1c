"""Patient pages for scan anxiety: support before a scan, a check-in after it, and resources.

The reminder messages (appointments.services) link here: two days before a scan to the support
page, one day after it to the check-in. Thin views: a selector loads what the patient may see,
the check-in service writes. Plain HTML forms, no JavaScript needed.

A scan that is not the signed-in patient's own (another patient's, a non-scan appointment, a
cancelled one, or none at all) gets the same kind "not found" page, so nothing is revealed.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from appointments.choices import ResourceTag
from appointments.models import Appointment
from appointments.support import selectors as support_selectors
from appointments.support import services as checkins
from appointments.support.forms import ScanCheckInForm
from lib.dates import at_time, long_date

# Shown with the answer to the check-in: at once and in full for 7 or more, linked below that.
CHECKIN_TAGS = (ResourceTag.MENTAL_HEALTH, ResourceTag.SUPPORT, ResourceTag.SCAN_ANXIETY)


def when_text(moment: dt.datetime, today: dt.date) -> str:
    """ "Tuesday 3 November at 10:30" (with the year when it is not this year)."""
    return at_time(long_date(moment.date(), today=today), moment)


def scan_name(appointment: Appointment) -> str:
    """The kind as it reads inside a sentence: "CT scan", "bone scan", "restaging visit"."""
    label = str(appointment.get_kind_display())
    if len(label) > 1 and label[1].isupper():
        return label  # an abbreviation: CT, PET, MRI
    return label[0].lower() + label[1:]


def _scan_missing(request: HttpRequest) -> HttpResponse:
    return render(request, "appointments/support_missing.html", status=404)


def _scan_context(support: support_selectors.ScanSupport, now: dt.datetime) -> dict[str, object]:
    today = support.profile.local_today(now)
    return {
        "support": support,
        "appointment": support.appointment,
        "scan_name": scan_name(support.appointment),
        "when": when_text(support.local_start, today),
        "is_past": support.appointment.starts_at <= now,
        "checkin_open": support.has_started(now),
        "scan_day": support.local_start.date(),
    }


@require_GET
@login_required
def resources_page(request: HttpRequest) -> HttpResponse:
    """Every active resource, once each, grouped by topic. For everyone who is signed in."""
    return render(
        request,
        "appointments/resources.html",
        {"sections": support_selectors.resource_sections()},
    )


@require_GET
@login_required
def support_page(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The scan-anxiety toolkit for one of the patient's scans (linked 2 days before it)."""
    support = support_selectors.scan_support_for(request.user, appointment_id)
    if support is None:
        return _scan_missing(request)
    return render(request, "appointments/support.html", _scan_context(support, timezone.now()))


@require_http_methods(["GET", "POST"])
@login_required
def checkin_page(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """ "How anxious are you feeling?" after a scan (linked the day after it).

    The answer page is the POST's own response, so support for a high score shows at once;
    sending the same form again only saves the same answer again.
    """
    support = support_selectors.scan_support_for(request.user, appointment_id)
    if support is None:
        return _scan_missing(request)
    now = timezone.now()
    context = _scan_context(support, now)
    checkin = support.checkin
    initial = {"anxiety": checkin.anxiety, "note": checkin.note} if checkin else {}
    form = ScanCheckInForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and context["checkin_open"] and form.is_valid():
        try:
            saved, created = checkins.scan_checkin_save(
                patient=request.user,
                appointment=support.appointment,
                anxiety=form.cleaned_data["anxiety"],
                note=form.cleaned_data["note"],
                now=now,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            context.update(
                saved=saved,
                created=created,
                high=checkins.is_high(saved.anxiety),
                resources=support_selectors.resources_for(CHECKIN_TAGS),
            )
            return render(request, "appointments/checkin.html", context)
    context.update(
        form=form,
        checkin=checkin,
        checkin_high=checkin is not None and checkins.is_high(checkin.anxiety),
    )
    return render(request, "appointments/checkin.html", context)

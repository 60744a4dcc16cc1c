"""The care coordinator's pages: the triage panel, a patient's record and flag triage.

Thin views: selectors read (scoped through accounts.access), services write. Every page works
with plain HTML (GET filters, POST then redirect); htmx only refreshes the panel in place.
Staff who open a patient's record, or see patients in their panel, leave a row each in the
record access log.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.choices import MetastasisSite
from accounts.decorators import care_staff_required
from accounts.models import RecordAccessKind
from care import burden, presenters, selectors
from care.forms import FlagNoteForm
from flags import services as flag_services
from flags.models import FlagLevel
from flags.selectors import flag_staff_title

RECORD_WINDOWS = (30, 90)
PANEL_PAGE_SIZE = 100


# --- Triage panel -----------------------------------------------------------------------------


@require_GET
@care_staff_required
def panel(request: HttpRequest) -> HttpResponse:
    """The coordinator's patients, most pressing first, a hundred to a page (the whole panel is
    triaged; the first page holds whoever needs a call). htmx asks for the rows alone every
    minute, with the same filters and page; without JavaScript the page has a refresh link."""
    user = request.user
    teams = account_selectors.teams_for(user)  # read at most once, and only if shown or asked for
    filters = selectors.panel_filters(
        teams=teams,
        team=request.GET.get("team"),
        site=request.GET.get("site"),
        level=request.GET.get("level"),
        search=request.GET.get("q"),
    )
    now = timezone.now()
    patients = selectors.triage_panel(user=user, filters=filters, now=now)
    page = Paginator(patients, PANEL_PAGE_SIZE).get_page(request.GET.get("page"))
    account_services.record_access(
        request=request, patient_ids=[p.pk for p in page], what=RecordAccessKind.PANEL
    )
    context = {
        "rows": presenters.panel_rows(list(page), now=now),
        "page": page,
        "total": len(patients),
        "filters": filters,
        "teams": teams,
        "sites": MetastasisSite.choices,
        "levels": FlagLevel.choices,
        "refresh_seconds": settings.CARE_PANEL_REFRESH_SECONDS,
        "refreshed_at": now,
        "query": request.GET.urlencode(),
        "filter_query": _without(request, "page"),
    }
    if request.htmx:
        return render(request, "care/_panel_table.html", context)
    return render(request, "care/panel.html", context)


# --- Patient record ---------------------------------------------------------------------------


@require_GET
@care_staff_required
def patient_record(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = selectors.record_profile(user=request.user, patient_id=patient_id, now=timezone.now())
    try:
        days = int(request.GET.get("days", RECORD_WINDOWS[0]))
    except ValueError:
        days = RECORD_WINDOWS[0]
    if days not in RECORD_WINDOWS:
        days = RECORD_WINDOWS[0]
    account_services.record_access(
        request=request, patient_ids=[patient.pk], what=RecordAccessKind.RECORD
    )
    context = presenters.record_context(patient=patient, user=request.user, days=days)
    context |= {"windows": RECORD_WINDOWS, "can_triage": access.is_coordinator(request.user)}
    return render(request, "care/record.html", context)


@require_POST
@care_staff_required
def flag_action(request: HttpRequest, patient_id: int, flag_id: int, action: str) -> HttpResponse:
    """Acknowledge or resolve one of the patient's flags, with a note, in one step. Only the
    patient's coordinators act on flags (administrators work through admin)."""
    profile = access.get_profile_or_404(request.user, patient_id)
    flag = selectors.patient_flag(patient_id=profile.pk, flag_id=flag_id)
    if flag is None:
        raise Http404("No such flag.")
    if not access.is_coordinator(request.user):
        raise PermissionDenied("Only the patient's care coordinators act on flags.")
    form = FlagNoteForm(request.POST)
    back = reverse("care:record", args=[profile.pk])
    title = flag_staff_title(flag.rule, flag.subject)  # the stored title speaks to the patient
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, f"{title}: {error}")
        return redirect(back)
    service = (
        flag_services.flag_acknowledge if action == "acknowledge" else flag_services.flag_resolve
    )
    try:
        service(flag=flag, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, f"{title}: {text}")
    else:
        done = "acknowledged" if action == "acknowledge" else "resolved"
        name = profile.user.get_full_name()
        messages.success(request, f"{title} for {name}: {done}.")
    return redirect(back)


def _without(request: HttpRequest, name: str) -> str:
    """The query string without ``name`` (for page links that keep the filters)."""
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


# --- Alert burden -----------------------------------------------------------------------------


@require_GET
@care_staff_required
def alert_burden(request: HttpRequest) -> HttpResponse:
    """Open flags, time to acknowledge urgent flags and flags per patient-week, for each of the
    caller's teams and their coordinators (every team and coordinator for administrators)."""
    now = timezone.now()
    report = burden.alert_burden(user=request.user, now=now)
    return render(request, "care/alert_burden.html", {"report": report, "now": now})

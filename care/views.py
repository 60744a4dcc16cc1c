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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.choices import MetastasisSite
from accounts.decorators import care_staff_required
from accounts.models import RecordAccessKind
from care import burden, presenters, selectors
from care.forms import FlagContactForm, FlagNoteForm, PatientDetailsForm
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
        request=request, patient_ids=[p.pk for p in page], what=RecordAccessKind.PANEL, listing=True
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
        raise Http404(_("No such flag."))
    if not access.is_coordinator(request.user):
        raise PermissionDenied(_("Only the patient's care coordinators act on flags."))
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
            messages.error(request, _("%(title)s: %(error)s") % {"title": title, "error": text})
    else:
        done = "acknowledged" if action == "acknowledge" else "resolved"
        name = profile.user.get_full_name()
        messages.success(request, f"{title} for {name}: {done}.")
    return redirect(back)


@require_POST
@care_staff_required
def flag_contact(request: HttpRequest, patient_id: int, flag_id: int) -> HttpResponse:
    """Record a call attempt about one of the patient's flags in one step (outcome and an
    optional note), then back to the flag. The first attempt acknowledges an open flag."""
    profile = access.get_profile_or_404(request.user, patient_id)
    flag = selectors.patient_flag(patient_id=profile.pk, flag_id=flag_id)
    if flag is None:
        raise Http404(_("No such flag."))
    if not access.is_coordinator(request.user):
        raise PermissionDenied(_("Only the patient's care coordinators record calls."))
    account_services.record_access(
        request=request, patient_ids=[profile.pk], what=RecordAccessKind.FLAGS
    )
    form = FlagContactForm(request.POST)
    title = flag_staff_title(flag.rule, flag.subject)  # the stored title speaks to the patient
    back = reverse("care:record", args=[profile.pk]) + f"#flag-{flag.pk}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{title}: {error}")
        return redirect(back)
    try:
        contact = flag_services.flag_contact_record(
            flag=flag,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, _("%(title)s: %(error)s") % {"title": title, "error": text})
    else:
        name = profile.user.get_full_name()
        outcome = contact.get_outcome_display().lower()
        messages.success(
            request,
            _("Call about %(title)s for %(name)s recorded: %(outcome)s.")
            % {"title": title, "name": name, "outcome": outcome},
        )
    return redirect(back)


# --- Edit the patient's details -----------------------------------------------------------------

TZ_SEARCH_MAX = 60


@require_http_methods(["GET", "POST"])
@care_staff_required
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's details as their care team records them: contact, sites, zone, restaging
    interval, tumour biology, treatment and identity. The same service as admin saves them
    (reminders re-planned, flags evaluated again after commit); all or nothing. ``?tz=auck``
    searches the time zones without JavaScript, as on the settings page."""
    profile = access.get_profile_or_404(request.user, patient_id)
    account_services.record_access(
        request=request, patient_ids=[profile.pk], what=RecordAccessKind.RECORD
    )
    initial = {name: getattr(profile, name) for name in account_services.PATIENT_DETAILS_FIELDS}
    initial |= {"name": profile.user.name, "phone": str(profile.phone or "")}
    search = " ".join(request.GET.get("tz", "").split())[:TZ_SEARCH_MAX]
    form = PatientDetailsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        current_zone=profile.timezone,
        search=search,
    )
    who = profile.display_name
    if request.method == "POST" and form.is_valid():
        try:
            account_services.patient_details_update(profile=profile, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"{who}'s details are saved.")
            return redirect("care:record", patient_id=profile.pk)
    context = {"form": form, "profile": profile, "patient": profile.user, "who": who}
    return render(request, "care/patient_edit.html", context)


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


@require_GET
@care_staff_required
def burden_flags(request: HttpRequest) -> HttpResponse:
    """The flags behind one alert-burden figure, for one of the caller's teams or one of their
    teams' coordinators; anything outside what the caller's report shows is 404."""
    now = timezone.now()
    found = burden.flags_behind(
        user=request.user,
        now=now,
        figure=request.GET.get("figure", ""),
        team_id=request.GET.get("team"),
        coordinator_id=request.GET.get("coordinator"),
    )
    if found is None:
        raise Http404(_("No such figure."))
    whose, what, flags = found
    account_services.record_access(  # the list names patients, as the panel does
        request=request,
        patient_ids=sorted({flag.patient_id for flag in flags}),
        what=RecordAccessKind.PANEL,
        listing=True,
    )
    context = {"whose": whose, "what": what, "flags": flags, "now": now}
    return render(request, "care/burden_flags.html", context)

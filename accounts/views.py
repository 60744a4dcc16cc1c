"""Account pages: home per role and personal settings. Thin: forms validate, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts import access, selectors, services
from accounts.forms import AccountForm, PatientSettingsForm
from accounts.models import PatientProfile
from appointments import selectors as appointment_selectors
from symptoms import reminders as log_reminders
from symptoms import selectors as symptom_selectors


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and the benchmarks: no database, no session."""
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if access.is_patient(user):
        profile = selectors.patient_profile_for(user)
        today_logged = False
        if profile is not None:
            today = profile.local_today()
            today_logged = today in symptom_selectors.logged_days(
                patient=user, date_from=today, date_to=today
            )
        return render(
            request,
            "accounts/home_patient.html",
            {"profile": profile, "today_logged": today_logged},
        )
    if access.is_coordinator(user):
        teams = list(selectors.teams_for(user))
        team_id = _int_or_none(request.GET.get("team"))
        if team_id not in {team.pk for team in teams}:
            team_id = None
        search = request.GET.get("q", "").strip()[:100]
        panel = selectors.patient_panel(user=user, team_id=team_id, search=search)
        return render(
            request,
            "accounts/home_coordinator.html",
            {"panel": panel, "teams": teams, "team_id": team_id, "search": search},
        )
    return render(request, "accounts/home_admin.html")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = selectors.patient_profile_for(user)
    if profile is not None:
        initial = {
            "name": user.name,
            "preferred_name": profile.preferred_name,
            "sites": profile.sites,
            "timezone": profile.timezone,
            "log_reminder_time": profile.log_reminder_time,
        }
        form_class: type[PatientSettingsForm] | type[AccountForm] = PatientSettingsForm
    else:
        initial = {"name": user.name}
        form_class = AccountForm

    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(user=user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if profile is not None:  # their reminder time or time zone may have changed
                log_reminders.patient_reminders_replan(profile=user.patient_profile)
            messages.success(request, "Your settings are saved.")
            return redirect("settings")
    context = {
        "form": form,
        "profile": profile,
        "calendar": _calendar_feed(request, profile) if profile is not None else None,
    }
    return render(request, "accounts/settings.html", context)


def _calendar_feed(request: HttpRequest, profile: PatientProfile) -> dict[str, str]:
    """The patient's calendar feed address, to copy into a phone's calendar, and the same
    address as a webcal:// link that calendar apps open directly."""
    feed = appointment_selectors.feed_for(profile.user)
    url = request.build_absolute_uri(reverse("api-calendar-feed", kwargs={"token": feed.token}))
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None

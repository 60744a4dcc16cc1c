"""The pages that compose several apps: each role's home page and the personal settings page.
Thin: forms validate, services write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import access, credentials, selectors, services, sessions
from accounts.forms import AccountForm, PatientSettingsForm
from accounts.models import PatientProfile
from appointments import selectors as appointment_selectors
from care import views as care_views
from exports import selectors as export_selectors
from flags.models import FlagLevel
from flags.selectors import open_flags_for
from lib.dates import last_seen, long_date
from notifications import views as notification_views
from symptoms import selectors as symptom_selectors
from symptoms.views import entered_by_text


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
    if access.is_carer(user):
        return _carer_home(request)
    if access.is_coordinator(user):
        return care_views.panel(request)  # a coordinator's home is their triage panel
    return render(request, "accounts/home_admin.html")


def _carer_home(request: HttpRequest) -> HttpResponse:
    """A carer's home: whom they help, today's log, a way in per right, and the latest urgent
    advice. Once the patient has ended the link, a calm page that says so, and nothing else."""
    link = access.carer_link(request.user)
    profile = getattr(link.patient, "patient_profile", None) if link is not None else None
    if link is None or profile is None:
        return render(request, "accounts/home_carer.html", {"ended": True})
    rights = set(access.carer_rights(link))
    today = profile.local_today()
    today_log = None
    if rights & {"log", "record"}:
        today_log = symptom_selectors.log_on(patient=profile.user, date=today)
    urgent_advice = None
    if rights & {"log", "record"}:  # whoever logs or looks must see urgent advice too
        urgent_advice = next(
            (
                flag
                for flag in open_flags_for(patient=profile.user)
                if flag.level == FlagLevel.URGENT
            ),
            None,
        )
    context = {
        "ended": False,
        "patient_name": profile.display_name,
        "rights": rights,
        "today_logged": today_log is not None,
        "entered_by_text": entered_by_text(today_log, profile, request.user) if today_log else "",
        "urgent_advice": urgent_advice,
    }
    return render(request, "accounts/home_carer.html", context)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = selectors.patient_profile_for(user)
    form_kwargs: dict[str, object] = {}
    if profile is not None:
        initial = {
            "name": user.name,
            "preferred_name": profile.preferred_name,
            "phone": str(profile.phone or ""),
            "call_time": profile.call_time,
            "sites": profile.sites,
            "timezone": profile.timezone,
            "log_reminder_time": profile.log_reminder_time,
        }
        form_class: type[PatientSettingsForm] | type[AccountForm] = PatientSettingsForm
        # ?tz=auck: the time-zone search, without JavaScript (a GET form on the page).
        search = " ".join(request.GET.get("tz", "").split())[:TZ_SEARCH_MAX]
        form_kwargs = {"current_zone": profile.timezone, "search": search}
    else:
        initial = {"name": user.name}
        form_class = AccountForm

    form = form_class(request.POST or None, initial=initial, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(user=user, **form.cleaned_data)  # re-plans after commit
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("settings")
    context = {
        "form": form,
        "profile": profile,
        "calendar": _calendar_feed(request, profile) if profile is not None else None,
        "viewers": _record_viewers(profile) if profile is not None else None,
        "viewers_days": VIEWERS_DAYS,
        # The patient's download of their whole record: where the latest one stands.
        "record_export": export_selectors.latest_export_state(user, zone=profile.timezone)
        if profile is not None
        else None,
        "keep_days": django_settings.RECORD_EXPORT_KEEP_DAYS,
        "signed_in_until": _signed_in_until(request, profile) if profile is not None else None,
        "push": notification_views.push_section(user),
    }
    return render(request, "accounts/settings.html", context)


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session and app sign-in of this person, this browser's session included (the
    page says so before the button is pressed)."""
    credentials.sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(
        request,
        _(
            "You are signed out on all your devices: on every phone and computer and in the "
            "app, and here too. Sign in again to carry on."
        ),
    )
    return sessions.clear_this_browser(redirect("login"))


TZ_SEARCH_MAX = 60
VIEWERS_DAYS = 90  # how far back a patient's settings page shows who looked at their record


@dataclass(frozen=True)
class ViewerLine:
    """One line of "Who has looked at your record", in plain words."""

    who: str  # "Ann Nurse (care coordinator)"
    what: str  # "Opened your record"
    when: str  # "3 times, last on Tuesday 2 December at 14:03"


def _record_viewers(profile: PatientProfile) -> list[ViewerLine]:
    """Who from the care team looked at this patient's own record, in their time zone."""
    zone = profile.zone
    today = profile.local_today()
    return [
        ViewerLine(
            who=viewer.who,
            what=viewer.what_label,
            when=_times_words(viewer.times, viewer.last_at.astimezone(zone), today),
        )
        for viewer in selectors.record_viewers(patient_id=profile.pk, days=VIEWERS_DAYS)
    ]


def _times_words(times: int, last: dt.datetime, today: dt.date) -> str:
    """ "once, today at 09:15" or "3 times, last on Tuesday 2 December at 14:03"."""
    moment = last_seen(last, today)
    if times == 1:
        return _("once, %(moment)s") % {"moment": moment}
    if times == 2:
        return _("twice, last %(moment)s") % {"moment": moment}
    return ngettext(
        "%(count)s time, last %(moment)s", "%(count)s times, last %(moment)s", times
    ) % {"count": times, "moment": moment}


def _signed_in_until(request: HttpRequest, profile: PatientProfile) -> str | None:
    """ "Tuesday 6 January": the last day of a "Keep me signed in" session, where they live."""
    until = sessions.remembered_until(request)
    if until is None:
        return None
    return long_date(until.astimezone(profile.zone).date(), today=profile.local_today())


def _calendar_feed(request: HttpRequest, profile: PatientProfile) -> dict[str, str]:
    """The patient's calendar feed address, to copy into a phone's calendar, and the same
    address as a webcal:// link that calendar apps open directly."""
    feed = appointment_selectors.feed_for(profile.user)
    url = request.build_absolute_uri(reverse("api-calendar-feed", kwargs={"token": feed.token}))
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}

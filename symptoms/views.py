"""Patient pages: log how you feel today (or a recent day) and see your history.

Thin views: forms check the shape of answers, services write, selectors read. Every page works
with plain HTML forms (POST, then redirect) and shows only the signed-in patient's own logs:
no URL here carries a patient id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import View, patient_required
from accounts.models import PatientProfile, RecordAccessKind, User
from accounts.services import record_access
from flags import facts, urgent
from lib.clock import local_time
from lib.dates import capitalised, clock_time, day_name, is_relative, long_date, short_date
from symptoms import questions, selectors, services, trends
from symptoms.catalogue import get_catalogue
from symptoms.forms import (
    DailyLogForm,
    QuestionForm,
    below_pattern,
    initial_from_answers,
    initial_from_log,
)
from symptoms.models import TEMPERATURE_MAX, TEMPERATURE_MIN, DailyLog

STRIP_DAYS = 14
HISTORY_WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30


# --- Log ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StripDay:
    day: dt.date
    logged: bool
    current: bool
    url: str


def _log_url(day: dt.date, today: dt.date) -> str:
    if day == today:
        return reverse("log")
    return reverse("log_day", kwargs={"day": day})


def _day_title(day: dt.date, today: dt.date) -> str:
    """ "Today, Wednesday 25 November", "Yesterday, …", or the date in words."""
    words = long_date(day, today=today)
    if day <= today and is_relative(day, today):
        return _("%(day)s, %(date)s") % {"day": capitalised(day_name(day, today)), "date": words}
    return words


def _in_range(day: dt.date, today: dt.date) -> bool:
    earliest, latest = services.allowed_dates(today=today)
    return earliest <= day <= latest


def _out_of_range(request: HttpRequest, day: dt.date, today: dt.date) -> HttpResponse:
    """A kind page (404) for a day in the future or more than 30 days back."""
    earliest, _ = services.allowed_dates(today=today)
    context = {
        "day": day,
        "future": day > today,
        "earliest": earliest,
        "max_days_back": services.MAX_DAYS_BACK,
    }
    return render(request, "symptoms/log_out_of_range.html", context, status=404)


def _entries_text(log: DailyLog, *, copyable_only: bool = False) -> str:
    """ "Tiredness 3, Seizure (fit): yes, Temperature 37.8 °C" — or "" when nothing was noted.
    With ``copyable_only``, just what "Same as yesterday" would carry over."""
    symptoms = get_catalogue().symptoms
    order = {code: index for index, code in enumerate(symptoms)}
    entries = [
        entry
        for entry in log.entries.all()
        if not copyable_only or services.is_copyable(entry.symptom_id)
    ]
    parts = []
    for entry in sorted(entries, key=lambda entry: order.get(entry.symptom_id, 0)):
        symptom = symptoms.get(entry.symptom_id)
        name = symptom.name if symptom else entry.symptom_id
        if entry.severity is not None:
            if entry.severity:
                parts.append(f"{name} {entry.severity}")
        elif entry.present is not None:
            if entry.present:
                parts.append(_("%(name)s: yes") % {"name": name})
        elif entry.temperature is not None:
            parts.append(f"{name} {number_format(entry.temperature, 1)} °C")
    return ", ".join(parts)


def entered_by_text(log: DailyLog, profile: PatientProfile, viewer: User) -> str:
    """ "Entered by Bob, your carer, at 14:02." when someone other than the patient saved the
    log (their carer), in the patient's time; "" for the patient's own logs."""
    who = selectors.entered_by_someone_else(log)
    if who is None:
        return ""
    at = clock_time(local_time(log.updated_at, profile.zone))
    if who.pk == viewer.pk:
        return _("You entered this at %(time)s.") % {"time": at}
    if viewer.pk == profile.pk:
        return _("Entered by %(name)s, your carer, at %(time)s.") % {
            "name": who.get_short_name(),
            "time": at,
        }
    return _("Entered by %(name)s, a carer, at %(time)s.") % {
        "name": who.get_short_name(),
        "time": at,
    }


def _is_blank(log: DailyLog | None) -> bool:
    """No log yet, or a saved "nothing to report" day without notes: safe to fill in one tap."""
    return log is None or (not log.notes and not _entries_text(log))


def _saved_words(day: dt.date, today: dt.date, what: str) -> str:
    """ "Thank you — today is saved.": whole sentences per case, so each language can word them."""
    offset = (today - day).days
    if what == "updated":
        if offset == 0:
            return _("Thank you — your answers for today are updated.")
        if offset == 1:
            return _("Thank you — your answers for yesterday are updated.")
        return _("Thank you — your answers for %(date)s are updated.") % {
            "date": long_date(day, today=today)
        }
    if what == "usual":
        if offset == 0:
            return _("Thank you — today is saved as a usual day.")
        if offset == 1:
            return _("Thank you — yesterday is saved as a usual day.")
        return _("Thank you — %(date)s is saved as a usual day.") % {
            "date": long_date(day, today=today)
        }
    if offset == 0:
        return _("Thank you — today is saved.")
    if offset == 1:
        return _("Thank you — yesterday is saved.")
    return _("Thank you — %(date)s is saved.") % {"date": long_date(day, today=today)}


def _saved(
    request: HttpRequest,
    log: DailyLog,
    created: bool,
    today: dt.date,
    *,
    usual: bool = False,
    profile: PatientProfile,
) -> HttpResponse:
    """Thank the patient, say what to do next, and go back to the day's page (PRG)."""
    text = _saved_words(
        log.date, today, "updated" if not created else "usual" if usual else "saved"
    )
    # The pure rules, in the request: urgent advice never waits for a worker or the broker. The
    # attention state at the top of every page shows it until the worker has stored it.
    found = urgent.after_save(profile)
    urgent.remember(request.session, found.advice, now=timezone.now())
    if found.advice:
        text += " " + _("Please follow the advice at the top of this page.")
    elif found.anything_raised:
        text += " " + _(
            "Your care team will see what you told us. If you feel worse, call the 24-hour line."
        )
    elif log.date == today:
        text += " " + _(
            "There is nothing else to do today. If something changes, come back and update it."
        )
    messages.success(request, text)
    return redirect(_log_url(log.date, today))


def _offline_data(
    request: HttpRequest,
    profile: PatientProfile,
    *,
    day: dt.date,
    today: dt.date,
    groups: list[selectors.SiteGroup],
    fever_from: Decimal,
) -> dict[str, object]:
    """What the page needs to keep a log on the phone with no network and to say at once what
    to do (static/js/offline-log.js): the day, each symptom's kind and red-flag level, the fever
    line in force and where the log is sent. The page is cached, so this is read offline."""
    return {
        "date": day.isoformat(),
        "is_today": day == today,
        "time_zone": profile.timezone,
        "user": request.user.pk,
        "api": reverse("api-logs"),
        "fever_from": float(fever_from),
        "temperature_min": float(TEMPERATURE_MIN),
        "temperature_max": float(TEMPERATURE_MAX),
        "symptoms": {
            symptom.code: {"name": symptom.name, "kind": symptom.kind, "red_flag": symptom.red_flag}
            for group in groups
            for symptom in group.symptoms
        },
        "emergency_rules": sorted(urgent.EMERGENCY_RULES),
        "emergency_number": settings.EMERGENCY_NUMBER,
        "care_line": settings.CARE_TEAM_24H_LINE,
        "locale": BROWSER_LOCALES.get(get_language() or "", get_language()),
        "decimal": get_format("DECIMAL_SEPARATOR"),
        "texts": script_texts(),
    }


# The browser's locale for dates written by the scripts (British English, like the pages).
BROWSER_LOCALES = {"en": "en-GB"}


def script_texts() -> dict[str, str]:
    """What static/js/log.js and offline-log.js say, in the page's language (the page is kept
    for offline use, so the words travel with it). ``{name}``-style gaps are filled in there."""
    name = {"name": "{name}"}
    return {
        "finder_some": _("Showing what matches “%(query)s”.") % {"query": "{query}"},
        "finder_none": _("Nothing matches “%(query)s”. Try another word, or write it in the notes.")
        % {"query": "{query}"},
        "call_number_now": _("Call %(number)s now") % {"number": "{number}"},
        "emergency_heading": _("Call %(number)s or go to the emergency department now")
        % {"number": "{number}"},
        "call_now_heading": _("Call your care team's 24-hour line now on %(number)s")
        % {"number": "{number}"},
        "kept_heading": _("Saved on this phone"),
        "kept_words": _("Saved on this phone. It will be sent when you are online."),
        "sent_heading": _("Sent"),
        "sent_words": _("The log you saved on this phone is sent to your care team."),
        "rejected_heading": _("A log on this phone could not be saved"),
        "rejected_words": _("Please log it again in the form below."),
        "problem_heading": _("Nothing is saved yet"),
        "choose_score": _(
            "%(name)s: please choose how bad it was, from 1 to 10, or tap "
            "“%(name)s” again to take it off."
        )
        % name,
        "bad_number": _("%(name)s: please type a number, for example 37.2 or 37,2.") % name,
        "out_of_range": _(
            "%(name)s: please check the number. It should be between %(min)s and %(max)s °C."
        )
        % {"name": "{name}", "min": "{min}", "max": "{max}"},
        "fever": _(
            "%(name)s %(value)s °C: a high temperature during treatment needs checking "
            "straight away."
        )
        % {"name": "{name}", "value": "{value}"},
        "told_us": _("You told us: %(name)s.") % name,
        "the_day": _("The day: %(days)s.") % {"days": "{days}"},
        "not_kept": _(
            "This phone could not keep your answers. Please try again when you are online."
        ),
        "offline_button": _(
            "You are offline, so this button cannot work just now. Choose your answers in the "
            "form below and press Save: they will be kept on this phone."
        ),
    }


DRAFT_SESSION_KEY = "log_draft"


def _keep_draft(request: HttpRequest, day: dt.date, today: dt.date) -> HttpResponse:
    """ "Find" without JavaScript: keep the unsaved answers in the session (never in the URL:
    they are health data) and show the page again filtered, as a plain GET ?q=… (PRG)."""
    answers = {
        name: values
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "find", "q")
    }
    request.session[DRAFT_SESSION_KEY] = {"day": day.isoformat(), "answers": answers}
    query = "" if request.POST["find"] == "all" else " ".join(request.POST.get("q", "").split())
    url = _log_url(day, today)
    return redirect(f"{url}?{urlencode({'q': query})}#finder" if query else f"{url}#finder")


def _take_draft(request: HttpRequest, day: dt.date) -> dict[str, object] | None:
    draft = request.session.pop(DRAFT_SESSION_KEY, None)
    if not draft or draft.get("day") != day.isoformat():
        return None
    return initial_from_answers(draft.get("answers", {}))


@patient_required(right="log")
def log_page(
    request: HttpRequest, profile: PatientProfile, day: dt.date | None = None
) -> HttpResponse:
    """The day's page: quick actions at the top, then "What's bothering you?": a temperature
    box, a finder, and every symptom as a choice (own sites first), asked about once chosen."""
    today = profile.local_today()
    day = day or today
    if not _in_range(day, today):
        return _out_of_range(request, day, today)
    if request.method == "POST" and "find" in request.POST:
        return _keep_draft(request, day, today)
    patient = profile.user  # a carer logs on their patient's behalf
    strip_start = today - dt.timedelta(days=STRIP_DAYS - 1)
    previous_day = day - dt.timedelta(days=1)
    logs = {
        log.date: log
        for log in selectors.logs_for(patient=patient, date_from=previous_day, date_to=day)
    }
    log, previous = logs.get(day), logs.get(previous_day)
    logged = selectors.logged_days(patient=patient, date_from=strip_start, date_to=today)

    groups = selectors.symptom_groups(patient_sites=profile.sites)
    thresholds = facts.thresholds()
    data = request.POST if request.method == "POST" else None
    draft = _take_draft(request, day) if data is None else None
    form = DailyLogForm(
        data,
        groups=groups,
        initial=draft if draft is not None else initial_from_log(log),
        severe_from=thresholds.severe,
        distress_from=thresholds.distress_level,
        distress_codes=facts.distress_symptoms(),
    )
    if request.method == "POST" and form.is_valid():
        entries = form.entries()
        try:
            saved, created = services.daily_log_save(
                patient=patient,
                date=day,
                entries=entries,
                notes=form.cleaned_data["notes"],
                entered_by=request.user,
            )
        except services.LogInputError as error:
            form.add_service_error(error, entries)
        else:
            return _saved(request, saved, created, today, profile=profile)

    has_errors = bool(form.errors)
    strip = [
        StripDay(d, d in logged, d == day, _log_url(d, today))
        for d in (strip_start + dt.timedelta(days=offset) for offset in range(STRIP_DAYS))
    ]
    earliest, _ = services.allowed_dates(today=today)
    blank = _is_blank(log)
    context = {
        "day": day,
        "today": today,
        "is_today": day == today,
        "title": _day_title(day, today),
        "log": log,
        "log_text": _entries_text(log) if log else "",
        # Never a "saved" card beside answers that need another look, nor a one-tap save that
        # would throw away what was typed.
        "show_saved": log is not None and not has_errors and draft is None,
        "show_usual": log is None and not has_errors and draft is None,
        "show_same": blank and previous is not None and not has_errors and draft is None,
        "previous_text": _entries_text(previous, copyable_only=True) if previous else "",
        "previous_had_red_flag": bool(previous)
        and _entries_text(previous) != _entries_text(previous, copyable_only=True),
        "previous_name": day_name(previous_day, today),
        "form": form,
        "layout": form.layout(request.GET.get("q", "")),
        "fever_from": thresholds.fever_celsius,
        "below_fever": below_pattern(thresholds.fever_celsius),
        "strip": strip,
        "earliest": earliest,
        "offline_data": _offline_data(
            request,
            profile,
            day=day,
            today=today,
            groups=groups,
            fever_from=thresholds.fever_celsius,
        ),
    }
    if request.method == "GET":
        record_access(request=request, patient_ids=[profile.pk], what=RecordAccessKind.LOG)
    context["entered_by_text"] = entered_by_text(log, profile, request.user) if log else ""
    return render(request, "symptoms/log.html", context)


def quick_action(view: View) -> View:
    """A one-tap POST for one day: only for days in range, and never over answers already given
    (a stale page, a double tap). The view gets the day's local "today" as well."""

    @require_POST
    @patient_required(right="log")
    @wraps(view)
    def wrapper(request: HttpRequest, profile: PatientProfile, day: dt.date) -> HttpResponse:
        today = profile.local_today()
        if not _in_range(day, today):
            return _out_of_range(request, day, today)
        if not _is_blank(selectors.log_on(patient=profile.user, date=day)):
            return _keep_answers(request, day, today)
        return view(request, profile, day, today)

    return wrapper


@quick_action
def log_usual(
    request: HttpRequest, profile: PatientProfile, day: dt.date, today: dt.date
) -> HttpResponse:
    """ "I feel as usual": save the day with nothing to report, in one tap."""
    log, created = services.daily_log_save(
        patient=profile.user, date=day, entries=[], notes="", entered_by=request.user
    )
    return _saved(request, log, created, today, usual=True, profile=profile)


@quick_action
def log_same(
    request: HttpRequest, profile: PatientProfile, day: dt.date, today: dt.date
) -> HttpResponse:
    """ "Same as yesterday": copy the day before's answers."""
    try:
        log, created = services.daily_log_copy_previous(
            patient=profile.user, date=day, entered_by=request.user
        )
    except services.LogInputError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(_log_url(day, today))
    return _saved(request, log, created, today, profile=profile)


def _keep_answers(request: HttpRequest, day: dt.date, today: dt.date) -> HttpResponse:
    """A quick action never overwrites answers already given (a stale page, a double tap)."""
    messages.info(
        request,
        _(
            "You already saved answers for %(day)s, so we kept them. "
            "You can change them in the form below."
        )
        % {"day": day_name(day, today)},
    )
    return redirect(_log_url(day, today))


@require_GET
@patient_required(right="log")
def log_pick(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    """The "another day" date box (a GET form): go to that day's page, or say which days work."""
    today = profile.local_today()
    earliest, latest = services.allowed_dates(today=today)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        messages.error(request, _("Please choose a date, for example from the calendar."))
        return redirect("log")
    if not earliest <= day <= latest:
        messages.error(
            request,
            _(
                "You can log today and up to %(days)d days back, from %(date)s. "
                "Please choose a day in that time."
            )
            % {"days": services.MAX_DAYS_BACK, "date": long_date(earliest)},
        )
        return redirect("log")
    return redirect(_log_url(day, today))


# --- History --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date | None  # None pads the first week so weekdays line up
    logged: bool = False
    url: str = ""
    show_month: bool = False


def _calendar(days: list[dt.date], logged: set[dt.date], today: dt.date) -> list[CalendarDay]:
    earliest, _ = services.allowed_dates(today=today)
    padding = [CalendarDay(None)] * days[0].weekday() if days else []
    return padding + [
        CalendarDay(
            day,
            logged=day in logged,
            url=_log_url(day, today) if day >= earliest else "",
            show_month=index == 0 or day.day == 1,
        )
        for index, day in enumerate(days)
    ]


def _entered_by_lines(
    entered: dict[dt.date, User], profile: PatientProfile, viewer: User
) -> list[str]:
    """ "Entered by Bob, your carer: 3 Dec, 5 Dec." for each person who entered days here."""
    days_by: dict[int, list[dt.date]] = {}
    people: dict[int, User] = {}
    for day, who in sorted(entered.items()):
        days_by.setdefault(who.pk, []).append(day)
        people[who.pk] = who
    lines = []
    for pk, days in days_by.items():
        words = ", ".join(short_date(day) for day in days)
        if pk == viewer.pk:
            lines.append(_("Entered by you: %(days)s.") % {"days": words})
        elif viewer.pk == profile.pk:
            lines.append(
                _("Entered by %(name)s, your carer: %(days)s.")
                % {"name": people[pk].get_short_name(), "days": words}
            )
        else:
            lines.append(
                _("Entered by %(name)s, a carer: %(days)s.")
                % {"name": people[pk].get_short_name(), "days": words}
            )
    return lines


@require_GET
@patient_required(right="record")
def history_page(request: HttpRequest, profile: PatientProfile) -> HttpResponse:
    """Trends per symptom, grouped by site, for the last 7, 30 or 90 days."""
    try:
        days = int(request.GET.get("days", DEFAULT_WINDOW))
    except ValueError:
        days = DEFAULT_WINDOW
    if days not in HISTORY_WINDOWS:
        days = DEFAULT_WINDOW
    today = profile.local_today()
    window = selectors.history(patient=profile.user, today=today, days=days)
    record_access(request=request, patient_ids=[profile.pk], what=RecordAccessKind.HISTORY)
    groups, quiet_sites = trends.trend_groups(
        window, set(profile.sites), fever_line=float(facts.thresholds().fever_celsius)
    )
    context = {
        "days": days,
        "windows": HISTORY_WINDOWS,
        "today": today,
        "first_day": window.days[0],
        "logged_count": len(window.logged),
        "groups": groups,
        "quiet_text": trends.quiet_text(quiet_sites, days),
        "calendar": _calendar(window.days, window.logged, today),
        "entered_by_lines": _entered_by_lines(window.entered_by_others, profile, request.user),
        "calendar_open": days <= DEFAULT_WINDOW,
    }
    return render(request, "symptoms/history.html", context)


# --- Questions for the care team (the list itself is on flags' "raise with your team" page) --


@patient_required(right="log")
def question_edit(request: HttpRequest, profile: PatientProfile, pk: int) -> HttpResponse:
    """Change the words of one of the patient's own questions (anyone else's: 404)."""
    question = questions.own_question(patient=profile.user, question_id=pk)
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            questions.question_edit(
                patient=profile.user, question_id=pk, text=form.cleaned_data["text"]
            )
            messages.success(request, _("Your question is changed."))
            return redirect(reverse("raise_with_team") + "#your-questions")
        status = 400
    else:
        form = QuestionForm(initial={"text": question.text})
        status = 200
    context = {"question": question, "form": form}
    return render(request, "symptoms/question_edit.html", context, status=status)


@require_POST
@patient_required(right="log")
def question_done(request: HttpRequest, profile: PatientProfile, pk: int) -> HttpResponse:
    """Tick a question off (asked, or no longer needed), or put it back on the list."""
    done = request.POST.get("done") != "no"
    questions.question_set_done(patient=profile.user, question_id=pk, done=done)
    messages.success(request, _("Ticked off.") if done else _("The question is back on your list."))
    return redirect(reverse("raise_with_team") + "#your-questions")


@require_POST
@patient_required(right="log")
def question_delete(request: HttpRequest, profile: PatientProfile, pk: int) -> HttpResponse:
    questions.question_delete(patient=profile.user, question_id=pk)
    messages.success(request, _("The question is deleted."))
    return redirect(reverse("raise_with_team") + "#your-questions")

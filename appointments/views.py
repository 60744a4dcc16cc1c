"""Appointment pages: the list, booking, one appointment with its reminders, rescheduling and
cancelling; and making a new calendar feed address.

Thin views: the form checks answers, services write, selectors read (scoped to the caller by
accounts.access, so another patient's appointment is a 404). Plain HTML forms, POST then
redirect; nothing needs JavaScript. Times are shown, and typed, in the patient's own time zone.
Care staff's looks at appointments are noted in the record access log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.decorators import patient_or_care_staff_required
from accounts.models import PatientProfile, RecordAccessKind
from accounts.services import record_access
from appointments import selectors, services
from appointments.forms import AppointmentForm
from appointments.models import Appointment, AppointmentStatus
from lib.clock import later_by, local_time
from lib.dates import at_time, capitalised, clock_time, dated, day_name, duration_text
from notifications.models import Kind, Notification, Status

PAST_SHOWN = 20  # the most recent past appointments on the list page


# --- Wording ------------------------------------------------------------------------------------


def when_text(moment: dt.datetime, zone: ZoneInfo, now: dt.datetime) -> str:
    """ "Today at 10:30", "Tomorrow at …", "Tuesday 14 July at 10:30", in ``zone``."""
    local = local_time(moment, zone)
    today = now.astimezone(zone).date()
    return at_time(capitalised(day_name(local.date(), today)), local)


def zone_name(zone: str) -> str:
    return zone.replace("_", " ")


def kind_label(appointment: Appointment) -> str:
    return str(appointment.get_kind_display())


# What each reminder is, by its kind; "before" reminders also say how long before.
_REMINDER_WHAT = {
    Kind.APPOINTMENT_REMINDER: gettext_lazy("A reminder of when and where"),
    Kind.SCAN_ANXIETY: gettext_lazy(
        "Some support for the wait: a breathing exercise, ideas that help, and who to talk to"
    ),
    Kind.VISIT_PREP: gettext_lazy("Your visit summary and questions, ready to look at"),
    Kind.POST_SCAN_CHECKIN: gettext_lazy("A gentle check-in while you wait for results"),
}
# The same, as staff read them: about the patient.
_REMINDER_WHAT_STAFF = _REMINDER_WHAT | {
    Kind.VISIT_PREP: gettext_lazy("Their visit summary and questions, ready to look at"),
    Kind.POST_SCAN_CHECKIN: gettext_lazy("A gentle check-in while they wait for results"),
}
# A scan's reminder a week before says more (the same sentence, whole, for translating).
_SCAN_WEEK_BEFORE = gettext_lazy(
    "A reminder of when and where, how to get ready, and a nudge to ask when results will come"
)


def _days_apart_text(days: int) -> str:
    if days == -7:
        return _("A week before")
    if days == -1:
        return _("The day before")
    if days == 1:
        return _("The day after")
    if days < 0:
        return _("%(count)d days before") % {"count": -days}
    return _("%(count)d days after") % {"count": days}


@dataclass(frozen=True)
class ReminderRow:
    when: str  # "Tuesday 7 July at 09:00", the patient's time
    what: str  # "A week before: a reminder of when and where, and how to get ready"
    sent: bool
    failed: bool


def reminder_rows(
    appointment: Appointment,
    reminders: list[Notification],
    now: dt.datetime,
    *,
    staff: bool = False,
) -> list[ReminderRow]:
    """The reminders a person should see: planned, being sent, sent or failed. Cancelled and
    skipped ones are not coming, so they are left out. ``staff``: words about the patient."""
    words = _REMINDER_WHAT_STAFF if staff else _REMINDER_WHAT
    zone = appointment.patient.patient_profile.zone
    starts_on = local_time(appointment.starts_at, zone).date()
    rows = []
    for reminder in reminders:
        if reminder.status in (Status.CANCELLED, Status.SKIPPED):
            continue
        days = (local_time(reminder.due_at, zone).date() - starts_on).days
        what = str(words.get(reminder.kind, _("A reminder")))
        if reminder.kind == Kind.APPOINTMENT_REMINDER and appointment.is_scan and days <= -7:
            what = str(_SCAN_WEEK_BEFORE)
        rows.append(
            ReminderRow(
                when=when_text(reminder.due_at, zone, now),
                what=_("%(when)s: %(what)s")
                % {"when": _days_apart_text(days), "what": what[0].lower() + what[1:]},
                sent=reminder.status == Status.SENT,
                failed=reminder.status == Status.FAILED,
            )
        )
    return rows


# --- List ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    appointment: Appointment
    when: str
    what: str
    patient_name: str
    zone_abbreviation: str  # "BST", shown to care staff, whose patients may live anywhere
    url: str


def _row(appointment: Appointment, now: dt.datetime) -> ListRow:
    profile = appointment.patient.patient_profile
    return ListRow(
        appointment=appointment,
        when=when_text(appointment.starts_at, profile.zone, now),
        what=kind_label(appointment),
        patient_name=appointment.patient.get_full_name(),
        zone_abbreviation=local_time(appointment.starts_at, profile.zone).tzname() or "",
        url=reverse("appointment_detail", args=[appointment.pk]),
    )


def _ends_at(appointment: Appointment) -> dt.datetime:
    return later_by(appointment.starts_at, dt.timedelta(minutes=appointment.duration_minutes))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _panel(request: HttpRequest) -> QuerySet[PatientProfile]:
    return (
        access.visible_profiles(request.user)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


@patient_or_care_staff_required(carer_right=selectors.CARER_RIGHT)
def appointment_list(request: HttpRequest) -> HttpResponse:
    """Coming up (soonest first), cancelled ones still to come, and the most recent past ones.
    Care staff see their patients' and may pick one patient."""
    user = request.user
    now = timezone.now()
    staff = access.is_care_staff(user)
    panel = list(_panel(request)) if staff else []
    patient_id = _int_or_none(request.GET.get("patient")) if staff else None
    if patient_id not in {profile.pk for profile in panel}:
        patient_id = None  # not one of theirs: show their whole panel, never someone else's
    appointments = selectors.appointments_for(user, patient_id=patient_id)

    coming = appointments.filter(starts_at__gte=now - dt.timedelta(days=1)).exclude(
        status=AppointmentStatus.DONE
    )
    upcoming, cancelled = [], []
    for appointment in coming:
        if _ends_at(appointment) <= now:
            continue  # over: listed with the past ones
        if appointment.status == AppointmentStatus.CANCELLED:
            if appointment.starts_at > now:
                cancelled.append(_row(appointment, now))
        else:
            upcoming.append(_row(appointment, now))
    shown = {row.appointment.pk for row in upcoming}
    past_list = list(
        appointments.filter(starts_at__lt=now)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("-starts_at", "-pk")[: PAST_SHOWN + 1]
    )
    past = [_row(item, now) for item in past_list[:PAST_SHOWN] if item.pk not in shown]
    profile = None if staff else _own_profile(request)
    looked_at = [row.appointment.patient_id for row in (*upcoming, *cancelled, *past)]
    if access.is_carer(user) and profile is not None:
        looked_at.append(profile.pk)  # a carer's look is noted even when the list is empty
    record_access(
        request=request, patient_ids=looked_at, what=RecordAccessKind.APPOINTMENTS, listing=True
    )

    context = {
        "staff": staff,
        "profile": profile,
        "zone": zone_name(profile.timezone) if profile else "",
        "panel": panel,
        "patient_id": patient_id,
        "upcoming": upcoming,
        "cancelled": cancelled,
        "past": past,
        "more_past": len(past_list) > PAST_SHOWN,
        "past_shown": PAST_SHOWN,
    }
    return render(request, "appointments/list.html", context)


def _own_profile(request: HttpRequest) -> PatientProfile | None:
    """The patient's own profile; for a carer, their patient's (view only)."""
    return access.acting_profile(request.user, selectors.CARER_RIGHT)


# --- Booking and changing -----------------------------------------------------------------------


def _zone_help(form: AppointmentForm) -> str:
    if form.zone:
        return _("Times are in %(zone)s.") % {"zone": zone_name(form.zone)}
    return _("Times are in the patient's own time zone, shown next to their name.")


@patient_or_care_staff_required
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Book an appointment. Patients book their own; care staff choose one of their patients."""
    user = request.user
    now = timezone.now()
    staff = access.is_care_staff(user)
    if staff:
        patients = _panel(request)
        profile = None
        chosen = _int_or_none(request.GET.get("patient"))
        initial = {"patient": chosen} if chosen else {}
        # Only one patient to choose from, or one chosen: say which time zone applies.
        if request.method == "POST":
            picked = _int_or_none(request.POST.get("patient"))
            profile = patients.filter(pk=picked).first() if picked else None
        elif chosen:
            profile = patients.filter(pk=chosen).first()
    else:
        patients = None
        profile = _own_profile(request)
        initial = {}
        if profile is None:
            messages.info(request, _("Your account is not linked to a care team yet."))
            return redirect("home")
    form = AppointmentForm(
        request.POST if request.method == "POST" else None,
        now=now,
        profile=profile,
        patients=patients,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        patient = form.cleaned_data["patient"].user if staff else user
        try:
            appointment = services.appointment_create(
                patient=patient, created_by=user, now=now, **form.service_fields()
            )
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
        else:
            zone = appointment.patient.patient_profile.zone
            messages.success(
                request,
                _("Saved: %(what)s, %(when)s. The reminders we will send are listed below.")
                % {
                    "what": kind_label(appointment),
                    "when": when_text(appointment.starts_at, zone, now),
                },
            )
            return redirect("appointment_detail", appointment.pk)
    context = {
        "form": form,
        "staff": staff,
        "zone_help": _zone_help(form),
        "title": _("Add an appointment"),
        "submit": _("Save the appointment"),
        "cancel_url": reverse("appointment_list"),
    }
    return render(request, "appointments/form.html", context)


def _appointment_or_404(request: HttpRequest, appointment_id: int) -> Appointment:
    """The appointment, if the caller may see it; care staff's look is noted in the log."""
    appointment = selectors.appointment_for_user_or_404(request.user, appointment_id)
    record_access(
        request=request, patient_ids=[appointment.patient_id], what=RecordAccessKind.APPOINTMENTS
    )
    return appointment


def _changeable(appointment: Appointment, now: dt.datetime) -> bool:
    return appointment.status == AppointmentStatus.SCHEDULED and appointment.starts_at > now


@patient_or_care_staff_required
@require_http_methods(["GET", "POST"])
def appointment_edit(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Move an appointment or change its details; its reminders move with it."""
    appointment = _appointment_or_404(request, appointment_id)
    now = timezone.now()
    if not _changeable(appointment, now):
        messages.info(request, _("This appointment is cancelled or over, so it cannot be changed."))
        return redirect("appointment_detail", appointment.pk)
    profile = appointment.patient.patient_profile
    form = AppointmentForm(
        request.POST if request.method == "POST" else None,
        now=now,
        profile=profile,
        initial=AppointmentForm.initial_for(appointment),
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_update(
                appointment=appointment, now=now, **form.service_fields()
            )
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
        else:
            messages.success(
                request,
                _("Saved: %(what)s, %(when)s. Its reminders have moved with it.")
                % {
                    "what": kind_label(appointment),
                    "when": when_text(appointment.starts_at, profile.zone, now),
                },
            )
            return redirect("appointment_detail", appointment.pk)
    detail_url = reverse("appointment_detail", args=[appointment.pk])
    context = {
        "form": form,
        "staff": access.is_care_staff(request.user),
        "appointment": appointment,
        "zone_help": _zone_help(form),
        "title": _("Change an appointment"),
        "submit": _("Save the changes"),
        "cancel_url": detail_url,
    }
    return render(request, "appointments/form.html", context)


@patient_or_care_staff_required
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """GET asks "are you sure?"; POST cancels the appointment and its reminders still to come."""
    appointment = _appointment_or_404(request, appointment_id)
    now = timezone.now()
    profile = appointment.patient.patient_profile
    if appointment.status != AppointmentStatus.SCHEDULED:
        messages.info(request, _("This appointment is already cancelled or over."))
        return redirect("appointment_detail", appointment.pk)
    if request.method == "POST":
        services.appointment_cancel(appointment=appointment)
        messages.success(
            request,
            _("Cancelled: %(what)s, %(when)s. We will not send its reminders.")
            % {
                "what": kind_label(appointment),
                "when": when_text(appointment.starts_at, profile.zone, now),
            },
        )
        return redirect("appointment_list")
    context = {
        "appointment": appointment,
        "what": kind_label(appointment),
        "when": when_text(appointment.starts_at, profile.zone, now),
        "staff": access.is_care_staff(request.user),
    }
    return render(request, "appointments/cancel.html", context)


# --- One appointment ----------------------------------------------------------------------------


def _link_or_path(name: str, appointment_id: int, path: str) -> str:
    """The support and check-in pages live in another module; their paths are fixed (the
    reminder messages link to them), so fall back to the path if the name is not there yet."""
    try:
        return reverse(name, args=[appointment_id])
    except NoReverseMatch:
        return path


@patient_or_care_staff_required(carer_right=selectors.CARER_RIGHT)
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """What, when, where and how to get ready; the reminders we will send."""
    appointment = _appointment_or_404(request, appointment_id)
    now = timezone.now()
    profile = appointment.patient.patient_profile
    zone = profile.zone
    local_start = local_time(appointment.starts_at, zone)
    local_end = local_time(_ends_at(appointment), zone)
    scheduled = appointment.status == AppointmentStatus.SCHEDULED
    over = _ends_at(appointment) <= now
    carer = access.is_carer(request.user)  # looks only: changing and scan support are not theirs
    context = {
        "appointment": appointment,
        "what": kind_label(appointment),
        "when": when_text(appointment.starts_at, zone, now),
        "start_time": clock_time(local_start),
        "ends": clock_time(local_end),
        "long_date": dated(local_start.date()),
        "duration": duration_text(appointment.duration_minutes),
        "zone": zone_name(profile.timezone),
        "patient_name": appointment.patient.get_full_name(),
        "staff": access.is_care_staff(request.user),
        "scheduled": scheduled,
        "cancelled": appointment.status == AppointmentStatus.CANCELLED,
        "over": over,
        "changeable": _changeable(appointment, now) and not carer,
        "reminders": reminder_rows(
            appointment,
            selectors.reminders_of(appointment),
            now,
            staff=access.is_care_staff(request.user),
        ),
        "support_url": _link_or_path(
            "appointment_support", appointment.pk, f"/appointments/{appointment.pk}/support/"
        )
        if appointment.is_scan and scheduled and not over and not carer
        else "",
        "checkin_url": _link_or_path(
            "appointment_checkin", appointment.pk, f"/appointments/{appointment.pk}/check-in/"
        )
        if appointment.is_scan
        and appointment.status != AppointmentStatus.CANCELLED
        and over
        and not carer
        else "",
    }
    return render(request, "appointments/detail.html", context)


# --- Calendar feed ------------------------------------------------------------------------------


@login_required
@require_POST
def calendar_feed_rotate(request: HttpRequest) -> HttpResponse:
    """A new secret address for the patient's calendar feed; the old one stops working."""
    if not access.is_patient(request.user):
        messages.info(request, _("Calendar addresses are for patients."))
        return redirect("settings")
    try:
        services.calendar_feed_rotate(patient=request.user)
    except ValidationError:
        messages.info(request, _("Your account is not linked to a care team yet."))
        return redirect("settings")
    messages.success(
        request,
        _(
            "Your calendar has a new address. The old one has stopped working: add the new one "
            "below to your phone's calendar."
        ),
    )
    return redirect(reverse("settings") + "#calendar")

"""What the coordinator's pages show, built from what the selectors read: a panel row per
patient and the sections of a patient's record. No queries here beyond the selectors called."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TypedDict
from zoneinfo import ZoneInfo

import phonenumbers
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.access import AnyUser
from accounts.models import PatientProfile, RecordAccess
from appointments import selectors as appointment_selectors
from appointments.models import Appointment, AppointmentStatus
from care import selectors
from care.selectors import PanelPatient, Tier, Triage
from flags import facts
from flags.models import ContactOutcome, Flag, FlagContact, FlagLevel, FlagStatus, PatientResponse
from flags.selectors import flag_priority, flag_staff_explanation, flag_staff_title
from lib.clock import local_time, zone_info
from lib.dates import days_ago, short_date
from notifications import selectors as notification_selectors
from notifications.models import Notification
from symptoms import charts, trends
from symptoms import selectors as symptom_selectors
from symptoms.catalogue import get_catalogue
from symptoms.models import DailyLog

TIMELINE_DAYS = 30
RESOLVED_SHOWN = 10
NOTIFICATIONS_SHOWN = 20
ACCESS_SHOWN = 20
PAST_APPOINTMENTS_SHOWN = 5


class PanelRow(TypedDict):
    """One patient in the triage panel, with its words ready to print. A dict, not an object:
    the panel may hold hundreds of rows, and the template engine reads dict keys fastest."""

    patient_id: int
    url: str
    name: str
    team: str
    sites_text: str
    tier: int
    tier_text: str  # "Urgent, waiting for a call since 3 Dec 10:42 GMT"; "" for no flags
    urgent: int
    soon: int
    next_visit: int
    top_flag_title: str
    last_log_date: dt.date | None
    last_log_text: str  # "3 Dec"
    last_log_ago: str  # "today", "yesterday", "4 days ago"
    next_appointment: dt.datetime | None  # in the patient's zone
    next_appointment_text: str  # "Tue 9 Dec, 10:30"
    restaging_due: dt.date
    restaging_due_text: str  # "3 Mar 2027"
    restaging_overdue: bool
    patient_answer: str  # "Cara answered “I have called my care team”, 3 Dec 10:42 GMT"; or ""
    call: CallLink | None  # beside urgent flags only


# --- The call link beside urgent flags (CLINICAL.md, "The nurse can phone") ----------------


class CallLink(TypedDict):
    """How to phone the patient now: a one-tap ``tel:`` link (or where to add a number), their
    local time and their best time to call, in the third person."""

    name: str
    tel: str  # "tel:+447911123456"; "" when no number is recorded
    phone_text: str  # "+44 7911 123456"
    local_time_text: str  # "local time 14:05 (Asia/Kolkata)"
    call_time: str  # in the patient's words, or ""
    set_url: str  # where a number can be added when none is recorded


def phone_set_url(patient_id: int) -> str:
    """Where the team adds a missing number: the edit page of the patient's details (the
    patient can also add it in their own settings)."""
    return reverse("care:patient_edit", args=[patient_id]) + "#id_phone"


def call_link(
    *, patient_id: int, name: str, phone: object, call_time: str, zone: str, now: dt.datetime
) -> CallLink:
    number = str(phone or "")
    try:
        parsed = phonenumbers.parse(number) if number else None
    except phonenumbers.NumberParseException:
        parsed = None
    local = now.astimezone(zone_info(zone))
    return CallLink(
        name=name,
        tel=f"tel:{number}" if number else "",
        phone_text=(
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            if parsed
            else number
        ),
        local_time_text=_("local time %(time)s (%(zone)s)")
        % {"time": f"{local:%H:%M}", "zone": zone},
        call_time=call_time,
        set_url=phone_set_url(patient_id),
    )


def first_name(patient: PanelPatient) -> str:
    """What staff pages call the patient in a sentence."""
    return patient.preferred_name or (patient.name.split() or [patient.email])[0]


def answer_words(name: str, response: str, at: dt.datetime | None) -> str:
    """The patient's answer to urgent advice, in the third person and the care team's time. It
    quotes the button the patient pressed: the profile holds no pronouns to speak for them."""
    if not response or at is None:
        return ""
    label = PatientResponse(response).label
    local = timezone.localtime(at)  # the care team's time (see care.views)
    return _("%(name)s answered “%(answer)s”, %(when)s") % {
        "name": name,
        "answer": label,
        "when": f"{short_date(local.date())} {local:%H:%M} {local.tzname()}",
    }


def waiting_words(name: str, flag: Flag) -> str:
    """How long an open flag has waited, from the patient's report (CLINICAL.md, "The urgent
    loop"), in the third person and the care team's time: "Waiting since 1 Dec 15:10 GMT, when
    Cara saved the log". Whole-patient rules have no report: they wait from when they opened."""
    local = timezone.localtime(flag.reported_at or flag.opened_at)  # the care team's time
    when = f"{short_date(local.date())} {local:%H:%M} {local.tzname()}"
    if flag.reported_at is None:
        return _("Waiting since %(when)s, when the flag was raised") % {"when": when}
    return _("Waiting since %(when)s, when %(name)s saved the log") % {"when": when, "name": name}


def panel_row(patient: PanelPatient, *, now: dt.datetime) -> PanelRow:
    last_log = patient.last_log_date
    result: Triage = patient.triage
    since = result.urgent_waiting_since
    tier_text = "" if result.tier == Tier.EVERYONE_ELSE else result.label
    if since is not None:
        since = timezone.localtime(since)  # the care team's time (see care.views)
        tier_text = _("%(tier)s since %(when)s") % {
            "tier": tier_text,
            "when": f"{short_date(since.date())} {since:%H:%M} {since.tzname()}",
        }
    upcoming = patient.next_appointment
    appointment = local_time(upcoming, patient.timezone) if upcoming else None
    due = selectors.restaging_due(patient)
    return PanelRow(
        patient_id=patient.pk,
        url=reverse("care:record", args=[patient.pk]),
        name=patient.display_name,
        team=patient.care_team_name,
        sites_text=", ".join(str(label) for label in patient.site_labels) or _("No known sites"),
        tier=result.tier,
        tier_text=tier_text,
        urgent=result.counts[FlagLevel.URGENT],
        soon=result.counts[FlagLevel.SOON],
        next_visit=result.counts[FlagLevel.NEXT_VISIT],
        top_flag_title=result.top_flag_title,
        last_log_date=last_log,
        last_log_text=short_date(last_log) if last_log else "",
        last_log_ago=days_ago((patient.local_today(now) - last_log).days) if last_log else "",
        next_appointment=appointment,
        next_appointment_text=(
            f"{dateformat.format(appointment, 'D')} {short_date(appointment.date())}, "
            f"{appointment:%H:%M}"
            if appointment
            else ""
        ),
        restaging_due=due,
        restaging_due_text=f"{short_date(due)} {due.year}",
        restaging_overdue=result.restaging_overdue,
        patient_answer=answer_words(first_name(patient), result.response, result.responded_at),
        call=(
            call_link(
                patient_id=patient.pk,
                name=patient.display_name,
                phone=patient.phone,
                call_time=patient.call_time,
                zone=patient.timezone,
                now=now,
            )
            if result.counts[FlagLevel.URGENT]
            else None
        ),
    )


def panel_rows(patients: list[PanelPatient], *, now: dt.datetime) -> list[PanelRow]:
    return [panel_row(patient, now=now) for patient in patients]


# --- The patient record ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineDay:
    day: dt.date
    entries: list[tuple[str, str, bool]]  # (symptom name, value in words, notable)
    notes: str
    usual: bool  # nothing above none/no: "as usual"
    calls: list[FlagContact] = field(default_factory=list)  # the team's call attempts that day
    logged: bool = True  # False: a day with calls but no log
    entered_by: str = ""  # "Bob Carer (carer)" when the patient's carer entered the log


def _flags(
    profile: PatientProfile, now: dt.datetime
) -> tuple[list[Flag], list[Flag], list[FlagContact]]:
    """The patient's live flags, most pressing first, those resolved in the last 90 days, and
    the call attempts about any of them (oldest first; two queries in all)."""
    rows = list(
        Flag.objects.filter(patient_id=profile.pk)
        .exclude(status=FlagStatus.RESOLVED, resolved_at__lt=now - dt.timedelta(days=90))
        .select_related("acknowledged_by", "resolved_by")
        .prefetch_related(Prefetch("contacts", queryset=FlagContact.objects.select_related("by")))
        .order_by("-opened_at", "-pk")
    )
    live = [flag for flag in rows if flag.status != FlagStatus.RESOLVED]
    live.sort(key=lambda flag: flag_priority(flag.level, flag.status, flag.opened_at))
    resolved = [flag for flag in rows if flag.status == FlagStatus.RESOLVED]
    contacts = sorted(
        (contact for flag in rows for contact in flag.contacts.all()),
        key=lambda contact: (contact.at, contact.pk),
    )
    return live, resolved[:RESOLVED_SHOWN], contacts


def _timeline(logs: list[DailyLog], today: dt.date) -> list[TimelineDay]:
    """The last TIMELINE_DAYS days of ``logs`` (newest first), what stood out in each."""
    catalogue = get_catalogue()
    first = today - dt.timedelta(days=TIMELINE_DAYS - 1)
    days = []
    for log in (log for log in logs if log.date >= first):
        entries = []
        for entry in log.entries.all():
            symptom = catalogue.symptoms.get(entry.symptom_id)
            value = entry.value
            if symptom is None or value in (None, 0, False):
                continue
            number = float(value) if not isinstance(value, bool) else value
            notable = symptom.kind == "presence" or (
                symptom.kind == "severity" and number >= 4  # type: ignore[operator]
            )
            entries.append((symptom.name, charts.value_text(symptom.kind, number), notable))
        entries.sort(key=lambda entry: (not entry[2], entry[0]))  # what stands out first
        days.append(
            TimelineDay(
                log.date, entries, log.notes, usual=not entries, entered_by=_entered_by(log)
            )
        )
    return days


def _entered_by(log: DailyLog) -> str:
    """Who entered a log, for the team, when it was not the patient: "Bob Carer (carer)"."""
    who = symptom_selectors.entered_by_someone_else(log)
    if who is None:
        return ""
    return _("%(name)s (carer)") % {"name": who.get_full_name() or who.email}


def _with_calls(
    days: list[TimelineDay], contacts: list[FlagContact], *, zone: str, today: dt.date
) -> list[TimelineDay]:
    """The timeline with the team's call attempts on the day they were made (in the patient's
    time, like the log days); a day with calls and no log gets a row of its own. Newest first."""
    first = today - dt.timedelta(days=TIMELINE_DAYS - 1)
    by_day: dict[dt.date, list[FlagContact]] = {}
    for contact in contacts:
        day = local_time(contact.at, zone).date()
        if day >= first:
            # The stored title speaks to the patient; the timeline speaks about them.
            contact.flag_title = flag_staff_title(contact.flag.rule, contact.flag.subject)  # type: ignore[attr-defined]
            by_day.setdefault(day, []).append(contact)
    if not by_day:
        return days
    merged = [replace(d, calls=by_day.pop(d.day, [])) for d in days]
    merged += [
        TimelineDay(day, [], "", usual=False, calls=calls, logged=False)
        for day, calls in by_day.items()
    ]
    return sorted(merged, key=lambda d: d.day, reverse=True)


def _appointments(
    user: AnyUser, profile: PatientProfile, now: dt.datetime
) -> tuple[list[Appointment], list[Appointment]]:
    """Coming up, and the latest earlier or cancelled ones; each with ``local_start``, its
    start in the patient's time."""
    rows = list(appointment_selectors.appointments_for(user, patient_id=profile.pk))
    for row in rows:
        row.local_start = local_time(row.starts_at, profile.timezone)  # type: ignore[attr-defined]
    upcoming = [a for a in rows if a.starts_at >= now and a.status == AppointmentStatus.SCHEDULED]
    past = [a for a in rows if a.starts_at < now or a.status != AppointmentStatus.SCHEDULED]
    past.sort(key=lambda a: a.starts_at, reverse=True)
    return upcoming, past[:PAST_APPOINTMENTS_SHOWN]


def record_context(*, patient: PanelPatient, user: AnyUser, days: int) -> dict[str, object]:
    """Everything the record page shows, in a fixed number of queries. ``patient`` comes from
    ``care.selectors.record_profile`` (a panel row with the full profile)."""
    profile = patient.profile
    if profile is None:
        raise ValueError("The record needs the full profile (care.selectors.record_profile).")
    now = timezone.now()
    zone = ZoneInfo(profile.timezone)
    today = profile.local_today(now)
    live, resolved, contacts = _flags(profile, now)
    name = first_name(patient)
    for flag in live:  # the patient's answer to urgent advice, in words for the team
        flag.patient_answer = answer_words(  # type: ignore[attr-defined]
            name, flag.patient_response, flag.patient_responded_at
        )
        flag.waiting_words = waiting_words(name, flag)  # type: ignore[attr-defined]
    for flag in (*live, *resolved):  # stored words speak to the patient; these about them
        flag.staff_title = flag_staff_title(flag.rule, flag.subject)  # type: ignore[attr-defined]
        flag.staff_explanation = flag_staff_explanation(  # type: ignore[attr-defined]
            flag, name=name, today=today
        )
    call = call_link(
        patient_id=profile.pk,
        name=patient.display_name,
        phone=profile.phone,
        call_time=profile.call_time,
        zone=profile.timezone,
        now=now,
    )
    # One read of the logs serves the trends and the (shorter) timeline.
    logs = list(
        symptom_selectors.logs_for(
            patient=profile.user,
            date_from=today - dt.timedelta(days=max(days, TIMELINE_DAYS) - 1),
            date_to=today,
        )
    )
    window = symptom_selectors.history(
        patient=profile.user,
        today=today,
        days=days,
        logs=[log for log in logs if log.date >= today - dt.timedelta(days=days - 1)],
    )
    groups, quiet_sites = trends.trend_groups(
        window,
        set(profile.sites),
        fever_line=float(facts.thresholds().fever_celsius),
        who=name,  # "noted on 5 of the 12 days Cara logged"
    )
    upcoming, past = _appointments(user, profile, now)
    sent: list[Notification] = list(
        notification_selectors.notifications_for(profile.user, include_planned=False)[
            :NOTIFICATIONS_SHOWN
        ]
    )
    accesses: list[RecordAccess] = list(
        account_selectors.record_accesses(patient_id=profile.pk, limit=ACCESS_SHOWN)
    )
    return {
        "profile": profile,
        "patient": profile.user,
        "first_name": name,  # what staff words call the patient in a sentence
        "now_local": now.astimezone(zone),
        "today": today,
        "row": panel_row(patient, now=now),
        "live_flags": live,
        "resolved_flags": resolved,
        "days": days,
        "first_day": window.days[0],
        "logged_count": len(window.logged),
        "groups": groups,
        "quiet_sites": [site.name for site in quiet_sites],
        "timeline": _with_calls(
            _timeline(logs, today), contacts, zone=profile.timezone, today=today
        ),
        "call": call,
        "contact_outcomes": ContactOutcome.choices,
        "upcoming": upcoming,
        "past": past,
        "sent": sent,
        "accesses": accesses,
        "zone": zone,
    }

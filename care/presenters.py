"""What the coordinator's pages show, built from what the selectors read: a panel row per
patient and the sections of a patient's record. No queries here beyond the selectors called."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.access import AnyUser
from accounts.models import PatientProfile, RecordAccess
from appointments import selectors as appointment_selectors
from appointments.models import Appointment, AppointmentStatus
from care import selectors
from care.selectors import PanelPatient, Tier, Triage
from flags import facts
from flags.models import Flag, FlagLevel, FlagStatus, PatientResponse
from flags.selectors import flag_priority, flag_staff_explanation, flag_staff_title
from lib.clock import local_time
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
    return f"{name} answered “{label}”, {short_date(local.date())} {local:%H:%M} {local.tzname()}"


def panel_row(patient: PanelPatient, *, now: dt.datetime) -> PanelRow:
    last_log = patient.last_log_date
    result: Triage = patient.triage
    since = result.urgent_waiting_since
    tier_text = "" if result.tier == Tier.EVERYONE_ELSE else result.label
    if since is not None:
        since = timezone.localtime(since)  # the care team's time (see care.views)
        tier_text += f" since {short_date(since.date())} {since:%H:%M} {since.tzname()}"
    upcoming = patient.next_appointment
    appointment = local_time(upcoming, patient.timezone) if upcoming else None
    due = selectors.restaging_due(patient)
    return PanelRow(
        patient_id=patient.pk,
        url=reverse("care:record", args=[patient.pk]),
        name=patient.display_name,
        team=patient.care_team_name,
        sites_text=", ".join(patient.site_labels) or "No known sites",
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
            f"{appointment:%a} {short_date(appointment.date())}, {appointment:%H:%M}"
            if appointment
            else ""
        ),
        restaging_due=due,
        restaging_due_text=f"{short_date(due)} {due.year}",
        restaging_overdue=result.restaging_overdue,
        patient_answer=answer_words(first_name(patient), result.response, result.responded_at),
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


def _flags(profile: PatientProfile, now: dt.datetime) -> tuple[list[Flag], list[Flag]]:
    """The patient's live flags, most pressing first, and those resolved in the last 90 days."""
    rows = list(
        Flag.objects.filter(patient_id=profile.pk)
        .exclude(status=FlagStatus.RESOLVED, resolved_at__lt=now - dt.timedelta(days=90))
        .select_related("acknowledged_by", "resolved_by")
        .order_by("-opened_at", "-pk")
    )
    live = [flag for flag in rows if flag.status != FlagStatus.RESOLVED]
    live.sort(key=lambda flag: flag_priority(flag.level, flag.status, flag.opened_at))
    resolved = [flag for flag in rows if flag.status == FlagStatus.RESOLVED]
    return live, resolved[:RESOLVED_SHOWN]


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
        days.append(TimelineDay(log.date, entries, log.notes, usual=not entries))
    return days


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
    live, resolved = _flags(profile, now)
    name = first_name(patient)
    for flag in live:  # the patient's answer to urgent advice, in words for the team
        flag.patient_answer = answer_words(  # type: ignore[attr-defined]
            name, flag.patient_response, flag.patient_responded_at
        )
    for flag in (*live, *resolved):  # stored words speak to the patient; these about them
        flag.staff_title = flag_staff_title(flag.rule, flag.subject)  # type: ignore[attr-defined]
        flag.staff_explanation = flag_staff_explanation(  # type: ignore[attr-defined]
            flag, name=name, today=today
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
        "timeline": _timeline(logs, today),
        "upcoming": upcoming,
        "past": past,
        "sent": sent,
        "accesses": accesses,
        "zone": zone,
    }

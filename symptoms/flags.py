"""Services for flags: evaluate patients with the pure rules and reconcile their stored flags;
plan the care team's alerts in the outbox; acknowledge and resolve.

Reconciling keeps one open-or-acknowledged flag per (patient, rule, subject). A finding updates
the live flag (evidence is the union of dates, level and texts follow the finding) or opens a new
one when none is live; after a resolution only evidence dated after the resolution (the patient's
local date) opens a new flag. ``not_logging`` and ``restaging_overdue`` resolve themselves when no
longer found. A flag is saved only when something changed, so evaluating twice changes nothing.

Patients are evaluated in batches with a handful of queries per batch (the nightly sweep); a
single patient is a batch of one. Each batch locks its patients' profiles, so an evaluation after
a log and the sweep never race to open the same flag.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.utils import timezone

from accounts.models import CareTeam, PatientProfile, User
from appointments.models import SCAN_KINDS, Appointment, AppointmentStatus
from appointments.selectors import last_restaging_subquery
from notifications.models import Kind, Notification
from notifications.services import Planned, notifications_plan
from symptoms import rules
from symptoms.catalogue import get_catalogue
from symptoms.models import DailyLog, Flag, FlagLevel, FlagStatus, FlagThresholds

WINDOW_DAYS = 30  # the rules read the last 30 days of logs
LIVE = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)
LEVEL_ORDER = {FlagLevel.URGENT: 0, FlagLevel.SOON: 1, FlagLevel.NEXT_VISIT: 2}  # most urgent first
SELF_RESOLVING = {
    "not_logging": "Resolved automatically: the patient logged again.",
    "restaging_overdue": "Resolved automatically: a scan or restaging appointment is booked.",
}
ESCALATION_AFTER = dt.timedelta(hours=2)
DIGEST_TIME = dt.time(8, 0)
SUBJECT = "flag"  # Notification.subject_type of flag alerts
URGENT_TITLE = "A patient needs a call"
ESCALATION_TITLE = "Still waiting: a patient needs a call"
PATIENT_ESCALATION_TITLE = "Has your care team called you?"
DIGEST_TITLE = "Flags to look at today"
PATIENT_LINK = "/"  # the patient's home page shows their flags and the 24-hour line


def staff_patient_link(patient_id: int) -> str:
    """Where a coordinator sees the patient (the dashboard page; a plain path)."""
    return f"/patients/{patient_id}/"


# --- Thresholds --------------------------------------------------------------------------------

THRESHOLD_FIELDS = tuple(rules.Thresholds.__dataclass_fields__)


def thresholds() -> rules.Thresholds:
    """The thresholds admins set (the shipped defaults until they change any)."""
    row = FlagThresholds.objects.filter(singleton=1).first()
    if row is None:
        return rules.Thresholds()
    return rules.Thresholds(**{name: getattr(row, name) for name in THRESHOLD_FIELDS})


# --- Facts -------------------------------------------------------------------------------------


def symptom_facts() -> dict[str, rules.SymptomFacts]:
    """The whole catalogue (retired symptoms too: their old entries still count) as rule data."""
    catalogue = get_catalogue()
    metastasis = {site.code for site in catalogue.sites if site.is_metastasis_site}
    return {
        code: rules.SymptomFacts(
            code=code,
            name=symptom.name,
            site=symptom.site,
            kind=symptom.kind,
            red_flag=symptom.red_flag,
            is_metastasis_site=symptom.site in metastasis,
        )
        for code, symptom in catalogue.symptoms.items()
    }


def _profiles(patient_ids: Sequence[int], *, now: dt.datetime, lock: bool) -> list[PatientProfile]:
    profiles = (
        PatientProfile.objects.filter(pk__in=list(patient_ids))
        .only(
            "user_id",
            "care_team_id",
            "sites",
            "timezone",
            "restaging_interval_weeks",
            "enrolled_on",
        )
        .order_by("pk")
    )
    if lock:  # in pk order, so two batches never wait on each other in a cycle
        profiles = profiles.select_for_update(of=("self",))
    scan_booked = Appointment.objects.filter(
        patient=OuterRef("user"),
        kind__in=SCAN_KINDS,
        status=AppointmentStatus.SCHEDULED,
        starts_at__gt=now,
    )
    newest_log = DailyLog.objects.filter(patient=OuterRef("user")).order_by("-date").values("date")
    return list(
        profiles.annotate(
            last_restaging_at=last_restaging_subquery(now=now),
            scan_booked=Exists(scan_booked),
            newest_log_on=Subquery(newest_log[:1]),
        )
    )


def _day_logs(
    patient_ids: Sequence[int], *, date_from: dt.date
) -> dict[int, dict[dt.date, dict[str, object]]]:
    """Each patient's logs from ``date_from`` on: date -> {code: value} (one query; a log with no
    entries is an empty snapshot, which counts too)."""
    rows = DailyLog.objects.filter(
        patient_id__in=list(patient_ids), date__gte=date_from
    ).values_list(
        "patient_id",
        "date",
        "entries__symptom_id",
        "entries__severity",
        "entries__present",
        "entries__temperature",
    )
    logs: dict[int, dict[dt.date, dict[str, object]]] = defaultdict(dict)
    for patient_id, date, code, severity, present, temperature in rows.iterator(chunk_size=20000):
        values = logs[patient_id].setdefault(date, {})
        if code is None:
            continue
        if severity is not None:
            values[code] = severity
        elif present is not None:
            values[code] = present
        elif temperature is not None:
            values[code] = temperature
    return logs


def _facts(
    profile: PatientProfile, *, now: dt.datetime, logs: dict[dt.date, dict[str, object]]
) -> rules.PatientFacts:
    zone = ZoneInfo(profile.timezone)
    today = now.astimezone(zone).date()
    start = today - dt.timedelta(days=WINDOW_DAYS)
    last_at = profile.last_restaging_at  # type: ignore[attr-defined]
    return rules.PatientFacts(
        sites=frozenset(profile.sites or ()),
        today=today,
        logs=tuple(
            rules.DayLog(date=date, values=values)  # type: ignore[arg-type]
            for date, values in sorted(logs.items())
            if start <= date <= today
        ),
        restaging=rules.RestagingFacts(
            interval_weeks=profile.restaging_interval_weeks,
            enrolled_on=profile.enrolled_on,
            last_restaging_on=last_at.astimezone(zone).date() if last_at else None,
            next_booked=bool(profile.scan_booked),  # type: ignore[attr-defined]
        ),
        ever_logged=profile.newest_log_on is not None,  # type: ignore[attr-defined]
    )


def _window_start(now: dt.datetime) -> dt.date:
    # Every time zone's "today" is within a day of UTC's; a day more keeps every window whole.
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=WINDOW_DAYS + 1)


def patient_facts(profile: PatientProfile, *, now: dt.datetime) -> rules.PatientFacts:
    """What the rules read about one patient: the last 30 days of logs (in their time zone),
    whether they ever logged, and their restaging facts."""
    (loaded,) = _profiles([profile.pk], now=now, lock=False)
    logs = _day_logs([profile.pk], date_from=_window_start(now))
    return _facts(loaded, now=now, logs=logs.get(profile.pk, {}))


# --- Reconciling -------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    """What one evaluation changed. Flags raised to urgent are in ``updated`` and ``urgent``."""

    findings: dict[int, list[rules.Finding]] = field(default_factory=dict)
    opened: list[Flag] = field(default_factory=list)
    updated: list[Flag] = field(default_factory=list)
    resolved: list[Flag] = field(default_factory=list)
    urgent: list[Flag] = field(default_factory=list)  # opened as, or raised to, urgent
    alerts_planned: int = 0
    patients: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.updated or self.resolved)

    def merge(self, other: EvaluationResult) -> None:
        self.findings.update(other.findings)
        self.opened += other.opened
        self.updated += other.updated
        self.resolved += other.resolved
        self.urgent += other.urgent
        self.alerts_planned += other.alerts_planned
        self.patients += other.patients


def _texts(finding: rules.Finding) -> dict[str, object]:
    return {
        "level": finding.level,
        "title": finding.title[:200],
        "explanation": finding.explanation,
        "advice": finding.advice,
        "symptom_id": finding.symptom or None,
        "site": finding.site or "",
    }


def _iso(dates: Iterable[dt.date]) -> list[str]:
    return sorted({date.isoformat() for date in dates})


def _reconcile_patient(
    *,
    patient_id: int,
    zone: ZoneInfo,
    findings: list[rules.Finding],
    live: dict[tuple[str, str], Flag],
    resolved_at: dict[tuple[str, str], dt.datetime],
    now: dt.datetime,
    result: EvaluationResult,
) -> list[Flag]:
    """Apply one patient's findings to their live flags. Returns flags to create (unsaved)."""
    to_create: list[Flag] = []
    found: set[tuple[str, str]] = set()
    for finding in findings:
        key = (finding.rule, finding.subject)
        if key in found:  # the rules promise one finding per key; never trust it twice
            continue
        found.add(key)
        fields = _texts(finding)
        flag = live.get(key)
        if flag is not None:
            changed = [name for name, value in fields.items() if getattr(flag, name) != value]
            evidence = sorted(set(flag.evidence) | set(_iso(finding.evidence)))
            if evidence != flag.evidence:
                changed.append("evidence")
            if not changed:
                continue
            raised = fields["level"] == FlagLevel.URGENT and flag.level != FlagLevel.URGENT
            for name, value in fields.items():
                setattr(flag, name, value)
            flag.evidence = evidence
            flag.save(update_fields=[*changed, "updated_at"])
            result.updated.append(flag)
            if raised:
                result.urgent.append(flag)
            continue
        evidence_dates = list(finding.evidence)
        last_resolution = resolved_at.get(key)
        if last_resolution is not None:
            resolved_on = last_resolution.astimezone(zone).date()
            evidence_dates = [date for date in evidence_dates if date > resolved_on]
            if not evidence_dates:
                continue  # only what was already resolved: nothing new to raise
        to_create.append(
            Flag(
                patient_id=patient_id,
                rule=finding.rule,
                subject=finding.subject,
                status=FlagStatus.OPEN,
                evidence=_iso(evidence_dates),
                opened_at=now,
                **fields,
            )
        )
    for key, flag in live.items():
        rule = key[0]
        if key in found or rule not in SELF_RESOLVING:
            continue
        flag.status = FlagStatus.RESOLVED
        flag.resolved_at = now
        flag.resolved_by = None
        flag.note = _append_note(flag.note, SELF_RESOLVING[rule])
        flag.save(update_fields=["status", "resolved_at", "resolved_by", "note", "updated_at"])
        result.resolved.append(flag)
    return to_create


def _append_note(old: str, new: str) -> str:
    new = new.strip()
    if not new:
        return old
    return f"{old}\n{new}" if old else new


def evaluate_patients(
    patient_ids: Sequence[int],
    *,
    now: dt.datetime | None = None,
    limits: rules.Thresholds | None = None,
    symptoms: dict[str, rules.SymptomFacts] | None = None,
) -> EvaluationResult:
    """Evaluate a batch of patients and reconcile their flags in one transaction, with a fixed
    number of queries plus one write per changed flag. Plans urgent alerts for new urgent flags."""
    now = now or timezone.now()
    limits = limits or thresholds()
    symptoms = symptoms or symptom_facts()
    result = EvaluationResult()
    with transaction.atomic():
        profiles = _profiles(patient_ids, now=now, lock=True)
        if not profiles:
            return result
        ids = [profile.pk for profile in profiles]
        logs = _day_logs(ids, date_from=_window_start(now))
        live: dict[int, dict[tuple[str, str], Flag]] = defaultdict(dict)
        for flag in Flag.objects.filter(patient_id__in=ids, status__in=LIVE):
            live[flag.patient_id][(flag.rule, flag.subject)] = flag
        resolved_at: dict[int, dict[tuple[str, str], dt.datetime]] = defaultdict(dict)
        for row in (
            Flag.objects.filter(patient_id__in=ids, status=FlagStatus.RESOLVED)
            .values("patient_id", "rule", "subject")
            .annotate(last=Max("resolved_at"))
        ):
            if row["last"] is not None:
                resolved_at[row["patient_id"]][(row["rule"], row["subject"])] = row["last"]
        to_create: list[Flag] = []
        for profile in profiles:
            facts = _facts(profile, now=now, logs=logs.get(profile.pk, {}))
            findings = rules.evaluate(facts, symptoms=symptoms, thresholds=limits)
            result.findings[profile.pk] = findings
            to_create += _reconcile_patient(
                patient_id=profile.pk,
                zone=ZoneInfo(profile.timezone),
                findings=findings,
                live=live.get(profile.pk, {}),
                resolved_at=resolved_at.get(profile.pk, {}),
                now=now,
                result=result,
            )
        if to_create:
            created = Flag.objects.bulk_create(to_create)
            result.opened += created
            result.urgent += [flag for flag in created if flag.level == FlagLevel.URGENT]
        result.patients = len(profiles)
        if result.urgent:
            teams = {profile.pk: profile.care_team_id for profile in profiles}
            result.alerts_planned = urgent_alerts_plan(flags=result.urgent, teams=teams, now=now)
    return result


def evaluate_patient(*, patient: User | int, now: dt.datetime | None = None) -> EvaluationResult:
    """Evaluate one patient and reconcile their flags (see ``evaluate_patients``)."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    return evaluate_patients([patient_id], now=now)


# --- Alerts ------------------------------------------------------------------------------------


def _coordinators(team_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active coordinators of each team (one query)."""
    through = CareTeam.coordinators.through
    rows = (
        through.objects.filter(careteam_id__in=set(team_ids), user__is_active=True)
        .order_by("user_id")
        .values_list("careteam_id", "user_id")
    )
    by_team: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in rows:
        by_team[team_id].append(user_id)
    return by_team


def urgent_alerts_plan(*, flags: Sequence[Flag], teams: dict[int, int], now: dt.datetime) -> int:
    """Plan, for each flag that is (newly) urgent: an alert to every coordinator of the patient's
    team due now, and the escalation two hours on (coordinators again, and the patient). Natural
    keys make planning again a no-op. Titles and bodies are lock-screen safe."""
    coordinators = _coordinators(teams.values())
    line, emergency = settings.CARE_TEAM_24H_LINE, settings.EMERGENCY_NUMBER
    planned: list[Planned] = []
    for flag in flags:
        link = staff_patient_link(flag.patient_id)
        escalate_at = max(flag.opened_at, now) + ESCALATION_AFTER
        for coordinator_id in coordinators.get(teams[flag.patient_id], []):
            planned.append(
                Planned(
                    key=f"flag:{flag.pk}:urgent:{coordinator_id}",
                    kind=Kind.FLAG_ALERT,
                    recipient_id=coordinator_id,
                    due_at=now,
                    title=URGENT_TITLE,
                    body="A patient in your care team has an urgent flag and needs a call. "
                    "Open MBC Tracker to see who and why.",
                    link=link,
                    subject_type=SUBJECT,
                    subject_id=flag.pk,
                )
            )
            planned.append(
                Planned(
                    key=f"flag:{flag.pk}:escalation:{coordinator_id}",
                    kind=Kind.FLAG_ALERT,
                    recipient_id=coordinator_id,
                    due_at=escalate_at,
                    title=ESCALATION_TITLE,
                    body="An urgent flag has not been acknowledged for two hours. Please call "
                    "the patient and acknowledge the flag in MBC Tracker.",
                    link=link,
                    subject_type=SUBJECT,
                    subject_id=flag.pk,
                )
            )
        planned.append(
            Planned(
                key=f"flag:{flag.pk}:escalation:{flag.patient_id}",
                kind=Kind.FLAG_ALERT,
                recipient_id=flag.patient_id,
                due_at=escalate_at,
                title=PATIENT_ESCALATION_TITLE,
                body="If nobody from your care team has called you yet, please phone the "
                f"24-hour line now: {line}. In an emergency call {emergency}.",
                link=PATIENT_LINK,
                subject_type=SUBJECT,
                subject_id=flag.pk,
            )
        )
    return notifications_plan(planned=planned)


def flag_alert_still_wanted(notification: Notification, now: dt.datetime) -> bool:
    """Send-time check for ``flag_alert``: an escalation goes only while its flag is still open
    (unacknowledged); an urgent alert only while its flag is not resolved. Digests always go."""
    if notification.subject_type != SUBJECT or notification.subject_id is None:
        return True
    status = (
        Flag.objects.filter(pk=notification.subject_id).values_list("status", flat=True).first()
    )
    if ":escalation:" in notification.key:
        return status == FlagStatus.OPEN
    return status is not None and status != FlagStatus.RESOLVED


def _next_local(moment: dt.time, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    local = now.astimezone(zone)
    at = dt.datetime.combine(local.date(), moment, tzinfo=zone)
    if at < now:
        at = dt.datetime.combine(local.date() + dt.timedelta(days=1), moment, tzinfo=zone)
    return at


def flag_digests_plan(*, now: dt.datetime | None = None) -> int:
    """Plan each coordinator's morning digest of open ``soon`` flags for the next 08:00 in their
    time zone (the default patient zone: coordinators have none of their own). Counts only, no
    health details; only for coordinators with such flags. Idempotent by key."""
    now = now or timezone.now()
    zone = ZoneInfo(settings.DEFAULT_PATIENT_TIMEZONE)
    at = _next_local(DIGEST_TIME, zone, now)
    through = CareTeam.coordinators.through
    team_counts = (
        Flag.objects.filter(status=FlagStatus.OPEN, level=FlagLevel.SOON)
        .values("patient__patient_profile__care_team_id")
        .annotate(flags=Count("pk"), patients=Count("patient_id", distinct=True))
    )
    by_team = {
        row["patient__patient_profile__care_team_id"]: (row["flags"], row["patients"])
        for row in team_counts
    }
    if not by_team:
        return 0
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for team_id, user_id in through.objects.filter(
        careteam_id__in=list(by_team), user__is_active=True
    ).values_list("careteam_id", "user_id"):
        flags, patients = by_team[team_id]
        totals[user_id][0] += flags
        totals[user_id][1] += patients
    planned = [
        Planned(
            key=f"digest:{user_id}:{at.date().isoformat()}",
            kind=Kind.FLAG_ALERT,
            recipient_id=user_id,
            due_at=at,
            title=DIGEST_TITLE,
            body=f"{flags} flag{'s' if flags != 1 else ''} to look at today, for {patients} "
            f"patient{'s' if patients != 1 else ''}. Open MBC Tracker to see them.",
            link="/",
        )
        for user_id, (flags, patients) in sorted(totals.items())
    ]
    return notifications_plan(planned=planned)


# --- Acknowledge and resolve -------------------------------------------------------------------


@transaction.atomic
def flag_acknowledge(
    *, flag: Flag, by: User, note: str = "", now: dt.datetime | None = None
) -> Flag:
    """A coordinator has seen an open flag (the caller checked they coordinate its patient)."""
    now = now or timezone.now()
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if locked.status != FlagStatus.OPEN:
        raise ValidationError(
            {"status": f"This flag is already {locked.get_status_display().lower()}."}
        )
    locked.status = FlagStatus.ACKNOWLEDGED
    locked.acknowledged_by = by
    locked.acknowledged_at = now
    locked.note = _append_note(locked.note, note)
    locked.save(
        update_fields=["status", "acknowledged_by", "acknowledged_at", "note", "updated_at"]
    )
    return locked


@transaction.atomic
def flag_resolve(*, flag: Flag, by: User, note: str = "", now: dt.datetime | None = None) -> Flag:
    """Close an open or acknowledged flag (the caller checked they coordinate its patient)."""
    now = now or timezone.now()
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if locked.status not in LIVE:
        raise ValidationError({"status": "This flag is already resolved."})
    locked.status = FlagStatus.RESOLVED
    locked.resolved_by = by
    locked.resolved_at = now
    locked.note = _append_note(locked.note, note)
    locked.save(update_fields=["status", "resolved_by", "resolved_at", "note", "updated_at"])
    return locked


def open_flags_for(*, patient: User | int) -> list[Flag]:
    """The patient's open and acknowledged flags, most urgent first."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    flags = list(Flag.objects.filter(patient_id=patient_id, status__in=LIVE))
    return sorted(flags, key=lambda flag: (LEVEL_ORDER.get(flag.level, 9), flag.opened_at, flag.pk))

"""Evaluate patients with the pure rules and reconcile their stored flags.

Reconciling keeps one open-or-acknowledged flag per (patient, rule, subject). A finding updates
the live flag (evidence is the union of dates, level and texts follow the finding) or opens a new
one when none is live; after a person resolved one, only evidence dated after the resolution (the
patient's local date) opens a new flag. ``not_logging`` and ``restaging_overdue`` describe a state,
not an event: they resolve themselves when no longer found, and once a flag has resolved itself
the state had ended, so finding it again is a new episode and opens a new flag. A flag is saved
only when something changed, so evaluating twice changes nothing.

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

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import User
from flags import facts, rules
from flags.models import Flag, FlagLevel, FlagStatus
from flags.selectors import LIVE
from flags.services.alerts import flag_alerts_cancel, urgent_alerts_plan
from flags.services.handling import append_note
from lib.i18n import in_language_of
from symptoms.models import DailyLog

SELF_RESOLVING = {
    "not_logging": "Resolved automatically: the patient logged again.",
    "restaging_overdue": "Resolved automatically: a scan or restaging appointment is booked.",
}


@dataclass(frozen=True, slots=True)
class Resolution:
    """The last resolution of a (rule, subject): when, and whether a person made it (a flag that
    resolved itself has no ``resolved_by``)."""

    at: dt.datetime
    by_a_person: bool


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
    resolved_at: dict[tuple[str, str], Resolution],
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
        if last_resolution is not None and (
            last_resolution.by_a_person or finding.rule not in SELF_RESOLVING
        ):
            resolved_on = last_resolution.at.astimezone(zone).date()
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
        flag.note = append_note(flag.note, SELF_RESOLVING[rule])
        flag.save(update_fields=["status", "resolved_at", "resolved_by", "note", "updated_at"])
        flag_alerts_cancel(flag_id=flag.pk, escalations_only=False, now=now)
        result.resolved.append(flag)
    return to_create


def _set_reported_at(flags: list[Flag]) -> None:
    """Time counts from the report (CLINICAL.md, "The urgent loop"): a new flag's
    ``reported_at`` is when the patient last saved the newest log behind it, read in one query.
    Whole-patient rules (``not_logging``, ``restaging_overdue``: an absence, not a report) keep it
    null."""
    newest = [
        (flag, max(flag.evidence))
        for flag in flags
        if flag.evidence and flag.rule not in SELF_RESOLVING  # a state, not a report
    ]
    if not newest:
        return
    rows = DailyLog.objects.filter(
        patient_id__in={flag.patient_id for flag, _ in newest},
        date__in={day for _, day in newest},
    ).values_list("patient_id", "date", "updated_at")
    saved = {(patient_id, date.isoformat()): at for patient_id, date, at in rows}
    for flag, day in newest:
        flag.reported_at = saved.get((flag.patient_id, day))


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
    limits = limits or facts.thresholds()
    numbers = facts.advice_numbers()  # stored advice names the numbers patients must call
    result = EvaluationResult()
    with transaction.atomic():
        profiles = facts.profiles_for_rules(patient_ids, now=now, lock=True)
        if not profiles:
            return result
        ids = [profile.pk for profile in profiles]
        logs = facts.day_logs(ids, date_from=facts.window_start(now))
        live: dict[int, dict[tuple[str, str], Flag]] = defaultdict(dict)
        for flag in Flag.objects.filter(patient_id__in=ids, status__in=LIVE):
            live[flag.patient_id][(flag.rule, flag.subject)] = flag
        resolved_at: dict[int, dict[tuple[str, str], Resolution]] = defaultdict(dict)
        for row in (
            Flag.objects.filter(patient_id__in=ids, status=FlagStatus.RESOLVED)
            .values("patient_id", "rule", "subject")
            .annotate(
                last=Max("resolved_at"),
                last_by_person=Max("resolved_at", filter=Q(resolved_by__isnull=False)),
            )
        ):
            if row["last"] is not None:
                resolution = Resolution(row["last"], row["last"] == row["last_by_person"])
                resolved_at[row["patient_id"]][(row["rule"], row["subject"])] = resolution
        to_create: list[Flag] = []
        for profile in profiles:
            patient = facts.facts_for(profile, now=now, logs=logs.get(profile.pk, {}))
            # Stored titles, explanations and advice speak to the patient, in their language;
            # staff read their own words, made at display time (selectors.flag_staff_*).
            # The symptom names in them too: the catalogue in that language (cached per
            # language), unless the caller brought its own.
            with in_language_of(profile.user):
                findings = rules.evaluate(
                    patient,
                    symptoms=symptoms or facts.symptom_facts(),
                    thresholds=limits,
                    numbers=numbers,
                )
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
            _set_reported_at(to_create)
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

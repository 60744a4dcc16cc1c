"""What to do now, right after a log is saved: the pure flag rules run in the request.

CLINICAL.md, "What the patient sees": an ``urgent`` finding is shown at once with its advice,
from the same rules the worker runs, never waiting for it. Nothing here touches the broker or
writes flags; it only reads the patient's recent logs and evaluates them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from accounts.models import PatientProfile
from flags import facts, rules
from flags.models import FlagStatus

log = logging.getLogger(__name__)

EMERGENCY, CALL_NOW = "emergency", "call_now"
# Rules whose urgent findings mean "go to the emergency department now", whatever the symptom.
EMERGENCY_RULES = frozenset({"mscc"})


@dataclass(frozen=True, slots=True)
class UrgentAdvice:
    """One urgent finding as the patient sees it, JSON-friendly for the session (PRG)."""

    title: str
    explanation: str
    advice: str
    action: str  # emergency | call_now
    # Which flag it will become once stored (the attention state shows one of the two), and the
    # days it is about. Defaults keep advice remembered by an older release readable.
    rule: str = ""
    subject: str = ""
    evidence: tuple[str, ...] = ()

    @property
    def is_emergency(self) -> bool:
        return self.action == EMERGENCY

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["evidence"] = list(self.evidence)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> UrgentAdvice:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["evidence"] = tuple(str(day) for day in known.get("evidence") or ())  # type: ignore[union-attr]
        return cls(**known)  # type: ignore[arg-type]


def action_for(rule: str, symptom: str | None, symptoms: dict[str, rules.SymptomFacts]) -> str:
    """What an urgent finding or flag asks for: the emergency department, or the 24-hour line."""
    if rule in EMERGENCY_RULES:
        return EMERGENCY
    facts_of = symptoms.get(symptom or "")
    if rule == "red_flag" and facts_of is not None and facts_of.red_flag == EMERGENCY:
        return EMERGENCY
    return CALL_NOW


def _action(finding: rules.Finding, symptoms: dict[str, rules.SymptomFacts]) -> str:
    return action_for(finding.rule, finding.symptom, symptoms)


@dataclass(frozen=True, slots=True)
class Check:
    """Every finding of the pure rules for a patient now, and whether they have a live flag."""

    findings: list[rules.Finding]
    has_live_flag: bool

    @property
    def urgent(self) -> list[rules.Finding]:
        return [finding for finding in self.findings if finding.level == rules.URGENT]


def check(
    profile: PatientProfile, *, now: dt.datetime, symptoms: dict[str, rules.SymptomFacts]
) -> Check:
    """The pure rules for the patient now (no flags are written); three queries at most."""
    patient = facts.one_patient(profile, now=now)  # the facts builder shared with the worker
    findings = rules.evaluate(
        patient.facts,
        symptoms=symptoms,
        thresholds=patient.thresholds,
        numbers=facts.advice_numbers(),
    )
    return Check(findings=findings, has_live_flag=patient.has_live_flag)


def _findings(
    profile: PatientProfile, *, now: dt.datetime, symptoms: dict[str, rules.SymptomFacts]
) -> list[rules.Finding]:
    """Every finding of the pure rules for the patient now (no flags are written)."""
    return check(profile, now=now, symptoms=symptoms).findings


def _advice(
    findings: list[rules.Finding], symptoms: dict[str, rules.SymptomFacts]
) -> list[UrgentAdvice]:
    """The urgent findings as the patient sees them, emergencies first (else the rules' order)."""
    advice = [
        UrgentAdvice(
            title=finding.title,
            explanation=finding.explanation,
            advice=finding.advice,
            action=_action(finding, symptoms),
            rule=finding.rule,
            subject=finding.subject,
            evidence=tuple(day.isoformat() for day in finding.evidence),
        )
        for finding in findings
        if finding.level == rules.URGENT
    ]
    return sorted(advice, key=lambda item: not item.is_emergency)


def urgent_findings(
    profile: PatientProfile, *, now: dt.datetime | None = None
) -> list[rules.Finding]:
    """The patient's urgent findings now, from the pure rules (no flags are written)."""
    return urgent_check(profile, now=now).urgent


def urgent_check(profile: PatientProfile, *, now: dt.datetime | None = None) -> Check:
    """The rules for the patient now, for a response that shows the urgent findings and the
    live flags (read only when ``has_live_flag``)."""
    return check(profile, now=now or timezone.now(), symptoms=facts.symptom_facts())


def urgent_advice(profile: PatientProfile, *, now: dt.datetime | None = None) -> list[UrgentAdvice]:
    """The patient's urgent findings now, emergencies first."""
    symptoms = facts.symptom_facts()
    return _advice(_findings(profile, now=now or timezone.now(), symptoms=symptoms), symptoms)


def safe_urgent_advice(
    profile: PatientProfile, *, now: dt.datetime | None = None
) -> list[UrgentAdvice] | None:
    """As ``urgent_advice``, but a failure (a bug, a database hiccup) never loses the saved log:
    it is logged and ``None`` tells the page to show the general safety advice instead."""
    try:
        return urgent_advice(profile, now=now)
    except Exception:
        log.exception("Urgent advice could not be worked out for patient %s", profile.user_id)
        return None


# --- After a save: what the next pages must show until the worker has stored it ---------------

SESSION_KEY = "urgent_advice"
LIVE = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)  # as flags.selectors, which reads this module
PENDING_HOURS = 24  # belt and braces: the worker stores a finding within seconds


@dataclass(frozen=True, slots=True)
class AfterSave:
    """What the rules say right after a save: the urgent advice (``None``: could not check),
    and whether anything at all is to be raised (a finding or a live flag of any level)."""

    advice: list[UrgentAdvice] | None
    anything_raised: bool


def after_save(profile: PatientProfile, *, now: dt.datetime | None = None) -> AfterSave:
    """The urgent advice and whether the page may say there is nothing else to do (never while
    a flag is live or about to be). A failure never loses the saved log (see
    ``safe_urgent_advice``)."""
    now = now or timezone.now()
    try:
        symptoms = facts.symptom_facts()
        result = check(profile, now=now, symptoms=symptoms)
    except Exception:
        log.exception("Urgent advice could not be worked out for patient %s", profile.user_id)
        return AfterSave(advice=None, anything_raised=True)
    return AfterSave(
        advice=_advice(result.findings, symptoms),
        anything_raised=bool(result.findings) or result.has_live_flag,
    )


def remember(session: SessionBase, advice: list[UrgentAdvice] | None, *, now: dt.datetime) -> None:
    """Keep a save's urgent advice for the pages that follow (PRG): the attention state shows it
    on every page until the worker has stored it as a flag. ``None``: say once that we could not
    check."""
    if advice is None:
        session[SESSION_KEY] = {"unchecked": True, "items": [], "at": now.isoformat()}
    elif advice:
        items = [item.as_dict() for item in advice]
        session[SESSION_KEY] = {"unchecked": False, "items": items, "at": now.isoformat()}
    else:
        session.pop(SESSION_KEY, None)


@dataclass(frozen=True, slots=True)
class Pending:
    """Urgent advice from the last save, not known to be stored yet."""

    items: list[UrgentAdvice]
    saved_at: dt.datetime | None
    unchecked: bool


def pending(session: SessionBase, *, now: dt.datetime) -> Pending:
    """What the last save remembered (nothing when too old or unreadable)."""
    stored = session.get(SESSION_KEY) or {}
    try:
        saved_at = dt.datetime.fromisoformat(stored["at"]) if stored.get("at") else None
        items = [UrgentAdvice.from_dict(item) for item in stored.get("items", [])]
    except (TypeError, ValueError, KeyError):
        session.pop(SESSION_KEY, None)
        return Pending(items=[], saved_at=None, unchecked=False)
    if saved_at is not None and now - saved_at > dt.timedelta(hours=PENDING_HOURS):
        session.pop(SESSION_KEY, None)
        return Pending(items=[], saved_at=None, unchecked=False)
    return Pending(items=items, saved_at=saved_at, unchecked=bool(stored.get("unchecked")))


def forget(session: SessionBase, *, unchecked: bool, keep: list[UrgentAdvice]) -> None:
    """Drop what the pages no longer need: the "could not check" notice once shown, and advice
    that is now a stored flag (or was dealt with)."""
    stored = session.get(SESSION_KEY)
    if not stored:
        return
    if not keep:
        session.pop(SESSION_KEY, None)
        return
    changed = unchecked and stored.get("unchecked")
    if len(keep) != len(stored.get("items", [])) or changed:
        stored = {**stored, "unchecked": False, "items": [item.as_dict() for item in keep]}
        session[SESSION_KEY] = stored

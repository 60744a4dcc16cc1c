"""What to do now, right after a log is saved: the pure flag rules run in the request.

CLINICAL.md, "What the patient sees": an ``urgent`` finding is shown at once with its advice,
from the same rules the worker runs, never waiting for it. Nothing here touches the broker or
writes flags; it only reads the patient's recent logs and evaluates them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils import timezone

from accounts.models import PatientProfile
from flags import facts, rules

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

    @property
    def is_emergency(self) -> bool:
        return self.action == EMERGENCY

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _action(finding: rules.Finding, symptoms: dict[str, rules.SymptomFacts]) -> str:
    if finding.rule in EMERGENCY_RULES:
        return EMERGENCY
    symptom = symptoms.get(finding.symptom or "")
    if finding.rule == "red_flag" and symptom is not None and symptom.red_flag == EMERGENCY:
        return EMERGENCY
    return CALL_NOW


def urgent_findings(
    profile: PatientProfile, *, now: dt.datetime | None = None
) -> list[rules.Finding]:
    """The patient's urgent findings now, from the pure rules (no flags are written)."""
    now = now or timezone.now()
    patient = facts.patient_facts(profile, now=now)  # the one builder, shared with the worker
    numbers = rules.AdviceNumbers(
        emergency=settings.EMERGENCY_NUMBER, care_line=settings.CARE_TEAM_24H_LINE
    )
    findings = rules.evaluate(
        patient, symptoms=facts.symptom_facts(), thresholds=facts.thresholds(), numbers=numbers
    )
    return [finding for finding in findings if finding.level == rules.URGENT]


def urgent_advice(profile: PatientProfile, *, now: dt.datetime | None = None) -> list[UrgentAdvice]:
    """The patient's urgent findings now, emergencies first."""
    symptoms = facts.symptom_facts()
    findings = urgent_findings(profile, now=now)
    advice = [
        UrgentAdvice(
            title=finding.title,
            explanation=finding.explanation,
            advice=finding.advice,
            action=_action(finding, symptoms),
        )
        for finding in findings
    ]
    return sorted(advice, key=lambda item: not item.is_emergency)  # stable: rules' order kept


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

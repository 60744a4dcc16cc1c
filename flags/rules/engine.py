"""Every rule in CLINICAL.md, combined: ``mscc`` absorbs its red flags, ``several_warnings`` reads
the ``soon`` findings, and the result is sorted most urgent first."""

from __future__ import annotations

from collections.abc import Mapping

from flags.rules import checks
from flags.rules.context import EMERGENCY, Context
from flags.rules.types import (
    LEVEL_ORDER,
    URGENT,
    AdviceNumbers,
    Finding,
    PatientFacts,
    SymptomFacts,
    Thresholds,
)

# Within a level: emergencies first, then the rest in this order.
RULE_ORDER = {
    rule: rank
    for rank, rule in enumerate(
        (
            "mscc",
            "red_flag",
            "fever",
            "hypercalcemia",
            "several_warnings",
            "severe",
            "worsening",
            "distress",
            "new_site",
            "not_logging",
            "persistent",
            "restaging_overdue",
        )
    )
}
DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_NUMBERS = AdviceNumbers()


def evaluate(
    facts: PatientFacts,
    *,
    symptoms: Mapping[str, SymptomFacts],
    thresholds: Thresholds | None = None,
    numbers: AdviceNumbers | None = None,
) -> list[Finding]:
    """All findings for one patient today, most urgent first; deterministic.

    ``numbers`` are the phone numbers written into urgent advice (from settings; the defaults
    say 999 and the 24-hour line without a number).
    """
    ctx = Context(facts, symptoms, thresholds or DEFAULT_THRESHOLDS, numbers or DEFAULT_NUMBERS)
    findings = checks.mscc(ctx)
    absorbed = frozenset(day for finding in findings for day in finding.evidence)
    findings += checks.red_flag(ctx, absorbed)
    findings += checks.fever(ctx)
    findings += checks.hypercalcemia(ctx)
    findings += checks.severe(ctx)
    findings += checks.worsening(ctx)
    findings += checks.distress(ctx)
    findings += checks.new_site(ctx)
    findings += checks.not_logging(ctx)
    findings += checks.persistent(ctx)
    findings += checks.restaging_overdue(ctx)
    findings += checks.several_warnings(ctx, findings)

    def order(finding: Finding) -> tuple[int, int, int, str, str]:
        symptom = symptoms.get(finding.symptom or "")
        emergency = finding.rule == "mscc" or (
            finding.rule == "red_flag" and symptom is not None and symptom.red_flag == EMERGENCY
        )
        return (
            LEVEL_ORDER[finding.level],
            0 if emergency and finding.level == URGENT else 1,
            RULE_ORDER[finding.rule],
            finding.symptom or "",
            finding.site or "",
        )

    return sorted(findings, key=order)

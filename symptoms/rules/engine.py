"""Contract (implemented by the rules work): every rule in CLINICAL.md, combined."""

from __future__ import annotations

from collections.abc import Mapping

from symptoms.rules.types import Finding, PatientFacts, SymptomFacts, Thresholds


def evaluate(
    facts: PatientFacts,
    *,
    symptoms: Mapping[str, SymptomFacts],
    thresholds: Thresholds | None = None,
) -> list[Finding]:
    """All findings for one patient today, most urgent first; deterministic."""
    raise NotImplementedError

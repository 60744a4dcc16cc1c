"""The flag rules of CLINICAL.md as pure functions: (patient facts, recent logs, thresholds,
today) -> findings. Nothing here imports the ORM or the rest of the project.

The one entry point is ``evaluate``; see ``types`` for the data it reads and returns.
"""

from flags.rules.engine import evaluate
from flags.rules.types import (
    NEXT_VISIT,
    SOON,
    URGENT,
    AdviceNumbers,
    DayLog,
    Finding,
    PatientFacts,
    RestagingFacts,
    SymptomFacts,
    Thresholds,
)

__all__ = [
    "NEXT_VISIT",
    "SOON",
    "URGENT",
    "AdviceNumbers",
    "DayLog",
    "Finding",
    "PatientFacts",
    "RestagingFacts",
    "SymptomFacts",
    "Thresholds",
    "evaluate",
]

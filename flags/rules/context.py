"""What every rule reads, prepared once per evaluation: the patient's logs (one per day, newest
first) and the catalogue grouped by kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from flags.rules.types import AdviceNumbers, DayLog, PatientFacts, SymptomFacts, Thresholds

SEVERITY, PRESENCE, TEMPERATURE = "severity", "presence", "temperature"
NO_RED_FLAG, CALL_NOW, EMERGENCY = "none", "call_now", "emergency"
RECENT_DAYS = 2  # "recent": today or yesterday in the patient's time zone


def level(log: DayLog, code: str) -> int | Decimal:
    """A severity (or temperature) value; 0 when the log does not mention the symptom."""
    value = log.values.get(code)
    if value is None or isinstance(value, bool):
        return int(bool(value))
    return value


def present(log: DayLog, code: str) -> bool:
    return bool(log.values.get(code))


class Context:
    """One patient on one day, as the rules see them."""

    __slots__ = (
        "ever_logged",
        "logs",
        "metastasis",
        "newest_any",
        "numbers",
        "recent",
        "red_flags",
        "restaging",
        "severity",
        "sites",
        "symptoms",
        "temperature",
        "thresholds",
        "today",
    )

    def __init__(
        self,
        facts: PatientFacts,
        symptoms: Mapping[str, SymptomFacts],
        thresholds: Thresholds,
        numbers: AdviceNumbers,
    ) -> None:
        self.today = facts.today
        self.sites = facts.sites
        self.symptoms = symptoms
        self.thresholds = thresholds
        self.numbers = numbers
        self.restaging = facts.restaging
        by_date: dict[dt.date, DayLog] = {}
        for log in facts.logs:  # one log per day; should a day repeat, the later entry wins
            by_date[log.date] = log
        self.newest_any: dt.date | None = max(by_date) if by_date else None
        # A log dated after ``today`` (a clock or zone slip) counts only as "has logged".
        self.logs: tuple[DayLog, ...] = tuple(
            by_date[day] for day in sorted(by_date, reverse=True) if day <= facts.today
        )
        self.ever_logged = bool(by_date) if facts.ever_logged is None else facts.ever_logged
        self.recent = self.within(RECENT_DAYS)

        codes = sorted(symptoms)
        self.severity = tuple(c for c in codes if symptoms[c].kind == SEVERITY)
        self.temperature = tuple(c for c in codes if symptoms[c].kind == TEMPERATURE)
        self.red_flags = tuple(
            c for c in codes if symptoms[c].kind == PRESENCE and symptoms[c].red_flag != NO_RED_FLAG
        )
        metastasis: dict[str, list[str]] = {}
        for code in codes:
            if symptoms[code].is_metastasis_site:
                metastasis.setdefault(symptoms[code].site, []).append(code)
        self.metastasis = {site: tuple(metastasis[site]) for site in sorted(metastasis)}

    def days_ago(self, day: dt.date) -> int:
        return (self.today - day).days

    def within(self, days: int) -> tuple[DayLog, ...]:
        """Logs dated in the last ``days`` days, today counting as the first; newest first."""
        oldest = self.today - dt.timedelta(days=days - 1)
        picked = []
        for log in self.logs:
            if log.date < oldest:
                break
            picked.append(log)
        return tuple(picked)

    def is_recent(self, day: dt.date) -> bool:
        return 0 <= self.days_ago(day) < RECENT_DAYS

    def name(self, code: str) -> str:
        symptom = self.symptoms.get(code)
        return symptom.name if symptom is not None else code.replace("_", " ").capitalize()

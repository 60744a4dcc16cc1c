"""Plain data the flag rules read and return. No Django, no ORM: rules are pure functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

URGENT, SOON, NEXT_VISIT = "urgent", "soon", "next_visit"
LEVEL_ORDER = {URGENT: 0, SOON: 1, NEXT_VISIT: 2}


@dataclass(frozen=True, slots=True)
class SymptomFacts:
    code: str
    name: str
    site: str  # bone | brain | liver | lung | general | treatment
    kind: str  # severity | presence | temperature
    red_flag: str  # none | call_now | emergency
    is_metastasis_site: bool


@dataclass(frozen=True, slots=True)
class DayLog:
    """One daily log: a full snapshot (a symptom it does not mention is 0 / absent that day)."""

    date: dt.date
    values: dict[str, int | bool | Decimal]  # code -> severity | present | temperature


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The shipped defaults of CLINICAL.md, "Flag rules"; admins may tune them."""

    fever_celsius: Decimal = Decimal("38.0")
    severe: int = 7
    worsening_rise: int = 2
    worsening_floor: int = 4
    worsening_min_baseline_logs: int = 4
    worsening_baseline_days: int = 14
    persistent_level: int = 4
    persistent_count: int = 3
    persistent_of_last: int = 5
    persistent_days: int = 7
    new_site_level: int = 4
    new_site_count: int = 3
    new_site_days: int = 7
    distress_level: int = 7
    hypercalcemia_level: int = 4
    hypercalcemia_days: int = 3
    not_logging_days: int = 4
    restaging_grace_days: int = 14
    recent_red_flag_days: int = 30


@dataclass(frozen=True, slots=True)
class AdviceNumbers:
    """Phone numbers written into urgent advice. The rules read no settings: the caller passes
    ``AdviceNumbers(emergency=settings.EMERGENCY_NUMBER, care_line=settings.CARE_TEAM_24H_LINE)``.
    An empty ``care_line`` gives "call your care team's 24-hour line" without a number."""

    emergency: str = "999"
    care_line: str = ""


@dataclass(frozen=True, slots=True)
class RestagingFacts:
    interval_weeks: int
    enrolled_on: dt.date
    last_restaging_on: dt.date | None  # the last scan or restaging visit (local date)
    next_booked: bool  # a scan or restaging visit booked in the future


@dataclass(frozen=True, slots=True)
class PatientFacts:
    sites: frozenset[str]  # known metastasis sites
    today: dt.date  # in the patient's own time zone
    logs: tuple[DayLog, ...]  # the last 30 days (or more), any order
    restaging: RestagingFacts | None = None
    ever_logged: bool | None = None  # None: decide from ``logs``


@dataclass(frozen=True, slots=True)
class Finding:
    """Something worth raising. One flag per (rule, symptom or site) is open at a time."""

    rule: str
    level: str  # urgent | soon | next_visit
    title: str
    explanation: str
    advice: str
    evidence: tuple[dt.date, ...] = field(default=())
    symptom: str | None = None
    site: str | None = None

    @property
    def subject(self) -> str:
        return self.symptom or self.site or ""

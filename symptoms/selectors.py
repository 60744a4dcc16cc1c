"""Reads for symptoms: the catalogue as a patient sees it, their logs and their trends.

Every function takes the patient whose data it reads; callers decide who that may be through
accounts.access (a patient reads only their own logs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from accounts.models import User
from symptoms.catalogue import SiteInfo, SymptomInfo, get_catalogue
from symptoms.models import DailyLog, LogEntry


@dataclass(frozen=True)
class SiteGroup:
    site: SiteInfo
    symptoms: list[SymptomInfo]
    own_site: bool  # one of the patient's known metastasis sites, or general / treatment


def symptom_groups(*, patient_sites: list[str]) -> list[SiteGroup]:
    """Active symptoms grouped by site: the patient's own sites first, then general and
    treatment side effects, then the other metastasis sites (so new problems can be noted)."""
    catalogue = get_catalogue()
    by_site: dict[str, list[SymptomInfo]] = {site.code: [] for site in catalogue.sites}
    for symptom in catalogue.active:
        by_site.setdefault(symptom.site, []).append(symptom)

    def rank(site: SiteInfo) -> int:
        if site.is_metastasis_site and site.code in patient_sites:
            return 0
        return 1 if not site.is_metastasis_site else 2

    ordered = sorted(catalogue.sites, key=rank)  # stable: keeps display order within a rank
    return [
        SiteGroup(site=site, symptoms=by_site[site.code], own_site=rank(site) < 2)
        for site in ordered
        if by_site[site.code]
    ]


@dataclass(frozen=True)
class CodeCoverage:
    symptoms: int  # active catalogue symptoms
    with_proctcae: int
    with_loinc: int

    @property
    def proctcae_share(self) -> float:
        return self.with_proctcae / self.symptoms if self.symptoms else 0.0

    @property
    def loinc_share(self) -> float:
        return self.with_loinc / self.symptoms if self.symptoms else 0.0


def code_coverage() -> CodeCoverage:
    """How many active symptoms carry a PRO-CTCAE term and a LOINC code (README figures)."""
    active = get_catalogue().active
    return CodeCoverage(
        symptoms=len(active),
        with_proctcae=sum(1 for symptom in active if symptom.proctcae_term),
        with_loinc=sum(1 for symptom in active if symptom.loinc_code),
    )


def logs_for(
    *, patient: User, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[DailyLog]:
    """The patient's logs, newest first, with their entries (one extra query in all)."""
    logs = DailyLog.objects.filter(patient=patient)
    if date_from is not None:
        logs = logs.filter(date__gte=date_from)
    if date_to is not None:
        logs = logs.filter(date__lte=date_to)
    return (
        logs.order_by("-date")
        .select_related("entered_by")  # who entered it, shown when it was not the patient
        .prefetch_related(Prefetch("entries", queryset=LogEntry.objects.order_by("symptom_id")))
    )


def entered_by_someone_else(log: DailyLog) -> User | None:
    """Who entered this log, when it was not the patient themself (their carer); None for the
    patient's own logs and for logs from before anyone was recorded."""
    if log.entered_by_id is None or log.entered_by_id == log.patient_id:
        return None
    return log.entered_by


def log_on(*, patient: User, date: dt.date) -> DailyLog | None:
    return logs_for(patient=patient, date_from=date, date_to=date).first()


def logged_days(*, patient: User, date_from: dt.date, date_to: dt.date) -> set[dt.date]:
    """The days from ``date_from`` to ``date_to`` (inclusive) that have a log (one query)."""
    return set(
        DailyLog.objects.filter(
            patient=patient, date__gte=date_from, date__lte=date_to
        ).values_list("date", flat=True)
    )


@dataclass
class SymptomSeries:
    """One symptom's values over a window, one per day (None where there was no log)."""

    symptom: SymptomInfo
    values: list[float | None]
    days: list[dt.date]
    logged_days: int = 0
    peak: float | None = None
    latest: float | None = None
    summary: str = ""

    @property
    def points(self) -> list[tuple[dt.date, float]]:
        return [
            (day, value)
            for day, value in zip(self.days, self.values, strict=True)
            if value is not None
        ]


@dataclass
class History:
    days: list[dt.date]
    logged: set[dt.date]
    groups: list[tuple[SiteInfo, list[SymptomSeries]]] = field(default_factory=list)
    # The days someone other than the patient (their carer) entered, and who.
    entered_by_others: dict[dt.date, User] = field(default_factory=dict)


def history(
    *, patient: User, today: dt.date, days: int, logs: list[DailyLog] | None = None
) -> History:
    """Per-symptom daily values for the last ``days`` days, grouped by site (two queries, none
    when the caller passes ``logs``: the window's logs as ``logs_for`` gives them).

    A log is a full snapshot: on a logged day a symptom it does not mention counts as 0 (or
    "no"); on a day with no log the value is unknown (None).
    """
    start = today - dt.timedelta(days=days - 1)
    window = [start + dt.timedelta(days=offset) for offset in range(days)]
    if logs is None:
        logs = list(logs_for(patient=patient, date_from=start, date_to=today))
    logged = {log.date for log in logs}
    values: dict[str, dict[dt.date, float]] = {}
    for log in logs:
        for entry in log.entries.all():
            value = entry.value
            if value is None:
                continue
            values.setdefault(entry.symptom_id, {})[log.date] = float(value)

    catalogue = get_catalogue()
    sites = [group.site for group in symptom_groups(patient_sites=patient.patient_profile.sites)]
    # A site whose symptoms are all retired has no group, but its history still shows.
    sites += [site for site in catalogue.sites if site not in sites]
    grouped: dict[str, list[SymptomSeries]] = {}
    for symptom in catalogue.symptoms.values():
        recorded = values.get(symptom.code, {})
        if not symptom.active and not recorded:
            continue
        default = None if symptom.kind == "temperature" else 0.0
        series_values = [recorded.get(day, default) if day in logged else None for day in window]
        series = SymptomSeries(symptom=symptom, values=series_values, days=window)
        known = [value for value in series_values if value is not None]
        series.logged_days = len(known)
        series.peak = max(known) if known else None
        series.latest = known[-1] if known else None
        grouped.setdefault(symptom.site, []).append(series)
    result = History(days=window, logged=logged)
    for log in logs:
        who = entered_by_someone_else(log)
        if who is not None:
            result.entered_by_others[log.date] = who
    result.groups = [(site, grouped[site.code]) for site in sites if site.code in grouped]
    return result


def last_log_date_subquery() -> Subquery:
    """For annotating patient profiles (``OuterRef("user")``): the date of their newest log."""
    return Subquery(
        DailyLog.objects.filter(patient=OuterRef("user")).order_by("-date").values("date")[:1]
    )

"""What the flag rules read about patients: the thresholds in force, the catalogue as rule data,
and each patient's last 30 days of logs and restaging facts, read in batches (a fixed number of
queries for any number of patients). Reads only; the worker and the urgent advice share them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery

from accounts.models import PatientProfile
from appointments.choices import SCAN_KINDS
from appointments.models import Appointment, AppointmentStatus
from appointments.selectors import last_restaging_subquery
from flags import rules
from flags.models import FlagThresholds
from flags.rules.checks import DISTRESS_SYMPTOMS
from symptoms.catalogue import get_catalogue
from symptoms.models import DailyLog

WINDOW_DAYS = 30  # the rules read the last 30 days of logs

THRESHOLD_FIELDS = tuple(rules.Thresholds.__dataclass_fields__)


def thresholds() -> rules.Thresholds:
    """The thresholds admins set (the shipped defaults until they change any)."""
    row = FlagThresholds.objects.filter(singleton=1).first()
    if row is None:
        return rules.Thresholds()
    return rules.Thresholds(**{name: getattr(row, name) for name in THRESHOLD_FIELDS})


def advice_numbers() -> rules.AdviceNumbers:
    """The phone numbers written into advice: always those in settings, never a default."""
    return rules.AdviceNumbers(
        emergency=settings.EMERGENCY_NUMBER, care_line=settings.CARE_TEAM_24H_LINE
    )


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


def profiles_for_rules(
    patient_ids: Sequence[int], *, now: dt.datetime, lock: bool
) -> list[PatientProfile]:
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


def day_logs(
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


def facts_for(
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


def window_start(now: dt.datetime) -> dt.date:
    # Every time zone's "today" is within a day of UTC's; a day more keeps every window whole.
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=WINDOW_DAYS + 1)


def patient_facts(profile: PatientProfile, *, now: dt.datetime) -> rules.PatientFacts:
    """What the rules read about one patient: the last 30 days of logs (in their time zone),
    whether they ever logged, and their restaging facts."""
    (loaded,) = profiles_for_rules([profile.pk], now=now, lock=False)
    logs = day_logs([profile.pk], date_from=window_start(now))
    return facts_for(loaded, now=now, logs=logs.get(profile.pk, {}))


def distress_symptoms() -> tuple[str, ...]:
    """Symptoms whose high scores are left to the ``distress`` rule (support), not ``severe``."""
    return DISTRESS_SYMPTOMS

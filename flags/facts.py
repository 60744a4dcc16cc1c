"""What the flag rules read about patients: the thresholds in force, the catalogue as rule data,
and each patient's last 30 days of logs and restaging facts, read in batches (a fixed number of
queries for any number of patients). Reads only; the worker and the urgent advice share them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from accounts.models import PatientProfile
from appointments.choices import SCAN_KINDS
from appointments.models import Appointment, AppointmentStatus
from appointments.selectors import last_restaging_subquery
from flags import rules
from flags.models import Flag, FlagStatus, FlagThresholds
from flags.rules.checks import DISTRESS_SYMPTOMS
from symptoms.catalogue import Catalogue, get_catalogue
from symptoms.models import DailyLog

WINDOW_DAYS = 30  # the rules read the last 30 days of logs

THRESHOLD_FIELDS = tuple(rules.Thresholds.__dataclass_fields__)


def thresholds() -> rules.Thresholds:
    """The thresholds admins set (the shipped defaults until they change any)."""
    row = FlagThresholds.objects.filter(singleton=1).first()
    if row is None:
        return rules.Thresholds()
    return rules.Thresholds(**{name: getattr(row, name) for name in THRESHOLD_FIELDS})


# --- The thresholds, kept per process while their row is unchanged -----------------------------
#
# PostgreSQL gives every row version a (xmin, ctid) pair that no later version of it shares:
# any write to the thresholds row, through admin, a service, a queryset update or plain SQL,
# changes it. A query the caller makes anyway reads it (``thresholds_version``), so checking
# that the copy kept here is current costs no query of its own.

NO_ROW = "none"  # the version when no row exists yet: the shipped defaults are in force
_thresholds_lock = threading.Lock()
_thresholds_kept: tuple[str, rules.Thresholds] | None = None


def thresholds_version() -> RawSQL | None:
    """An expression for the thresholds row's version, to annotate onto a query the caller
    makes anyway; None where the database has no row versions to read (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(FlagThresholds._meta.db_table)
    sql = f"COALESCE((SELECT xmin::text || ctid::text FROM {table} WHERE singleton = 1), %s)"  # noqa: S608 (our table)
    return RawSQL(sql, [NO_ROW])  # noqa: S611 (no outside input)


def thresholds_at(version: str | None) -> rules.Thresholds:
    """The thresholds in force, read again only when ``version`` (from ``thresholds_version``,
    read in the caller's query) is not the one this process read them at. None: read them."""
    global _thresholds_kept
    kept = _thresholds_kept
    if version is not None and kept is not None and kept[0] == version:
        return kept[1]
    if version is None:
        return thresholds()
    row = (
        FlagThresholds.objects.filter(singleton=1)
        .annotate(version=RawSQL("xmin::text || ctid::text", []))
        .first()
    )
    if row is None:
        current = (NO_ROW, rules.Thresholds())
    else:
        values = {name: getattr(row, name) for name in THRESHOLD_FIELDS}
        current = (row.version, rules.Thresholds(**values))  # type: ignore[attr-defined]
    with _thresholds_lock:
        _thresholds_kept = current
    return current[1]


def advice_numbers() -> rules.AdviceNumbers:
    """The phone numbers written into advice: always those in settings, never a default."""
    return rules.AdviceNumbers(
        emergency=settings.EMERGENCY_NUMBER, care_line=settings.CARE_TEAM_24H_LINE
    )


_symptom_facts_kept: tuple[Catalogue, dict[str, rules.SymptomFacts]] | None = None


def symptom_facts() -> dict[str, rules.SymptomFacts]:
    """The whole catalogue (retired symptoms too: their old entries still count) as rule data,
    made again only when this process has loaded the catalogue again."""
    global _symptom_facts_kept
    catalogue = get_catalogue()
    kept = _symptom_facts_kept
    if kept is not None and kept[0] is catalogue:
        return kept[1]
    facts = _symptom_facts(catalogue)
    _symptom_facts_kept = (catalogue, facts)
    return facts


def _symptom_facts(catalogue: Catalogue) -> dict[str, rules.SymptomFacts]:
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
        # The user comes along: findings are worded in the patient's language.
        .select_related("user")
        .only(
            "user",
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


def _day_log_rows(patient_ids: Sequence[int], *, date_from: dt.date) -> QuerySet:
    return DailyLog.objects.filter(
        patient_id__in=list(patient_ids), date__gte=date_from
    ).values_list(
        "patient_id",
        "date",
        "entries__symptom_id",
        "entries__severity",
        "entries__present",
        "entries__temperature",
    )


def day_logs(
    patient_ids: Sequence[int], *, date_from: dt.date, chunk_size: int | None = 20000
) -> dict[int, dict[dt.date, dict[str, object]]]:
    """Each patient's logs from ``date_from`` on: date -> {code: value} (one query; a log with no
    entries is an empty snapshot, which counts too). ``chunk_size`` None reads all rows at once
    (one patient's month), without a server-side cursor's extra round trips."""
    rows = _day_log_rows(patient_ids, date_from=date_from)
    return _fold(rows.iterator(chunk_size=chunk_size) if chunk_size else rows)


def _fold(rows: Iterable[tuple]) -> dict[int, dict[dt.date, dict[str, object]]]:
    logs: dict[int, dict[dt.date, dict[str, object]]] = defaultdict(dict)
    for patient_id, date, code, severity, present, temperature in rows:
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
    return _facts(
        profile,
        now=now,
        logs=logs,
        last_restaging_at=profile.last_restaging_at,  # type: ignore[attr-defined]
        scan_booked=profile.scan_booked,  # type: ignore[attr-defined]
        newest_log_on=profile.newest_log_on,  # type: ignore[attr-defined]
    )


def _facts(
    profile: PatientProfile,
    *,
    now: dt.datetime,
    logs: dict[dt.date, dict[str, object]],
    last_restaging_at: dt.datetime | None,
    scan_booked: bool,
    newest_log_on: dt.date | None,
) -> rules.PatientFacts:
    zone = ZoneInfo(profile.timezone)
    today = now.astimezone(zone).date()
    start = today - dt.timedelta(days=WINDOW_DAYS)
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
            last_restaging_on=last_restaging_at.astimezone(zone).date()
            if last_restaging_at
            else None,
            next_booked=bool(scan_booked),
        ),
        ever_logged=newest_log_on is not None,
    )


def window_start(now: dt.datetime) -> dt.date:
    # Every time zone's "today" is within a day of UTC's; a day more keeps every window whole.
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=WINDOW_DAYS + 1)


@dataclass(frozen=True, slots=True)
class OnePatient:
    """What the rules read about one patient now, the thresholds in force, and whether the
    patient has a live (open or acknowledged) flag stored."""

    facts: rules.PatientFacts
    thresholds: rules.Thresholds
    has_live_flag: bool


def patient_facts(profile: PatientProfile, *, now: dt.datetime) -> rules.PatientFacts:
    """What the rules read about one patient: the last 30 days of logs (in their time zone),
    whether they ever logged, and their restaging facts."""
    return one_patient(profile, now=now).facts


def one_patient(profile: PatientProfile, *, now: dt.datetime) -> OnePatient:
    """``patient_facts`` and the thresholds for the rules in a request, in two queries: the
    month of logs, then one row of the patient's restaging facts, whether they have a live flag
    (so a caller showing flags reads them only when there are any) and the thresholds' version
    (so this process reads them again only after a change). The profile's own fields are taken
    as given (the API token's query loads them)."""
    logs = _one_patient_logs(profile.pk, date_from=window_start(now))
    # A log in the window says they have logged; else look further back.
    row = _one_row(profile.pk, now=now, newest_log=not logs)
    facts = _facts(
        profile,
        now=now,
        logs=logs,
        last_restaging_at=row["last_restaging_at"],  # type: ignore[arg-type]
        scan_booked=bool(row["scan_booked"]),
        newest_log_on=max(logs) if logs else row["newest_log_on"],  # type: ignore[arg-type]
    )
    return OnePatient(
        facts=facts,
        thresholds=thresholds_at(row.get("thresholds_version")),  # type: ignore[arg-type]
        has_live_flag=bool(row["has_live_flag"]),
    )


def _one_row_query(patient_id: int, *, now: dt.datetime, newest_log: bool) -> QuerySet:
    scan_booked = Appointment.objects.filter(
        patient=OuterRef("user"),
        kind__in=SCAN_KINDS,
        status=AppointmentStatus.SCHEDULED,
        starts_at__gt=now,
    )
    live_flag = Flag.objects.filter(
        patient=OuterRef("user"), status__in=(FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)
    )
    annotations = {
        "last_restaging_at": last_restaging_subquery(now=now),
        "scan_booked": Exists(scan_booked),
        "has_live_flag": Exists(live_flag),
    }
    if newest_log:
        newest = DailyLog.objects.filter(patient=OuterRef("user")).order_by("-date").values("date")
        annotations["newest_log_on"] = Subquery(newest[:1])
    version = thresholds_version()
    if version is not None:
        annotations["thresholds_version"] = version
    return PatientProfile.objects.filter(pk=patient_id).annotate(**annotations).values(*annotations)


# The row's SQL is the same on every request but for the patient and the moment, and building
# and compiling its queryset cost more than running it. So on PostgreSQL each process compiles
# it once per shape with stand-in values and binds the real ones after; the queryset above stays
# the one definition of what is read.
_STANDIN_PATIENT = -424_242  # no patient has a negative id
_STANDIN_NOW = dt.datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=dt.UTC)
_compiled_rows: dict[bool, tuple[str, tuple[object, ...]]] = {}


def _one_row(patient_id: int, *, now: dt.datetime, newest_log: bool) -> dict[str, object]:
    """One patient's restaging facts, live flag and thresholds' version (see ``one_patient``)."""
    if connection.vendor != "postgresql":  # SQLite passes datetimes as text: no stand-in
        return _one_row_query(patient_id, now=now, newest_log=newest_log).get()
    compiled = _compiled_rows.get(newest_log)
    if compiled is None:
        query = _one_row_query(_STANDIN_PATIENT, now=_STANDIN_NOW, newest_log=newest_log).query
        sql, params = query.sql_with_params()
        if params.count(_STANDIN_PATIENT) != 1 or _STANDIN_NOW not in params:
            raise RuntimeError("The rules' facts query no longer takes its values as expected.")
        compiled = _compiled_rows[newest_log] = (sql, tuple(params))
    sql, params = compiled
    bound = [
        patient_id if value == _STANDIN_PATIENT else now if value == _STANDIN_NOW else value
        for value in params
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        names = [column.name for column in cursor.description]
        row = cursor.fetchone()
    if row is None:
        raise PatientProfile.DoesNotExist(f"No patient profile {patient_id}.")
    return dict(zip(names, row, strict=True))


_STANDIN_DATE = dt.date(1901, 2, 3)
_compiled_logs: list[tuple[str, tuple[object, ...]]] = []


def _one_patient_logs(patient_id: int, *, date_from: dt.date) -> dict[dt.date, dict[str, object]]:
    """``day_logs`` for one patient, its SQL compiled once per process on PostgreSQL (as
    ``_one_row``): the same read, without building and compiling a queryset per request."""
    if connection.vendor != "postgresql":
        return day_logs([patient_id], date_from=date_from, chunk_size=None).get(patient_id, {})
    if not _compiled_logs:
        query = _day_log_rows([_STANDIN_PATIENT], date_from=_STANDIN_DATE).query
        sql, params = query.sql_with_params()
        if sorted(params, key=str) != sorted((_STANDIN_PATIENT, _STANDIN_DATE), key=str):
            raise RuntimeError("The rules' logs query no longer takes its values as expected.")
        _compiled_logs.append((sql, tuple(params)))
    sql, params = _compiled_logs[0]
    bound = [patient_id if value == _STANDIN_PATIENT else date_from for value in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        rows = cursor.fetchall()
    return _fold(rows).get(patient_id, {})


def distress_symptoms() -> tuple[str, ...]:
    """Symptoms whose high scores are left to the ``distress`` rule (support), not ``severe``."""
    return DISTRESS_SYMPTOMS

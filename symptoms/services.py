"""Writes for symptoms: saving and deleting daily logs, and catalogue changes.

One service saves a log for the web form, the API, admin and the demo seeder alike. It checks
everything first and then writes in one transaction, so a bad request saves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry as AuditEntry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import PatientProfile, User
from followups.services import request_flag_evaluation
from symptoms import reminder_planning
from symptoms.catalogue import Catalogue, clear_catalogue_cache, get_catalogue
from symptoms.models import (
    SEVERITY_MAX,
    SEVERITY_MIN,
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    DailyLog,
    LogEntry,
    Symptom,
    SymptomKind,
)

MAX_DAYS_BACK = 30
NOTES_MAX_LENGTH = 2000


TOO_PRECISE = gettext_lazy(
    "please use one number after the point at most, for example 38.4 (not 38.45)."
)


def too_precise(temperature: Decimal) -> bool:
    """Whether a temperature has more than one number after the point, as written: 38.45 (or
    38.40) is refused, never rounded, so the value saved is the value the patient typed. One
    rule for the log form and the API."""
    exponent = temperature.as_tuple().exponent
    return isinstance(exponent, int) and exponent < -1


class LogInputError(ValidationError):
    """A bad log. ``detail`` keeps the structure DRF uses: per-entry errors stay aligned with the
    entries (``{"entries": [{}, {"severity": [...]}]}``); the plain ValidationError view has
    every message, for forms and commands."""

    def __init__(self, detail: dict[str, list]) -> None:
        self.detail = detail
        flat: dict[str, list[str]] = {}
        for key, errors in detail.items():
            for error in errors:
                if isinstance(error, dict):
                    flat.setdefault(key, []).extend(m for ms in error.values() for m in ms)
                else:
                    flat.setdefault(key, []).append(error)
        super().__init__(flat)


@dataclass(frozen=True, slots=True)
class CleanEntry:
    symptom: str
    severity: int | None = None
    present: bool | None = None
    temperature: Decimal | None = None

    def as_model(self, log: DailyLog) -> LogEntry:
        return LogEntry(
            log=log,
            symptom_id=self.symptom,
            severity=self.severity,
            present=self.present,
            temperature=self.temperature,
        )


def allowed_dates(*, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a patient may log for: today and up to 30 days back."""
    return today - dt.timedelta(days=MAX_DAYS_BACK), today


def validate_log_date(day: dt.date, *, today: dt.date) -> None:
    earliest, latest = allowed_dates(today=today)
    if day > latest:
        raise LogInputError(
            {"date": [_("This date is in the future. You can log today or earlier.")]}
        )
    if day < earliest:
        raise LogInputError(
            {
                "date": [
                    _("You can log up to %(days)d days back. Please choose a later date.")
                    % {"days": MAX_DAYS_BACK}
                ]
            }
        )


def _named(name: str, problem: object) -> str:
    """ "Bone pain: use a whole number from 0 to 10." """
    return _("%(name)s: %(problem)s") % {"name": name, "problem": problem}


def _clean_entry(raw: object, catalogue: Catalogue) -> tuple[CleanEntry | None, dict]:
    """Check one raw entry ({"symptom": code, and "severity" | "present" | "value"})."""
    if not isinstance(raw, Mapping):
        return None, {"non_field_errors": [_("Each entry must be an object with a symptom.")]}
    code = raw.get("symptom")
    symptom = catalogue.symptoms.get(code) if isinstance(code, str) else None
    if symptom is None or not symptom.active:
        return None, {"symptom": [_("“%(code)s” is not a symptom we ask about.") % {"code": code}]}
    given = {key for key in ("severity", "present", "value") if raw.get(key) is not None}
    expected = {
        SymptomKind.SEVERITY: "severity",
        SymptomKind.PRESENCE: "present",
        SymptomKind.TEMPERATURE: "value",
    }[symptom.kind]
    if given != {expected}:
        wrong = sorted(given - {expected})
        message = {
            "severity": _("give a severity from 0 (none) to 10 (worst)."),
            "present": _("answer yes or no (true or false)."),
            "value": _("give a temperature in °C, for example 37.2."),
        }[expected]
        field = wrong[0] if wrong else expected
        return None, {field: [_named(symptom.name, message)]}
    value = raw[expected]
    if expected == "severity":
        if isinstance(value, bool) or not isinstance(value, int):
            return None, {"severity": [_named(symptom.name, _("use a whole number from 0 to 10."))]}
        if not SEVERITY_MIN <= value <= SEVERITY_MAX:
            return None, {"severity": [_named(symptom.name, _("severity must be from 0 to 10."))]}
        return CleanEntry(symptom.code, severity=value), {}
    if expected == "present":
        if not isinstance(value, bool):
            return None, {"present": [_named(symptom.name, _("answer true (yes) or false (no)."))]}
        return CleanEntry(symptom.code, present=value), {}
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise InvalidOperation
        temperature = Decimal(str(value))
        if not temperature.is_finite():  # "NaN" cannot be compared
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        return None, {"value": [_named(symptom.name, _("give a number in °C, for example 37.2."))]}
    if too_precise(temperature):
        return None, {"value": [_named(symptom.name, TOO_PRECISE)]}
    if not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        return None, {
            "value": [_named(symptom.name, _("a temperature must be between 34.0 and 43.0 °C."))]
        }
    return CleanEntry(symptom.code, temperature=temperature.quantize(Decimal("0.1"))), {}


def clean_entries(raw_entries: object, *, catalogue: Catalogue | None = None) -> list[CleanEntry]:
    """Validate a log's entries; errors come back aligned with the entries, as DRF does."""
    if not isinstance(raw_entries, list):
        raise LogInputError({"entries": [_("Entries must be a list.")]})
    catalogue = catalogue or get_catalogue()
    cleaned: list[CleanEntry] = []
    errors: list[dict] = []
    seen: set[str] = set()
    for raw in raw_entries:
        entry, error = _clean_entry(raw, catalogue)
        if entry is not None and entry.symptom in seen:
            entry, error = None, {"symptom": [_("This symptom is listed twice. Keep one.")]}
        if entry is not None:
            seen.add(entry.symptom)
            cleaned.append(entry)
        errors.append(error)
    if any(errors):
        raise LogInputError({"entries": errors})
    return cleaned


@transaction.atomic
def daily_log_save(
    *,
    patient: User,
    date: dt.date,
    entries: Iterable[Mapping[str, object]] | list[CleanEntry],
    notes: str = "",
    now: dt.datetime | None = None,
    entered_by: User | None = None,
) -> tuple[DailyLog, bool]:
    """Create or replace the patient's log for ``date``. Returns the log and whether it is new.
    ``entered_by``: who saved it, the patient or their carer (None: neither, e.g. the demo
    seeder); a replaced log says who saved it last.
    Once it commits, the patient's flags are evaluated in the background (stored flags and the
    care team's alerts; the urgent advice is the caller's, from the pure rules).

    Raises ValidationError (with field messages) and writes nothing on any bad input.
    """
    profile = _profile(patient)
    validate_log_date(date, today=profile.local_today(now))
    entry_list = list(entries)
    if not all(isinstance(entry, CleanEntry) for entry in entry_list):
        entry_list = clean_entries(entry_list)
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise LogInputError(
            {"notes": [_("Notes can be up to %(limit)d characters.") % {"limit": NOTES_MAX_LENGTH}]}
        )

    log, created, old_notes = _log_upsert(
        patient=patient, date=date, notes=notes, entered_by=entered_by
    )
    _log_audit(log, created=created, old_notes=old_notes)
    saved = LogEntry.objects.bulk_create([entry.as_model(log) for entry in entry_list])  # type: ignore[union-attr]
    _cache_entries(log, saved)
    reminder_planning.log_reminder_cancel(patient_id=patient.pk, day=date, now=now)
    request_flag_evaluation(patient.pk)
    return log, created


def _log_upsert(
    *, patient: User, date: dt.date, notes: str, entered_by: User | None = None
) -> tuple[DailyLog, bool, str]:
    """Create the day's log or replace its notes and drop its entries, locking the row. Returns
    the log, whether it is new, and its notes as they were (for the audit). On PostgreSQL a
    replace is one statement (an UPDATE that reads the old notes under the row lock, and deletes
    the old entries in the same round trip) and a create two; it does not read the log back, and
    no model signal reads it again."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        return _log_upsert_orm(
            patient=patient, date=date, notes=notes, now=now, entered_by=entered_by
        )
    table = connection.ops.quote_name(DailyLog._meta.db_table)
    entries = connection.ops.quote_name(LogEntry._meta.db_table)
    entered_by_id = entered_by.pk if entered_by is not None else None
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                # The entries' DELETE sees the rows as they were before this statement, which is
                # all it needs; the new entries are inserted by the next one.
                f"WITH replaced AS (UPDATE {table} AS log SET notes = %s, updated_at = %s, "  # noqa: S608 (our tables)
                "entered_by_id = %s "
                f"FROM (SELECT id, notes FROM {table} WHERE patient_id = %s AND date = %s "
                "FOR UPDATE) AS old WHERE log.id = old.id RETURNING log.id, log.created_at, "
                f"old.notes), dropped AS (DELETE FROM {entries} WHERE log_id IN "
                "(SELECT id FROM replaced)) SELECT id, created_at, notes FROM replaced",
                [notes, now, entered_by_id, patient.pk, date],
            )
            row = cursor.fetchone()
            if row is not None:
                log_id, created_at, old_notes = row
                created = False
                break
            cursor.execute(
                f"INSERT INTO {table} (patient_id, date, notes, created_at, updated_at, "  # noqa: S608
                "entered_by_id) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (patient_id, date) DO NOTHING RETURNING id",
                [patient.pk, date, notes, now, now, entered_by_id],
            )
            row = cursor.fetchone()
            if row is not None:  # else saved at the same moment by another request: replace it
                log_id, created_at, old_notes, created = row[0], now, "", True
                break
    log = DailyLog(
        id=log_id,
        patient=patient,
        date=date,
        notes=notes,
        created_at=created_at,
        updated_at=now,
        entered_by=entered_by,
    )
    log._state.adding = False
    return log, created, old_notes


def _log_upsert_orm(
    *,
    patient: User,
    date: dt.date,
    notes: str,
    now: dt.datetime,
    entered_by: User | None = None,
) -> tuple[DailyLog, bool, str]:
    """``_log_upsert`` through the ORM, for SQLite (make run), whose immediate transactions
    already keep a second writer out. Queryset writes, so no model signal reads the log again."""
    row = (
        DailyLog.objects.select_for_update()
        .filter(patient=patient, date=date)
        .values_list("pk", "notes", "created_at")
        .first()
    )
    if row is None:
        log = DailyLog(
            patient=patient,
            date=date,
            notes=notes,
            created_at=now,
            updated_at=now,
            entered_by=entered_by,
        )
        DailyLog.objects.bulk_create([log])
        log._state.adding = False
        return log, True, ""
    log_id, old_notes, created_at = row
    DailyLog.objects.filter(pk=log_id).update(notes=notes, updated_at=now, entered_by=entered_by)
    LogEntry.objects.filter(log_id=log_id).delete()
    log = DailyLog(
        id=log_id,
        patient=patient,
        date=date,
        notes=notes,
        created_at=created_at,
        updated_at=now,
        entered_by=entered_by,
    )
    log._state.adding = False
    return log, False, old_notes


def _log_audit(log: DailyLog, *, created: bool, old_notes: str) -> None:
    """The audit entry django-auditlog writes for a log saved through the model (the upsert
    bypasses model signals): every new log, and a replaced one whose notes changed (its entries
    are a snapshot, not audited). Who and from where come from the request, as for any save."""
    if created:
        changes = model_instance_diff(None, log)
        action = AuditEntry.Action.CREATE
    elif old_notes != log.notes:
        changes = {"notes": (old_notes, log.notes)}
        action = AuditEntry.Action.UPDATE
    else:
        return
    AuditEntry.objects.log_create(log, action=action, changes=changes)


def _cache_entries(log: DailyLog, entries: list[LogEntry]) -> None:
    """Callers show the saved entries at once (the API response, urgent advice). Hand them over
    as prefetch_related would, sorted as selectors.logs_for sorts them, instead of reading them
    back: one query fewer on every save."""
    cached = log.entries.all()
    cached._result_cache = sorted(entries, key=lambda entry: entry.symptom_id)
    cached._prefetch_done = True
    log._prefetched_objects_cache = {"entries": cached}


@transaction.atomic
def daily_log_delete(*, patient: User, date: dt.date, now: dt.datetime | None = None) -> bool:
    """Delete the patient's log for ``date``; their flags are evaluated again once it commits.
    The day's "how are you today?" nudge comes back if its time has not passed."""
    deleted, _ = DailyLog.objects.filter(patient=patient, date=date).delete()
    if deleted:
        profile = getattr(patient, "patient_profile", None)
        if profile is not None:
            reminder_planning.log_reminder_restore(profile=profile, now=now)
        request_flag_evaluation(patient.pk)
    return deleted > 0


def daily_log_copy_previous(
    *,
    patient: User,
    date: dt.date,
    now: dt.datetime | None = None,
    entered_by: User | None = None,
) -> tuple[DailyLog, bool]:
    """ "Same as yesterday": copy the day before's entries (still-active symptoms) to ``date``."""
    previous = (
        DailyLog.objects.filter(patient=patient, date=date - dt.timedelta(days=1))
        .prefetch_related("entries")
        .first()
    )
    if previous is None:
        raise LogInputError(
            {"date": [_("There is no log for the day before to copy. Please fill in this day.")]}
        )
    entries = [
        CleanEntry(entry.symptom_id, entry.severity, entry.present, entry.temperature)
        for entry in previous.entries.all()
        if is_copyable(entry.symptom_id)
    ]
    return daily_log_save(
        patient=patient, date=date, entries=entries, notes="", now=now, entered_by=entered_by
    )


def is_copyable(symptom_code: str) -> bool:
    """Whether "Same as yesterday" carries this symptom over. Red-flag events (a seizure, a
    fall that broke a bone) are never copied: the patient tells us again if it happened again.
    Retired symptoms are not copied either."""
    symptom = get_catalogue().symptoms.get(symptom_code)
    return symptom is not None and symptom.active and symptom.red_flag == "none"


def _profile(patient: User) -> PatientProfile:
    profile = getattr(patient, "patient_profile", None)
    if profile is None:
        raise LogInputError({"patient": [_("Only patients keep a symptom log.")]})
    return profile


def symptom_changed() -> None:
    """Call after an admin adds, edits or retires a symptom: this process reloads at once."""
    clear_catalogue_cache()


def symptom_retire(*, symptom: Symptom) -> None:
    symptom.active = False
    symptom.save(update_fields=["active", "updated_at"])
    symptom_changed()

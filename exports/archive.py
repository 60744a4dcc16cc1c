"""The patient's download as a ZIP: one CSV file per table, the FHIR Bundle, and a README.

Pure apart from reading the models it is given: no queries of its own beyond what the selector
prefetched. The CSV files open in spreadsheet apps as they are: UTF-8 with a byte-order mark (so
accents show right), dates in ISO form, times in the patient's own zone with their UTC offset.
Patients type notes and questions, so a cell that a spreadsheet would run as a formula (starting
with = + - @, a tab or a carriage return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy

from accounts.models import RECORD_ACCESS_PATIENT_WORDS, Role, User
from exports.selectors import PatientRecord
from lib.clock import local_time
from symptoms.models import LogEntry, SymptomKind

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
UNITS = {
    SymptomKind.SEVERITY: "0-10",
    SymptomKind.PRESENCE: "yes/no",
    SymptomKind.TEMPERATURE: "°C",
}


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class Cells:
    """Turns values into CSV cells for one patient's time zone."""

    def __init__(self, zone: str) -> None:
        self.zone = zone

    def __call__(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dt.datetime):
            return local_time(value, self.zone).isoformat(timespec="seconds")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int | Decimal):
            return str(value)
        return safe_text(str(value))


def csv_file(header: Sequence[str], rows: Iterable[Sequence[object]], cell: Cells) -> bytes:
    """One CSV file: a header row, then one row per item, UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


def person(user: User | None) -> str:
    return (user.name or user.email) if user is not None else ""


def entry_value(entry: LogEntry) -> object:
    if entry.severity is not None:
        return entry.severity
    if entry.present is not None:
        return entry.present
    return entry.temperature


def tables(record: PatientRecord) -> dict[str, tuple[Sequence[str], list[Sequence[object]]]]:
    """Each CSV file's name, header and rows."""
    roles = dict(Role.choices)
    return {
        "logs.csv": (
            ("date", "symptoms_logged", "notes", "first_saved", "last_changed"),
            [
                (log.date, len(log.entries.all()), log.notes, log.created_at, log.updated_at)
                for log in record.logs
            ],
        ),
        "log_entries.csv": (
            ("date", "symptom_code", "symptom", "site", "kind", "value", "unit"),
            [
                (
                    log.date,
                    entry.symptom_id,
                    entry.symptom.name,
                    entry.symptom.site.name,
                    entry.symptom.kind,
                    entry_value(entry),
                    UNITS.get(entry.symptom.kind, ""),
                )
                for log in record.logs
                for entry in log.entries.all()
            ],
        ),
        "flags.csv": (
            (
                "flag_id",
                "raised",
                "title",
                "rule",
                "level",
                "status",
                "symptom",
                "site",
                "explanation_when_raised",
                "advice_when_raised",
                "from_logs_of",
                "seen_by_team",
                "seen_by",
                "closed",
                "closed_by",
                "team_note",
                "your_answer",
                "answered",
            ),
            [
                (
                    flag.pk,
                    flag.opened_at,
                    flag.title,
                    flag.get_rule_display(),
                    flag.get_level_display(),
                    flag.get_status_display(),
                    flag.symptom.name if flag.symptom else "",
                    flag.site,
                    flag.explanation,
                    flag.advice,
                    " ".join(day.isoformat() for day in flag.evidence_days),
                    flag.acknowledged_at,
                    person(flag.acknowledged_by),
                    flag.resolved_at,
                    person(flag.resolved_by),
                    flag.note,
                    flag.get_patient_response_display() if flag.patient_response else "",
                    flag.patient_responded_at,
                )
                for flag in record.flags
            ],
        ),
        "flag_contacts.csv": (
            ("flag_id", "when", "by", "outcome", "note"),
            [
                (
                    contact.flag_id,
                    contact.at,
                    person(contact.by),
                    contact.get_outcome_display(),
                    contact.note,
                )
                for contact in record.contacts
            ],
        ),
        "questions.csv": (
            ("question", "done", "written", "last_changed"),
            [
                (question.text, question.done, question.created_at, question.updated_at)
                for question in record.questions
            ],
        ),
        "appointments.csv": (
            ("what", "starts", "minutes", "where", "how_to_prepare", "status"),
            [
                (
                    appointment.get_kind_display(),
                    appointment.starts_at,
                    appointment.duration_minutes,
                    appointment.location,
                    appointment.preparation_notes,
                    appointment.get_status_display(),
                )
                for appointment in record.appointments
            ],
        ),
        "scan_checkins.csv": (
            ("scan", "scan_started", "anxiety_0_to_10", "note", "answered"),
            [
                (
                    checkin.appointment.get_kind_display(),
                    checkin.appointment.starts_at,
                    checkin.anxiety,
                    checkin.note,
                    checkin.updated_at,
                )
                for checkin in record.checkins
            ],
        ),
        "messages.csv": (
            ("sent", "kind", "title", "message", "read"),
            [
                (
                    message.sent_at,
                    message.get_kind_display(),
                    message.title,
                    message.body,
                    message.read_at,
                )
                for message in record.messages
            ],
        ),
        "record_access.csv": (
            ("when", "who", "role", "what"),
            [
                (
                    row.at,
                    row.viewer_name or row.viewer_email,
                    roles.get(row.viewer_role, row.viewer_role),
                    RECORD_ACCESS_PATIENT_WORDS.get(row.what, row.what),
                )
                for row in record.accesses
            ],
        ),
    }


# The README is written in the patient's language (the active one when the ZIP is made). The
# CSV column names and codes (yes/no, symptom codes) stay as they are: they are a data format
# that programs read, and the README explains them.
README = gettext_lazy(
    "Your record from MBC Tracker\n"
    "============================\n"
    "\n"
    "This is a copy of everything MBC Tracker holds about you, made on %(made)s.\n"
    "Times are where you live (%(zone)s), written like 2026-03-14T09:30:00+00:00\n"
    "(date, time, then the difference from UTC). Dates are written year-month-day.\n"
    "\n"
    "The files ending in .csv open in any spreadsheet app (Excel, Numbers,\n"
    "Google Sheets, LibreOffice). A cell that starts with an apostrophe (')\n"
    "began with a sign like = or +: the apostrophe stops a spreadsheet from\n"
    "treating your words as a formula.\n"
    "\n"
    "logs.csv            One row for each day you logged how you felt, with your notes.\n"
    "log_entries.csv     One row for each symptom in each day's log: the day, the symptom,\n"
    "                    where in the body, the kind of answer, your answer and its unit\n"
    "                    (0-10: from none to the worst; yes/no; °C for temperature).\n"
    "flags.csv           The things the app raised with your care team, why, what we\n"
    "                    advised, and when the team saw and closed each one. The\n"
    "                    explanation and advice are the words we used when the flag\n"
    '                    was last updated: "yesterday" there means the day before\n'
    "                    that. The from_logs_of column gives the exact days.\n"
    "flag_contacts.csv   Each time your care team tried to reach you about a flag.\n"
    "questions.csv       The questions you wrote down for your care team.\n"
    "appointments.csv    Your appointments and scans.\n"
    "scan_checkins.csv   How you were feeling after your scans, when you told us.\n"
    "messages.csv        The messages we sent you in the app and by email.\n"
    "record_access.csv   Each time someone from your care team looked at your record.\n"
    "fhir_bundle.json    All of the above that a hospital system can read, in the\n"
    "                    standard format hospitals use (HL7 FHIR R4). You can give it\n"
    "                    to another hospital or app if they ask for it.\n"
    "\n"
    "Keep this file safe: it holds your health information.\n"
)


def record_zip(*, record: PatientRecord, fhir_json: bytes, now: dt.datetime) -> bytes:
    """The whole ZIP, in memory. Entries carry ``now`` in the patient's zone as their date."""
    cell = Cells(record.zone)
    stamp = local_time(now, record.zone).timetuple()[:6]
    files: dict[str, bytes] = {
        name: csv_file(header, rows, cell) for name, (header, rows) in tables(record).items()
    }
    files["fhir_bundle.json"] = fhir_json
    made = local_time(now, record.zone).isoformat(timespec="minutes")
    files["README.txt"] = (str(README) % {"made": made, "zone": record.zone}).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()

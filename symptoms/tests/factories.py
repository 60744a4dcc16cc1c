"""Factories and helpers for symptom logs. Logs are written through the service, as in the app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import User
from symptoms import services
from symptoms.catalogue import get_catalogue
from symptoms.models import DailyLog


def entries_from(values: dict[str, int | bool | float | Decimal]) -> list[dict[str, object]]:
    """{"bone_pain": 6, "seizure": True, "fever": 38.2} -> API-shaped entries."""
    symptoms = get_catalogue().symptoms
    entries = []
    for code, value in values.items():
        key = {"severity": "severity", "presence": "present", "temperature": "value"}[
            symptoms[code].kind
        ]
        entries.append({"symptom": code, key: value})
    return entries


def log_day(
    patient: User,
    date: dt.date,
    values: dict[str, int | bool | float | Decimal] | None = None,
    notes: str = "",
    now: dt.datetime | None = None,
) -> DailyLog:
    """Save a log for ``patient`` on ``date`` with ``values`` through the log service."""
    log, _ = services.daily_log_save(
        patient=patient, date=date, entries=entries_from(values or {}), notes=notes, now=now
    )
    return log


def log_days_back(
    patient: User, days_back: int, values: dict | None = None, notes: str = ""
) -> DailyLog:
    """A log ``days_back`` days before the patient's own today."""
    today = patient.patient_profile.local_today()
    return log_day(patient, today - dt.timedelta(days=days_back), values, notes)

"""Reads of flags: which are live, and the one "most urgent first" order."""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from flags.models import Flag, FlagStatus
from flags.rules.types import LEVEL_ORDER

LIVE = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)


def flag_priority(level: str, status: str, opened_at: dt.datetime) -> tuple[int, bool, dt.datetime]:
    """The one "most pressing first" order of live flags, for flags read as rows or as values:
    the highest level, then waiting before acknowledged, then the oldest."""
    return (LEVEL_ORDER.get(level, len(LEVEL_ORDER)), status != FlagStatus.OPEN, opened_at)


def flag_order(flag: Flag) -> tuple[object, ...]:
    """``flag_priority`` of a Flag, with its id last so that equal flags keep one order."""
    return (*flag_priority(flag.level, flag.status, flag.opened_at), flag.pk)


def open_flags_for(*, patient: User | int) -> list[Flag]:
    """The patient's open and acknowledged flags, most urgent first."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    flags = list(Flag.objects.filter(patient_id=patient_id, status__in=LIVE))
    return sorted(flags, key=flag_order)

"""Shared helpers for the flag tests: a fixed clock and a few readable shortcuts."""

from __future__ import annotations

import datetime as dt

from flags.models import Flag, FlagStatus

# A Tuesday in March: London is on GMT, so local and UTC days agree unless a test says otherwise.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def live(patient, rule: str | None = None) -> list[Flag]:
    flags = Flag.objects.filter(
        patient=patient, status__in=[FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED]
    )
    if rule is not None:
        flags = flags.filter(rule=rule)
    return list(flags.order_by("pk"))

"""The one row of flag thresholds, created with the shipped defaults the first time admin opens
it, so the values in force are always visible and editable in one place."""

from __future__ import annotations

from flags.models import FlagThresholds


def thresholds_row() -> FlagThresholds:
    """The thresholds row, created with the shipped defaults if there is none yet. Until it
    exists the rules use the same defaults, so creating it changes no flag."""
    row, _ = FlagThresholds.objects.get_or_create(singleton=1)
    return row

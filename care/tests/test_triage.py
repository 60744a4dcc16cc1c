"""The triage order as a pure function of a patient's live flags (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from care.selectors import LiveFlag, Tier, triage

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def flag(rule: str, level: str, *, status: str = "open", hours_ago: float = 1, title: str = ""):
    return LiveFlag(
        rule=rule,
        level=level,
        status=status,
        opened_at=NOW - dt.timedelta(hours=hours_ago),
        title=title or rule,
    )


@pytest.mark.parametrize(
    ("flags", "tier"),
    [
        ([], Tier.EVERYONE_ELSE),
        ([flag("red_flag", "urgent")], Tier.URGENT_WAITING),
        ([flag("red_flag", "urgent", status="acknowledged")], Tier.URGENT_SEEN),
        (
            [
                flag("fever", "urgent", status="acknowledged"),
                flag("red_flag", "urgent", status="open"),
            ],
            Tier.URGENT_WAITING,
        ),
        ([flag("severe", "soon")], Tier.SOON),
        ([flag("severe", "soon", status="acknowledged")], Tier.SOON),
        ([flag("not_logging", "soon")], Tier.NOT_LOGGING),
        ([flag("not_logging", "soon"), flag("distress", "soon")], Tier.SOON),
        ([flag("persistent", "next_visit")], Tier.NEXT_VISIT),
        ([flag("restaging_overdue", "next_visit")], Tier.RESTAGING_OVERDUE),
        (
            [flag("restaging_overdue", "next_visit"), flag("not_logging", "soon")],
            Tier.NOT_LOGGING,
        ),
        (
            [flag("restaging_overdue", "next_visit"), flag("persistent", "next_visit")],
            Tier.NEXT_VISIT,
        ),
    ],
)
def test_tiers(flags, tier):
    assert triage(flags).tier == tier


def test_counts_waiting_since_and_top_flag():
    result = triage(
        [
            flag("persistent", "next_visit", hours_ago=50, title="Tired for a while"),
            flag("red_flag", "urgent", status="acknowledged", hours_ago=30, title="Seen"),
            flag("fever", "urgent", hours_ago=3, title="Temperature"),
            flag("red_flag", "urgent", hours_ago=2, title="Seizure"),
            flag("severe", "soon", hours_ago=90, title="Back pain"),
        ]
    )
    assert result.counts == {"urgent": 3, "soon": 1, "next_visit": 1}
    assert result.urgent_waiting_since == NOW - dt.timedelta(hours=3)
    # Urgent before soon; waiting before acknowledged; then the oldest.
    assert (result.top_flag_title, result.top_flag_level) == ("Temperature", "urgent")
    assert result.label == "Urgent, waiting for a call"
    assert not result.restaging_overdue


def test_nothing_live():
    result = triage([])
    assert result.counts == {"urgent": 0, "soon": 0, "next_visit": 0}
    assert (result.top_flag_title, result.urgent_waiting_since) == ("", None)
    assert result.label == "No flags"

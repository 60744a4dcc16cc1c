"""The data migration that takes phone numbers out of stored symptom help text (admin-edited
wording included) and puts them back on the way down."""

from __future__ import annotations

import importlib

import pytest

migration = importlib.import_module("symptoms.migrations.0007_help_text_numbers_from_settings")


@pytest.mark.parametrize(
    "stored,rewritten",
    [
        (
            "If this happens, call 999 (or 911) or go to the emergency department now.",
            "If this happens, call {emergency_number} or go to the emergency department now.",
        ),
        (
            "If it is sudden and severe, call 999 (or 911).",
            "If it is sudden and severe, call {emergency_number}.",
        ),
        ("Call 999/911 at once.", "Call {emergency_number} at once."),
        ("Call 112 or 999 now.", "Call {emergency_number} now."),
        (
            "If this happens, call your care team's 24-hour line now.",
            "If this happens, call your care team's 24-hour line now on {care_team_line}.",
        ),
        ("Score it from 0 to 10; 19990 steps.", "Score it from 0 to 10; 19990 steps."),
    ],
)
def test_numbers_become_placeholders(stored: str, rewritten: str) -> None:
    assert migration.with_placeholders(stored) == rewritten
    assert migration.with_placeholders(rewritten) == rewritten  # running it twice is harmless


def test_the_way_down_gives_numbers_back() -> None:
    text = "Call {emergency_number} now, or the 24-hour line now on {care_team_line}."
    assert migration.without_placeholders(text) == "Call 999 (or 911) now, or the 24-hour line now."

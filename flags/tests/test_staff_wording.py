"""Flags in staff words: about the patient, from the rule, its subject and the evidence days."""

from __future__ import annotations

import datetime as dt

import pytest

from flags.rules import wording
from flags.selectors import flag_staff_title

TODAY = dt.date(2026, 12, 2)
YESTERDAY = TODAY - dt.timedelta(days=1)


def words(rule: str, subject: str = "", evidence=(YESTERDAY,)) -> str:
    return wording.staff_explanation(
        rule, name="Cara", subject=subject, evidence=evidence, today=TODAY
    )


def test_a_red_flag_says_what_cara_logged_and_when() -> None:
    assert words("red_flag", "Seizure (fit)") == "Cara logged “Seizure (fit)” yesterday."
    assert words("severe", "Bone pain", (YESTERDAY, TODAY)) == (
        "Cara logged bone pain as severe today and yesterday."
    )


@pytest.mark.parametrize(
    "rule",
    [
        "red_flag",
        "fever",
        "mscc",
        "hypercalcemia",
        "severe",
        "worsening",
        "persistent",
        "new_site",
        "distress",
        "several_warnings",
        "not_logging",
        "restaging_overdue",
    ],
)
def test_every_rule_speaks_about_the_patient(rule: str) -> None:
    for evidence in ((YESTERDAY,), ()):
        text = words(rule, "Bone pain", evidence)
        assert "Cara" in text
        assert " you" not in f" {text.lower()}"


@pytest.mark.django_db
def test_staff_titles_name_the_rule_and_what_it_is_about() -> None:
    assert flag_staff_title("red_flag", "seizure") == "Red-flag symptom: Seizure (fit)"
    assert flag_staff_title("new_site", "brain") == "Symptoms at a new site: Brain"
    assert flag_staff_title("fever", "fever") == "Fever"
    assert flag_staff_title("not_logging", "") == "Not logging"

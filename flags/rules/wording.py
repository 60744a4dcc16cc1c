"""Plain words for findings: short sentences, no blame, always what to do next.

Days are written in English without the process locale, so the same facts give the same text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from flags.rules.types import AdviceNumbers

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SITE_WORDS = {"bone": "bones", "brain": "brain", "liver": "liver", "lung": "lungs"}


def day(when: dt.date, today: dt.date) -> str:
    """ "today", "yesterday" or "on Monday 3 May"."""
    ago = (today - when).days
    if ago == 0:
        return "today"
    if ago == 1:
        return "yesterday"
    return f"on {WEEKDAYS[when.weekday()]} {when.day} {MONTHS[when.month - 1]}"


def date(when: dt.date) -> str:
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def days(whens: Iterable[dt.date], today: dt.date) -> str:
    """Several days, newest first: "today and yesterday"."""
    return join([day(when, today) for when in sorted(set(whens), reverse=True)])


def join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def lower(name: str) -> str:
    """A symptom name inside a sentence: "Bone pain" -> "bone pain"."""
    return name[:1].lower() + name[1:]


def number(value: int | float | Decimal) -> str:
    """2 -> "2", 2.5 -> "2.5"."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def site_word(site: str) -> str:
    return SITE_WORDS.get(site, site)


def care_line(numbers: AdviceNumbers) -> str:
    line = "your care team's 24-hour line"
    return f"{line} on {numbers.care_line}" if numbers.care_line else line


def emergency_advice(numbers: AdviceNumbers) -> str:
    return (
        f"Call {numbers.emergency} or go to the emergency department now. "
        "Do not wait to see if it passes."
    )


def call_now_advice(numbers: AdviceNumbers) -> str:
    return f"Call {care_line(numbers)} now. Tell them what you noticed and when it started."


def soon_advice(numbers: AdviceNumbers) -> str:
    return (
        "Your care team will look at this today and may call you. "
        f"If it gets worse, or you are worried, call {care_line(numbers)}."
    )


def next_visit_advice(numbers: AdviceNumbers) -> str:
    return (
        "Talk about this with your care team at your next appointment. "
        f"If it gets worse before then, call {care_line(numbers)}."
    )


def support_advice(numbers: AdviceNumbers) -> str:
    return (
        "You do not have to cope with this alone. Look at the support resources in the app, "
        "and tell someone you trust how you feel. Your care team will see this today and can "
        f"help. If you ever feel unsafe, call {numbers.emergency} now."
    )


# --- Staff words ------------------------------------------------------------------------------
# A flag's stored title and explanation speak to the patient ("You told us…"). Staff pages speak
# about the patient, from the rule, its subject and the evidence days alone.

_STAFF_SENTENCES = {
    "red_flag": "{name} logged “{subject}” {when}.",
    "fever": "{name} logged a high temperature {when}.",
    "mscc": (
        "{name} logged back or neck pain with new weakness, numbness or bladder or bowel trouble "
        "{when}: possible spinal cord compression."
    ),
    "hypercalcemia": (
        "{name} logged signs of high calcium (thirst, constipation, nausea or confusion) {when}."
    ),
    "severe": "{name} logged {subject_lower} as severe {when}.",
    "worsening": "{name} logged {subject_lower} well above their usual level {when}.",
    "persistent": "{name} logged {subject_lower} at moderate or worse {when}.",
    "new_site": "{name} logged {subject_lower} symptoms {when}: not a known site.",
    "distress": "{name} logged {subject_lower} as severe {when}. Support was offered.",
    "several_warnings": "{name} logged several warning signs together {when}.",
}


def staff_explanation(
    rule: str, *, name: str, subject: str, evidence: Iterable[dt.date], today: dt.date
) -> str:
    """ "Cara logged “Seizure (fit)” yesterday.": a flag in the third person, for staff."""
    evidence = sorted(set(evidence))
    if rule == "not_logging":
        if evidence:
            return f"{name} last logged {day(evidence[-1], today)}."
        return f"{name} has not logged for several days."
    if rule == "restaging_overdue":
        return f"No restaging is booked for {name} and it is overdue."
    template = _STAFF_SENTENCES.get(rule, "{name}: {subject} {when}.")
    when = days(evidence, today) if evidence else "recently"
    return template.format(name=name, subject=subject, subject_lower=lower(subject), when=when)

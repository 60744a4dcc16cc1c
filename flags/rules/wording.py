"""Plain words for findings: short sentences, no blame, always what to do next.

Words are in the active language (django.utils.translation only, no process locale): the same
facts in the same language give the same text. The caller picks the language: the patient's, for
texts stored on a flag or shown to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from flags.rules.types import AdviceNumbers

WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
MONTHS = (
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
)
SITE_WORDS = {
    "bone": gettext_lazy("bones"),
    "brain": gettext_lazy("brain"),
    "liver": gettext_lazy("liver"),
    "lung": gettext_lazy("lungs"),
}


def day(when: dt.date, today: dt.date) -> str:
    """ "today", "yesterday" or "on Monday 3 May"."""
    ago = (today - when).days
    if ago == 0:
        return _("today")
    if ago == 1:
        return _("yesterday")
    return _("on %(weekday)s %(day)d %(month)s") % {
        "weekday": WEEKDAYS[when.weekday()],
        "day": when.day,
        "month": MONTHS[when.month - 1],
    }


def date(when: dt.date) -> str:
    """ "3 May 2026" """
    return _("%(day)d %(month)s %(year)d") % {
        "day": when.day,
        "month": MONTHS[when.month - 1],
        "year": when.year,
    }


def days(whens: Iterable[dt.date], today: dt.date) -> str:
    """Several days, newest first: "today and yesterday"."""
    return join([day(when, today) for when in sorted(set(whens), reverse=True)])


def join(words: list[str]) -> str:
    """ "a, b and c" """
    words = [str(word) for word in words]
    if len(words) <= 1:
        return "".join(words)
    return _("%(items)s and %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]}


def lower(name: str) -> str:
    """A symptom name inside a sentence: "Bone pain" -> "bone pain"."""
    name = str(name)
    return name[:1].lower() + name[1:]


def number(value: int | float | Decimal) -> str:
    """2 -> "2", 2.5 -> "2.5" ("2,5" in Spanish)."""
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}".replace(".", pgettext("decimal separator", "."))


def decimal(value: int | float | Decimal) -> str:
    """A reading as written: 38.0 -> "38.0" ("38,0" in Spanish)."""
    return str(value).replace(".", pgettext("decimal separator", "."))


def site_word(site: str) -> str:
    return str(SITE_WORDS.get(site, site))


def care_line(numbers: AdviceNumbers) -> str:
    if numbers.care_line:
        return _("your care team's 24-hour line on %(number)s") % {"number": numbers.care_line}
    return _("your care team's 24-hour line")


def emergency_advice(numbers: AdviceNumbers) -> str:
    return _(
        "Call %(number)s or go to the emergency department now. Do not wait to see if it passes."
    ) % {"number": numbers.emergency}


def call_now_advice(numbers: AdviceNumbers) -> str:
    return _("Call %(line)s now. Tell them what you noticed and when it started.") % {
        "line": care_line(numbers)
    }


def soon_advice(numbers: AdviceNumbers) -> str:
    return _(
        "Your care team will look at this today and may call you. "
        "If it gets worse, or you are worried, call %(line)s."
    ) % {"line": care_line(numbers)}


def next_visit_advice(numbers: AdviceNumbers) -> str:
    return _(
        "Talk about this with your care team at your next appointment. "
        "If it gets worse before then, call %(line)s."
    ) % {"line": care_line(numbers)}


def support_advice(numbers: AdviceNumbers) -> str:
    return _(
        "You do not have to cope with this alone. Look at the support resources in the app, "
        "and tell someone you trust how you feel. Your care team will see this today and can "
        "help. If you ever feel unsafe, call %(number)s now."
    ) % {"number": numbers.emergency}


# --- Staff words ------------------------------------------------------------------------------
# A flag's stored title and explanation speak to the patient ("You told us…"). Staff pages speak
# about the patient, from the rule, its subject and the evidence days alone.

_STAFF_SENTENCES = {
    "red_flag": gettext_lazy("{name} logged “{subject}” {when}."),
    "fever": gettext_lazy("{name} logged a high temperature {when}."),
    "mscc": gettext_lazy(
        "{name} logged back or neck pain with new weakness, numbness or bladder or bowel trouble "
        "{when}: possible spinal cord compression."
    ),
    "hypercalcemia": gettext_lazy(
        "{name} logged signs of high calcium (thirst, constipation, nausea or confusion) {when}."
    ),
    "severe": gettext_lazy("{name} logged {subject_lower} as severe {when}."),
    "worsening": gettext_lazy("{name} logged {subject_lower} well above their usual level {when}."),
    "persistent": gettext_lazy("{name} logged {subject_lower} at moderate or worse {when}."),
    "new_site": gettext_lazy("{name} logged {subject_lower} symptoms {when}: not a known site."),
    "distress": gettext_lazy(
        "{name} logged {subject_lower} as severe {when}. Support was offered."
    ),
    "several_warnings": gettext_lazy("{name} logged several warning signs together {when}."),
}


def staff_explanation(
    rule: str, *, name: str, subject: str, evidence: Iterable[dt.date], today: dt.date
) -> str:
    """ "Cara logged “Seizure (fit)” yesterday.": a flag in the third person, for staff."""
    evidence = sorted(set(evidence))
    if rule == "not_logging":
        if evidence:
            return _("%(name)s last logged %(when)s.") % {
                "name": name,
                "when": day(evidence[-1], today),
            }
        return _("%(name)s has not logged for several days.") % {"name": name}
    if rule == "restaging_overdue":
        return _("No restaging is booked for %(name)s and it is overdue.") % {"name": name}
    template = str(_STAFF_SENTENCES.get(rule, "{name}: {subject} {when}."))
    when = days(evidence, today) if evidence else _("recently")
    return template.format(name=name, subject=subject, subject_lower=lower(subject), when=when)

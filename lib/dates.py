"""Every date and time phrase a person reads, in one place, in the active language (English by
default; wrap in ``lib.i18n.in_language_of`` for texts made for someone else).

Pure functions of their arguments: callers pass "today" and times already in the reader's zone,
so the same moment reads alike on every page. Callers that need to know whether a phrase is
"today" compare the days, never the words (they change with the language). (The flag rules keep
their own few words: they import nothing of the project.)
"""

from __future__ import annotations

import datetime as dt

from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

# Short names, as on a calendar: Django's own abbreviations differ by language in case and dots.
_SHORT_MONTHS = (
    pgettext_lazy("short month", "Jan"),
    pgettext_lazy("short month", "Feb"),
    pgettext_lazy("short month", "Mar"),
    pgettext_lazy("short month", "Apr"),
    pgettext_lazy("short month", "May"),
    pgettext_lazy("short month", "Jun"),
    pgettext_lazy("short month", "Jul"),
    pgettext_lazy("short month", "Aug"),
    pgettext_lazy("short month", "Sep"),
    pgettext_lazy("short month", "Oct"),
    pgettext_lazy("short month", "Nov"),
    pgettext_lazy("short month", "Dec"),
)
_SHORT_WEEKDAYS = (
    pgettext_lazy("short weekday", "Mon"),
    pgettext_lazy("short weekday", "Tue"),
    pgettext_lazy("short weekday", "Wed"),
    pgettext_lazy("short weekday", "Thu"),
    pgettext_lazy("short weekday", "Fri"),
    pgettext_lazy("short weekday", "Sat"),
    pgettext_lazy("short weekday", "Sun"),
)


def _month(day: dt.date) -> str:
    return str(MONTHS[day.month])


def _short_month(day: dt.date) -> str:
    return str(_SHORT_MONTHS[day.month - 1])


def short_date(day: dt.date) -> str:
    """3 Nov"""
    return pgettext("short date", "%(day)s %(month)s") % {
        "day": day.day,
        "month": _short_month(day),
    }


def long_date(day: dt.date, *, today: dt.date | None = None) -> str:
    """Tuesday 3 November, with the year when it is not ``today``'s year."""
    parts = {"weekday": str(WEEKDAYS[day.weekday()]), "day": day.day, "month": _month(day)}
    if today is not None and day.year != today.year:
        return pgettext("long date", "%(weekday)s %(day)s %(month)s %(year)s") % {
            **parts,
            "year": day.year,
        }
    return pgettext("long date", "%(weekday)s %(day)s %(month)s") % parts


def day_name(day: dt.date, today: dt.date) -> str:
    """ "today", "tomorrow", "yesterday", or the date in words (``long_date``)."""
    offset = (day - today).days
    if offset == 0:
        return _("today")
    if offset == 1:
        return _("tomorrow")
    if offset == -1:
        return _("yesterday")
    return long_date(day, today=today)


def capitalised(phrase: str) -> str:
    """A phrase at the start of a sentence or a heading: "Today", "Tuesday 3 November"."""
    return phrase[:1].upper() + phrase[1:]


def days_ago(days: int) -> str:
    """ "today", "yesterday", "4 days ago" (a future day counts as today)."""
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("%(count)s day ago", "%(count)s days ago", days) % {"count": days}


def clock_time(moment: dt.datetime | dt.time) -> str:
    """14:03"""
    return f"{moment:%H:%M}"


def when(moment: dt.datetime, today: dt.date) -> str:
    """ "today at 09:15", "tomorrow at 10:30", "Tuesday 3 November at 10:30"."""
    return _("%(day)s at %(time)s") % {
        "day": day_name(moment.date(), today),
        "time": clock_time(moment),
    }


def last_seen(moment: dt.datetime, today: dt.date) -> str:
    """ "today at 09:15", "yesterday at 17:40", "on Tuesday 2 December at 14:03"."""
    if abs((moment.date() - today).days) <= 1:
        return when(moment, today)
    return _("on %(day)s at %(time)s") % {
        "day": long_date(moment.date(), today=today),
        "time": clock_time(moment),
    }


# --- Documents read later (the visit summary): absolute dates only, never "today" ------------


def full_date(day: dt.date) -> str:
    """3 November 2026"""
    return pgettext("full date", "%(day)s %(month)s %(year)s") % {
        "day": day.day,
        "month": _month(day),
        "year": day.year,
    }


def dated_day(day: dt.date) -> str:
    """Tue 3 Nov 2026"""
    return pgettext("dated day", "%(weekday)s %(day)s %(month)s %(year)s") % {
        "weekday": str(_SHORT_WEEKDAYS[day.weekday()]),
        "day": day.day,
        "month": _short_month(day),
        "year": day.year,
    }


def _short_date_with_year(day: dt.date) -> str:
    return pgettext("short date with year", "%(date)s %(year)s") % {
        "date": short_date(day),
        "year": day.year,
    }


def date_list(days: list[dt.date]) -> str:
    """ "3 Nov, 4 Nov 2026"; the year after each day when they span years."""
    if not days:
        return ""
    if len({day.year for day in days}) > 1:
        return ", ".join(_short_date_with_year(day) for day in days)
    return pgettext("short date with year", "%(date)s %(year)s") % {
        "date": ", ".join(short_date(day) for day in days),
        "year": days[-1].year,
    }

"""Every date and time phrase a person reads, in one place, in the active language.

Pure functions of their arguments: callers pass "today" and times already in the reader's zone,
so the same moment reads alike on every page. Weekday and month names come from Django's
translations; the order of the words is a translatable format (Spanish says "3 de noviembre").
(The flag rules keep their own few words: they import nothing of the project.)
"""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext


def _format(day: dt.date | dt.datetime | dt.time, pattern: str) -> str:
    if isinstance(day, dt.time):
        return dateformat.time_format(day, pattern)
    return dateformat.format(day, pattern)


def short_date(day: dt.date) -> str:
    """3 Nov"""
    return _format(day, pgettext("date format: 3 Nov", "j M"))


def long_date(day: dt.date, *, today: dt.date | None = None) -> str:
    """Tuesday 3 November, with the year when it is not ``today``'s year."""
    if today is not None and day.year != today.year:
        return _format(day, pgettext("date format: Tuesday 3 November 2026", "l j F Y"))
    return _format(day, pgettext("date format: Tuesday 3 November", "l j F"))


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


def is_relative(day: dt.date, today: dt.date) -> bool:
    """Whether ``day_name`` names the day ("today", "tomorrow", "yesterday"), not its date."""
    return abs((day - today).days) <= 1


def capitalised(phrase: str) -> str:
    """A phrase at the start of a sentence or a heading: "Today", "Tuesday 3 November"."""
    return phrase[:1].upper() + phrase[1:]


def days_ago(days: int) -> str:
    """ "today", "yesterday", "4 days ago" (a future day counts as today)."""
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}


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
    time = clock_time(moment)
    if is_relative(moment.date(), today):
        return _("%(day)s at %(time)s") % {"day": day_name(moment.date(), today), "time": time}
    return _("on %(day)s at %(time)s") % {
        "day": long_date(moment.date(), today=today),
        "time": time,
    }


# --- Documents read later (the visit summary): absolute dates only, never "today" ------------


def full_date(day: dt.date) -> str:
    """3 November 2026"""
    return _format(day, pgettext("date format: 3 November 2026", "j F Y"))


def dated_day(day: dt.date) -> str:
    """Tue 3 Nov 2026"""
    return _format(day, pgettext("date format: Tue 3 Nov 2026", "D j M Y"))


def date_list(days: list[dt.date]) -> str:
    """ "3 Nov, 4 Nov 2026"; the year after each day when they span years."""
    if not days:
        return ""
    if len({day.year for day in days}) > 1:
        return ", ".join(f"{short_date(day)} {day.year}" for day in days)
    return ", ".join(short_date(day) for day in days) + f" {days[-1].year}"

"""Every date and time phrase a person reads, in one place, in the active language (English:
"Tuesday 3 November at 10:30"; Spanish: "martes 3 de noviembre a las 10:30").

Pure functions of their arguments and the active language: callers pass "today" and times
already in the reader's zone, so the same moment reads alike on every page. The date forms are
named formats of mbc_tracker/formats/<language>/formats.py. (The flag rules keep their own few
words: they import nothing of the project.)
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.dateformat import format as dateformat
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _formatted(day: dt.date, name: str) -> str:
    """``day`` in one of our named date forms, in the active language (English when none is
    active, as after ``deactivate_all``, where Django would hand back the name itself)."""
    form = get_format(name)
    if form == name:
        form = get_format(name, lang=settings.LANGUAGE_CODE)
    return dateformat(day, form)


def short_date(day: dt.date) -> str:
    """3 Nov"""
    return _formatted(day, "SHORT_DAY_FORMAT")


def long_date(day: dt.date, *, today: dt.date | None = None) -> str:
    """Tuesday 3 November, with the year when it is not ``today``'s year."""
    with_year = today is not None and day.year != today.year
    return _formatted(day, "LONG_DAY_YEAR_FORMAT" if with_year else "LONG_DAY_FORMAT")


def _relative_day(day: dt.date, today: dt.date) -> str | None:
    offset = (day - today).days
    if offset == 0:
        return _("today")
    if offset == 1:
        return _("tomorrow")
    if offset == -1:
        return _("yesterday")
    return None


def day_name(day: dt.date, today: dt.date) -> str:
    """ "today", "tomorrow", "yesterday", or the date in words (``long_date``)."""
    return _relative_day(day, today) or long_date(day, today=today)


def is_relative(day: dt.date, today: dt.date) -> bool:
    """Whether ``day_name`` names the day ("today", "tomorrow", "yesterday"), not its date."""
    return _relative_day(day, today) is not None


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


def at_time(day: str, moment: dt.datetime | dt.time) -> str:
    """ "Tuesday 3 November at 10:30": a day phrase and a clock time."""
    return _("%(day)s at %(time)s") % {"day": day, "time": clock_time(moment)}


def duration_text(minutes: int) -> str:
    """ "45 minutes", "1 hour", "1 hour 30 minutes", "3 hours"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if rest or not hours:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest})
    return " ".join(parts)


def when(moment: dt.datetime, today: dt.date) -> str:
    """ "today at 09:15", "tomorrow at 10:30", "Tuesday 3 November at 10:30"."""
    return at_time(day_name(moment.date(), today), moment)


def last_seen(moment: dt.datetime, today: dt.date) -> str:
    """ "today at 09:15", "yesterday at 17:40", "on Tuesday 2 December at 14:03"."""
    relative = _relative_day(moment.date(), today)
    if relative is not None:
        return at_time(relative, moment)
    return _("on %(day)s at %(time)s") % {
        "day": long_date(moment.date(), today=today),
        "time": clock_time(moment),
    }


# --- Documents read later (the visit summary): absolute dates only, never "today" ------------


def full_date(day: dt.date) -> str:
    """3 November 2026"""
    return _formatted(day, "FULL_DATE_FORMAT")


def dated(day: dt.date) -> str:
    """Tuesday 3 November 2026"""
    return _formatted(day, "LONG_DAY_YEAR_FORMAT")


def dated_day(day: dt.date) -> str:
    """Tue 3 Nov 2026"""
    return _formatted(day, "DATED_DAY_FORMAT")


def date_list(days: list[dt.date]) -> str:
    """ "3 Nov, 4 Nov 2026"; the year after each day when they span years."""
    if not days:
        return ""
    if len({day.year for day in days}) > 1:
        return ", ".join(f"{short_date(day)} {day.year}" for day in days)
    return ", ".join(short_date(day) for day in days) + f" {days[-1].year}"

"""Date and time phrases in the reader's language (the active one): "Tuesday 3 November at
10:30" in English, "martes 3 de noviembre a las 10:30" in Spanish.

The English words are those of ``lib.dates``; the word order and the "de" of other languages come
from translatable date formats, and the day and month names from Django's own catalogues.
"""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext


def long_date(day: dt.date, *, today: dt.date | None = None) -> str:
    """ "Tuesday 3 November", with the year when it is not ``today``'s year."""
    if today is not None and day.year != today.year:
        return dated(day)
    # Translators: a Django date format (l: weekday, j: day, F: month). Escape letters with \.
    return dateformat.format(day, pgettext("date format", "l j F"))


def dated(day: dt.date) -> str:
    """ "Tuesday 3 November 2026"."""
    # Translators: a Django date format (l: weekday, j: day, F: month, Y: year).
    return dateformat.format(day, pgettext("date format", "l j F Y"))


def full_date(day: dt.date) -> str:
    """ "3 November 2026"."""
    # Translators: a Django date format (j: day, F: month, Y: year).
    return dateformat.format(day, pgettext("date format", "j F Y"))


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


def clock_time(moment: dt.datetime | dt.time) -> str:
    """14:03 (24-hour in both languages)."""
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


def short_date(day: dt.date) -> str:
    """ "3 Nov" ("3 nov" in Spanish)."""
    return dateformat.format(day, "j M")


def days_ago(days: int) -> str:
    """ "today", "yesterday", "4 days ago" (a future day counts as today)."""
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}

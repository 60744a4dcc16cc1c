"""Every date and time phrase a person reads, in one place (plain English, no locale).

Pure functions of their arguments: callers pass "today" and times already in the reader's zone,
so the same moment reads alike on every page. (The flag rules keep their own few words: they
import nothing of the project.)
"""

from __future__ import annotations

import datetime as dt


def short_date(day: dt.date) -> str:
    """3 Nov"""
    return f"{day.day} {day:%b}"


def long_date(day: dt.date, *, today: dt.date | None = None) -> str:
    """Tuesday 3 November, with the year when it is not ``today``'s year."""
    words = f"{day:%A} {day.day} {day:%B}"
    if today is not None and day.year != today.year:
        words += f" {day.year}"
    return words


def day_name(day: dt.date, today: dt.date) -> str:
    """ "today", "tomorrow", "yesterday", or the date in words (``long_date``)."""
    offset = (day - today).days
    if offset == 0:
        return "today"
    if offset == 1:
        return "tomorrow"
    if offset == -1:
        return "yesterday"
    return long_date(day, today=today)


def capitalised(phrase: str) -> str:
    """A phrase at the start of a sentence or a heading: "Today", "Tuesday 3 November"."""
    return phrase[:1].upper() + phrase[1:]


def days_ago(days: int) -> str:
    """ "today", "yesterday", "4 days ago" (a future day counts as today)."""
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"


def clock_time(moment: dt.datetime | dt.time) -> str:
    """14:03"""
    return f"{moment:%H:%M}"


def when(moment: dt.datetime, today: dt.date) -> str:
    """ "today at 09:15", "tomorrow at 10:30", "Tuesday 3 November at 10:30"."""
    return f"{day_name(moment.date(), today)} at {clock_time(moment)}"


def last_seen(moment: dt.datetime, today: dt.date) -> str:
    """ "today at 09:15", "yesterday at 17:40", "on Tuesday 2 December at 14:03"."""
    name = day_name(moment.date(), today)
    if name not in ("today", "tomorrow", "yesterday"):
        name = f"on {name}"
    return f"{name} at {clock_time(moment)}"


# --- Documents read later (the visit summary): absolute dates only, never "today" ------------


def full_date(day: dt.date) -> str:
    """3 November 2026"""
    return f"{day.day} {day:%B} {day.year}"


def dated_day(day: dt.date) -> str:
    """Tue 3 Nov 2026"""
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def date_list(days: list[dt.date]) -> str:
    """ "3 Nov, 4 Nov 2026"; the year after each day when they span years."""
    if not days:
        return ""
    if len({day.year for day in days}) > 1:
        return ", ".join(f"{short_date(day)} {day.year}" for day in days)
    return ", ".join(short_date(day) for day in days) + f" {days[-1].year}"

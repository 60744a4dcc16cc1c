"""Clock maths in a person's time zone: their today, a wall-clock time on a given day, the next
such time, and quiet hours. Pure functions; callers pass "now".

"09:00 local" is worked out for each occurrence in the zone, so it stays 09:00 across
daylight-saving changes (CLINICAL.md, "Restaging and reminders").
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

QUIET_START = dt.time(21, 0)  # nothing from 21:00 ...
QUIET_END = dt.time(8, 0)  # ... until 08:00
LATEST_EVENING = dt.time(20, 30)  # a time in the quiet evening moves back to this


@cache
def zone_info(zone: str) -> ZoneInfo:
    """The zone by its IANA name, looked up once per process (planning asks for it per row)."""
    return ZoneInfo(zone)


def local_today(now: dt.datetime, zone: str) -> dt.date:
    """The calendar day it is in ``zone`` at the instant ``now``."""
    return now.astimezone(zone_info(zone)).date()


def local_instant(day: dt.date, at: dt.time, zone: str) -> dt.datetime:
    """The UTC instant of wall-clock time ``at`` on ``day`` in ``zone``.

    A time that does not exist that day (skipped by a spring-forward change) becomes the same
    wall-clock distance after the change; a time that happens twice (autumn) is the first.
    """
    local = dt.datetime.combine(day, at, tzinfo=zone_info(zone))
    return local.astimezone(dt.UTC)


def next_local(at: dt.time, zone: str, now: dt.datetime) -> dt.datetime:
    """The first instant at or after ``now`` when it is ``at`` in ``zone`` (today or tomorrow)."""
    today = local_today(now, zone)
    instant = local_instant(today, at, zone)
    if instant < now:
        instant = local_instant(today + dt.timedelta(days=1), at, zone)
    return instant


def is_quiet(instant: dt.datetime, zone: str) -> bool:
    """Whether ``instant`` falls in quiet hours (21:00 to 08:00) in ``zone``."""
    local = instant.astimezone(zone_info(zone)).time()
    return local >= QUIET_START or local < QUIET_END


def waking_time(at: dt.time) -> dt.time:
    """``at`` moved out of quiet hours: evenings from 21:00 back to 20:30, nights to 08:00."""
    if at >= QUIET_START:
        return LATEST_EVENING
    if at < QUIET_END:
        return QUIET_END
    return at


def local_time(instant: dt.datetime, zone: str | dt.tzinfo) -> dt.datetime:
    """``instant`` on the wall clock of ``zone``. Near the end of the calendar (the last hours
    of 31 December 9999 UTC) the local time may fall in the year 10000, which Python cannot
    hold: then the instant is given in UTC instead (right instant, other clock), never an error.
    Such times come only from rows stored before bookings were limited to 3 years ahead."""
    try:
        return instant.astimezone(zone_info(zone) if isinstance(zone, str) else zone)
    except OverflowError:
        return instant.astimezone(dt.UTC)


def later_by(instant: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``instant + delta``, or the last instant there is if that would be past it (an
    appointment stored at the very end of the calendar still has an end)."""
    try:
        return instant + delta
    except OverflowError:
        return dt.datetime.max.replace(tzinfo=instant.tzinfo)

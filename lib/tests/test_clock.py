"""lib.clock: wall-clock times in a zone, across daylight-saving changes and quiet hours."""

import datetime as dt

import pytest

from lib import clock

LONDON = "Europe/London"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_nine_local_stays_nine_across_the_spring_change():
    assert clock.local_instant(dt.date(2026, 3, 28), dt.time(9), LONDON) == utc(2026, 3, 28, 9)
    assert clock.local_instant(dt.date(2026, 3, 29), dt.time(9), LONDON) == utc(2026, 3, 29, 8)


def test_a_skipped_time_lands_after_the_change_and_a_repeated_one_is_the_first():
    # 01:30 does not exist in London on 29 March 2026; it happens twice on 25 October 2026.
    assert clock.local_instant(dt.date(2026, 3, 29), dt.time(1, 30), LONDON) == utc(
        2026, 3, 29, 1, 30
    )
    assert clock.local_instant(dt.date(2026, 10, 25), dt.time(1, 30), LONDON) == utc(
        2026, 10, 25, 0, 30
    )


def test_local_today_follows_the_zone_not_utc():
    now = utc(2026, 12, 2, 23, 30)
    assert clock.local_today(now, LONDON) == dt.date(2026, 12, 2)
    assert clock.local_today(now, "Asia/Kolkata") == dt.date(2026, 12, 3)
    assert clock.local_today(now, "America/Los_Angeles") == dt.date(2026, 12, 2)


def test_next_local_is_today_until_it_has_passed():
    assert clock.next_local(dt.time(8), LONDON, utc(2026, 12, 2, 7, 59)) == utc(2026, 12, 2, 8)
    assert clock.next_local(dt.time(8), LONDON, utc(2026, 12, 2, 8)) == utc(2026, 12, 2, 8)
    assert clock.next_local(dt.time(8), LONDON, utc(2026, 12, 2, 8, 1)) == utc(2026, 12, 3, 8)
    # The morning after the autumn change is an hour later in UTC.
    assert clock.next_local(dt.time(8), LONDON, utc(2026, 10, 24, 9)) == utc(2026, 10, 25, 8)


@pytest.mark.parametrize(
    ("at", "quiet"),
    [(dt.time(20, 59), False), (dt.time(21), True), (dt.time(7, 59), True), (dt.time(8), False)],
)
def test_quiet_hours_are_local(at, quiet):
    instant = clock.local_instant(dt.date(2026, 7, 1), at, "Australia/Sydney")
    assert clock.is_quiet(instant, "Australia/Sydney") is quiet


@pytest.mark.parametrize(
    ("at", "moved"),
    [(dt.time(22), dt.time(20, 30)), (dt.time(6), dt.time(8)), (dt.time(19), dt.time(19))],
)
def test_waking_time(at, moved):
    assert clock.waking_time(at) == moved

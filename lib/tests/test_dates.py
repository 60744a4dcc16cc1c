"""lib.dates: the phrases people read, at the edges of days and years."""

import datetime as dt

import pytest

from lib import dates

TODAY = dt.date(2026, 12, 2)  # a Wednesday


def test_short_and_long_dates():
    assert dates.short_date(dt.date(2025, 11, 3)) == "3 Nov"
    assert dates.long_date(dt.date(2025, 11, 26)) == "Wednesday 26 November"
    assert dates.long_date(dt.date(2025, 11, 26), today=TODAY) == "Wednesday 26 November 2025"
    assert dates.long_date(dt.date(2026, 11, 26), today=TODAY) == "Thursday 26 November"


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (TODAY, "today"),
        (TODAY + dt.timedelta(days=1), "tomorrow"),
        (TODAY - dt.timedelta(days=1), "yesterday"),
        (TODAY - dt.timedelta(days=2), "Monday 30 November"),
        (dt.date(2027, 1, 4), "Monday 4 January 2027"),
    ],
)
def test_day_name(day, words):
    assert dates.day_name(day, TODAY) == words


def test_capitalised_keeps_the_rest():
    assert dates.capitalised("today") == "Today"
    assert dates.capitalised("Monday 30 November") == "Monday 30 November"
    assert dates.capitalised("") == ""


@pytest.mark.parametrize(
    ("days", "words"), [(-1, "today"), (0, "today"), (1, "yesterday"), (4, "4 days ago")]
)
def test_days_ago(days, words):
    assert dates.days_ago(days) == words


def test_when_and_last_seen():
    moment = dt.datetime(2026, 12, 1, 14, 3)
    assert dates.when(moment, TODAY) == "yesterday at 14:03"
    assert dates.last_seen(moment, TODAY) == "yesterday at 14:03"
    earlier = dt.datetime(2026, 11, 30, 9, 5)
    assert dates.when(earlier, TODAY) == "Monday 30 November at 09:05"
    assert dates.last_seen(earlier, TODAY) == "on Monday 30 November at 09:05"
    assert dates.last_seen(dt.datetime(2026, 12, 2, 9, 15), TODAY) == "today at 09:15"


def test_document_dates_are_absolute():
    assert dates.full_date(dt.date(2026, 11, 3)) == "3 November 2026"
    assert dates.dated_day(dt.date(2026, 11, 3)) == "Tue 3 Nov 2026"
    assert dates.date_list([dt.date(2026, 11, 3), dt.date(2026, 11, 4)]) == "3 Nov, 4 Nov 2026"
    assert dates.date_list([dt.date(2025, 12, 31), dt.date(2026, 1, 1)]) == (
        "31 Dec 2025, 1 Jan 2026"
    )
    assert dates.date_list([]) == ""

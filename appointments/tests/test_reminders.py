"""appointments.reminders: when each reminder goes out. Pure: plain data in, instants out."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from appointments.choices import AppointmentKind
from appointments.reminders import (
    SCAN_KINDS,
    AppointmentFacts,
    Reminder,
    appointment_reminders,
    appointment_schedule,
    log_reminder_instants,
    restaging_due_date,
    restaging_reminder,
)
from lib.clock import QUIET_END, QUIET_START, is_quiet, local_instant, local_time, waking_time

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
UTC = dt.UTC


def at(zone: str, day: str, clock: str = "10:30") -> dt.datetime:
    """An aware wall-clock time in ``zone``: at(LONDON, "2026-06-20", "10:30")."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZoneInfo(zone))


def appointment(kind: str, starts_at: dt.datetime, zone: str = LONDON) -> AppointmentFacts:
    return AppointmentFacts(id=7, kind=kind, starts_at=starts_at, timezone=zone)


def local(instant: dt.datetime, zone: str) -> tuple[str, str]:
    """(local date, local time) of an instant, for readable assertions."""
    moment = instant.astimezone(ZoneInfo(zone))
    return moment.date().isoformat(), moment.strftime("%H:%M")


# --- Which reminders each kind of appointment gets ----------------------------------------------

LONG_BEFORE = at(LONDON, "2026-06-01", "12:00")
SCAN_RULES = {
    "7d": ("appointment_reminder", "2026-06-13"),
    "2d_scan": ("scan_anxiety", "2026-06-18"),
    "1d": ("appointment_reminder", "2026-06-19"),
    "1d_after_scan": ("post_scan_checkin", "2026-06-21"),
}
VISIT_RULES = {
    "7d": ("appointment_reminder", "2026-06-13"),
    "2d_visit": ("visit_prep", "2026-06-18"),
    "1d": ("appointment_reminder", "2026-06-19"),
}
OTHER_RULES = {
    "7d": ("appointment_reminder", "2026-06-13"),
    "1d": ("appointment_reminder", "2026-06-19"),
}
EXPECTED_RULES = {
    **dict.fromkeys(["restaging", "ct", "pet", "bone_scan", "mri"], SCAN_RULES),
    "oncology_visit": VISIT_RULES,
    **dict.fromkeys(["blood_test", "treatment", "other"], OTHER_RULES),
}


def test_the_table_covers_every_kind_and_the_scan_kinds_are_clinicals():
    assert set(EXPECTED_RULES) == set(AppointmentKind.values)
    assert set(SCAN_KINDS) == {"restaging", "ct", "pet", "bone_scan", "mri"}  # CLINICAL.md


@pytest.mark.parametrize("kind", sorted(EXPECTED_RULES))
def test_each_kind_gets_its_reminders_at_nine_local(kind):
    starts_at = at(LONDON, "2026-06-20", "10:30")
    got = appointment_reminders(appointment(kind, starts_at), now=LONG_BEFORE)
    assert {r.code: (r.kind, local(r.due_at, LONDON)[0]) for r in got} == EXPECTED_RULES[kind]
    assert {local(r.due_at, LONDON)[1] for r in got} == {"09:00"}
    assert all(r.due_at.tzinfo == UTC for r in got)
    assert [r.due_at for r in got] == sorted(r.due_at for r in got)


@pytest.mark.parametrize(
    "kind,now,expected",
    [
        # Booked well ahead: everything.
        ("ct", "2026-06-13 08:59", ["7d", "2d_scan", "1d", "1d_after_scan"]),
        # Booked at 09:00 on the 7-day day: that one has passed, it is skipped, not sent late.
        ("ct", "2026-06-13 09:00", ["2d_scan", "1d", "1d_after_scan"]),
        ("ct", "2026-06-18 12:00", ["1d", "1d_after_scan"]),
        ("ct", "2026-06-19 09:30", ["1d_after_scan"]),
        ("ct", "2026-06-21 09:00", []),
        ("oncology_visit", "2026-06-17 20:00", ["2d_visit", "1d"]),
        ("oncology_visit", "2026-06-18 10:00", ["1d"]),
        ("blood_test", "2026-06-19 08:00", ["1d"]),
        ("blood_test", "2026-06-19 10:00", []),
    ],
)
def test_booking_late_skips_reminders_whose_time_has_passed(kind, now, expected):
    day, clock = now.split()
    starts_at = at(LONDON, "2026-06-20", "10:30")
    got = appointment_reminders(appointment(kind, starts_at), now=at(LONDON, day, clock))
    assert [r.code for r in got] == expected
    assert all(r.due_at > at(LONDON, day, clock) for r in got)


def test_the_schedule_keeps_past_reminders_and_reminders_filters_them():
    facts = appointment("ct", at(LONDON, "2026-06-20", "10:30"))
    now = at(LONDON, "2026-06-18", "12:00")
    assert [r.code for r in appointment_schedule(facts)] == [
        "7d",
        "2d_scan",
        "1d",
        "1d_after_scan",
    ]
    assert appointment_reminders(facts, now=now) == [
        r for r in appointment_schedule(facts) if r.due_at > now
    ]


def test_the_key_names_the_rule_and_the_instant_in_utc():
    reminder = Reminder(
        code="1d", kind="appointment_reminder", due_at=at(LONDON, "2026-06-19", "09:00")
    )
    assert reminder.key("appointment:7") == "appointment:7:1d:20260619T0800Z"


def test_the_day_counts_in_the_patients_zone_not_utc():
    # 00:30 on 21 June in Auckland is still 20 June in UTC: the reminders follow Auckland.
    zone = "Pacific/Auckland"
    got = appointment_reminders(
        appointment("ct", at(zone, "2026-06-21", "00:30"), zone), now=LONG_BEFORE
    )
    assert {r.code: local(r.due_at, zone) for r in got}["1d"] == ("2026-06-20", "09:00")


# --- Daylight saving: "09:00 local" is worked out for each occurrence ---------------------------


@pytest.mark.parametrize(
    "zone,reminder_day,utc_hour",
    [
        # America/New_York: summer time from 2026-03-08, winter time from 2026-11-01.
        (NEW_YORK, "2026-03-07", 14),  # the day before the spring change: EST (UTC-5)
        (NEW_YORK, "2026-03-08", 13),  # the day of the change: EDT (UTC-4)
        (NEW_YORK, "2026-03-09", 13),  # the day after
        (NEW_YORK, "2026-10-31", 13),  # the day before the autumn change: EDT
        (NEW_YORK, "2026-11-01", 14),  # the day of the change: EST
        (NEW_YORK, "2026-11-02", 14),  # the day after
        # Europe/London: summer time from 2026-03-29, winter time from 2026-10-25.
        (LONDON, "2026-03-28", 9),  # GMT
        (LONDON, "2026-03-29", 8),  # BST
        (LONDON, "2026-03-30", 8),  # the day after
        (LONDON, "2026-10-24", 8),  # BST
        (LONDON, "2026-10-25", 9),  # GMT
        (LONDON, "2026-10-26", 9),  # the day after
    ],
)
def test_a_nine_oclock_reminder_stays_at_nine_across_daylight_saving(zone, reminder_day, utc_hour):
    # The 1-day reminder of an appointment the next day falls on ``reminder_day``.
    day = dt.date.fromisoformat(reminder_day)
    starts_at = at(zone, (day + dt.timedelta(days=1)).isoformat(), "11:00")
    now = at(zone, "2026-01-01", "12:00")
    (one_day,) = [
        r
        for r in appointment_reminders(appointment("ct", starts_at, zone), now=now)
        if r.code == "1d"
    ]
    assert local(one_day.due_at, zone) == (reminder_day, "09:00")
    assert (one_day.due_at.hour, one_day.due_at.minute) == (utc_hour, 0)
    assert one_day.due_at.tzinfo == UTC


@pytest.mark.parametrize(
    "zone,appointment_day,expected_utc_hours",
    [
        # Each reminder of one appointment is 09:00 on its own day, across the change between.
        (NEW_YORK, "2026-03-12", {"7d": 14, "2d_scan": 13, "1d": 13, "1d_after_scan": 13}),
        (NEW_YORK, "2026-11-05", {"7d": 13, "2d_scan": 14, "1d": 14, "1d_after_scan": 14}),
        (LONDON, "2026-04-02", {"7d": 9, "2d_scan": 8, "1d": 8, "1d_after_scan": 8}),
        (LONDON, "2026-10-28", {"7d": 8, "2d_scan": 9, "1d": 9, "1d_after_scan": 9}),
    ],
)
def test_reminders_on_either_side_of_a_change_each_land_at_nine(
    zone, appointment_day, expected_utc_hours
):
    facts = appointment("mri", at(zone, appointment_day, "10:00"), zone)
    got = appointment_reminders(facts, now=at(zone, "2026-01-01", "12:00"))
    assert {r.code: r.due_at.hour for r in got} == expected_utc_hours
    assert {local(r.due_at, zone)[1] for r in got} == {"09:00"}


@pytest.mark.parametrize(
    "zone,day,clock,expected_utc",
    [
        # 02:30 does not exist on the spring day: the same distance after the change (03:30 EDT).
        (NEW_YORK, "2026-03-08", "02:30", "2026-03-08T07:30"),
        # 01:30 happens twice on the autumn day: the first one (EDT).
        (NEW_YORK, "2026-11-01", "01:30", "2026-11-01T05:30"),
        (LONDON, "2026-03-29", "01:30", "2026-03-29T01:30"),
        (LONDON, "2026-10-25", "01:30", "2026-10-25T00:30"),
        (LONDON, "2026-03-30", "09:00", "2026-03-30T08:00"),
        (NEW_YORK, "2026-11-02", "09:00", "2026-11-02T14:00"),
    ],
)
def test_local_instant_handles_missing_and_repeated_times(zone, day, clock, expected_utc):
    instant = local_instant(dt.date.fromisoformat(day), dt.time.fromisoformat(clock), zone)
    assert instant == dt.datetime.fromisoformat(expected_utc).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "zone,day,utc_hour",
    [(NEW_YORK, "2026-03-09", 23), (NEW_YORK, "2026-11-02", 0), (LONDON, "2026-03-30", 18)],
)
def test_log_nudges_follow_the_clock_across_daylight_saving(zone, day, utc_hour):
    # 19:00 local (23:00 UTC in EDT; 00:00 UTC next day in EST; 18:00 UTC in BST).
    date = dt.date.fromisoformat(day)
    ((got_day, instant),) = log_reminder_instants(
        reminder_time=dt.time(19, 0), zone=zone, days=[date]
    )
    assert got_day == date
    assert local(instant, zone) == (day, "19:00")
    assert instant.hour == utc_hour


# --- Quiet hours: never between 21:00 and 08:00 local -------------------------------------------


@pytest.mark.parametrize(
    "chosen,sent",
    [
        ("22:30", "20:30"),
        ("21:00", "20:30"),
        ("23:59", "20:30"),
        ("00:00", "08:00"),
        ("06:00", "08:00"),
        ("07:59", "08:00"),
        ("08:00", "08:00"),
        ("19:00", "19:00"),
        ("20:59", "20:59"),
    ],
)
def test_waking_time_moves_a_chosen_time_out_of_quiet_hours(chosen, sent):
    assert waking_time(dt.time.fromisoformat(chosen)) == dt.time.fromisoformat(sent)


ZONES = [
    LONDON,
    NEW_YORK,
    "America/Los_Angeles",
    "Pacific/Auckland",
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # a 30-minute daylight-saving change
    "Pacific/Chatham",  # +12:45 / +13:45
]
# Days around this year's changes in both hemispheres.
DAYS = ["2026-03-08", "2026-03-29", "2026-04-05", "2026-09-27", "2026-10-25", "2026-11-01"]


def _awake(instant: dt.datetime, zone: str) -> bool:
    clock = instant.astimezone(ZoneInfo(zone)).time()
    return QUIET_END <= clock < QUIET_START and not is_quiet(instant, zone)


@pytest.mark.parametrize("zone", ZONES)
def test_no_appointment_reminder_ever_falls_in_quiet_hours(zone):
    now = at(zone, "2026-01-01", "00:00")
    checked = 0
    for day in DAYS:
        start = dt.date.fromisoformat(day) - dt.timedelta(days=2)
        for offset in range(5):
            for hour in range(24):
                local_start = dt.datetime.combine(
                    start + dt.timedelta(days=offset), dt.time(hour, 15), tzinfo=ZoneInfo(zone)
                )
                for kind in AppointmentKind.values:
                    for reminder in appointment_reminders(
                        appointment(kind, local_start, zone), now=now
                    ):
                        assert _awake(reminder.due_at, zone), (kind, local_start, reminder)
                        checked += 1
    assert checked > 5000


@pytest.mark.parametrize("zone", ZONES)
def test_no_log_nudge_ever_falls_in_quiet_hours(zone):
    days = [
        dt.date.fromisoformat(day) + dt.timedelta(days=offset)
        for day in DAYS
        for offset in (-1, 0, 1)
    ]
    for minutes in range(0, 24 * 60, 15):
        chosen = dt.time(minutes // 60, minutes % 60)
        for day, instant in log_reminder_instants(reminder_time=chosen, zone=zone, days=days):
            assert _awake(instant, zone), (chosen, day, instant)
            assert instant.astimezone(ZoneInfo(zone)).date() == day


@pytest.mark.parametrize("zone", ZONES)
def test_no_restaging_reminder_ever_falls_in_quiet_hours(zone):
    start = at(zone, "2026-03-27", "00:00")
    for step in range(0, 4 * 24 * 4):  # every quarter of an hour for four days
        now = start + dt.timedelta(minutes=15 * step)
        reminder = restaging_reminder(
            interval_weeks=12,
            enrolled_on=dt.date(2025, 1, 1),
            last_restaging_on=dt.date(2025, 12, 1),  # overdue: the next 09:00 from now
            next_booked=False,
            zone=zone,
            now=now,
        )
        assert reminder is not None
        assert _awake(reminder.due_at, zone)
        assert reminder.due_at > now
        assert reminder.due_at - now <= dt.timedelta(hours=25)


# --- Restaging ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "interval,enrolled,last,due",
    [
        (12, "2026-01-05", None, "2026-03-30"),  # from enrolment when nothing yet
        (12, "2026-01-05", "2026-02-02", "2026-04-27"),  # from the last scan or visit
        (8, "2026-01-05", "2026-02-02", "2026-03-30"),
        (16, "2025-06-01", "2026-02-02", "2026-05-25"),
    ],
)
def test_restaging_is_due_an_interval_after_the_last_one(interval, enrolled, last, due):
    assert restaging_due_date(
        interval_weeks=interval,
        enrolled_on=dt.date.fromisoformat(enrolled),
        last_restaging_on=dt.date.fromisoformat(last) if last else None,
    ) == dt.date.fromisoformat(due)


def _restaging(now: dt.datetime, *, booked: bool = False, last: str = "2026-02-02"):
    # Due 2026-04-27 (12 weeks after 2 February); the reminder is 14 days before, 13 April.
    return restaging_reminder(
        interval_weeks=12,
        enrolled_on=dt.date(2026, 1, 5),
        last_restaging_on=dt.date.fromisoformat(last),
        next_booked=booked,
        zone=LONDON,
        now=now,
    )


@pytest.mark.parametrize(
    "now,booked,expected",
    [
        # 14 days before it is due, at 09:00 local (BST by then).
        (("2026-03-01", "12:00"), False, ("2026-04-13", "09:00")),
        (("2026-04-13", "08:59"), False, ("2026-04-13", "09:00")),
        # That moment has passed and nothing is booked: the next 09:00 from now.
        (("2026-04-13", "09:00"), False, ("2026-04-14", "09:00")),
        (("2026-04-20", "07:00"), False, ("2026-04-20", "09:00")),
        (("2026-04-20", "15:00"), False, ("2026-04-21", "09:00")),
        (("2026-05-30", "23:00"), False, ("2026-05-31", "09:00")),  # overdue
        # Something is booked: no reminder.
        (("2026-03-01", "12:00"), True, None),
        (("2026-04-20", "15:00"), True, None),
    ],
)
def test_restaging_reminder(now, booked, expected):
    reminder = _restaging(at(LONDON, *now), booked=booked)
    if expected is None:
        assert reminder is None
    else:
        assert reminder is not None
        assert reminder.due_on == dt.date(2026, 4, 27)
        assert local(reminder.due_at, LONDON) == expected
        assert reminder.kind == "restaging_reminder"


def test_an_overdue_restaging_reminder_keeps_one_key_while_its_time_moves():
    monday = _restaging(at(LONDON, "2026-04-20", "15:00"))
    tuesday = _restaging(at(LONDON, "2026-04-21", "15:00"))
    assert monday is not None and tuesday is not None
    assert monday.due_at != tuesday.due_at
    assert monday.key(42) == tuesday.key(42) == "restaging:42:20260427"
    later_scan = _restaging(at(LONDON, "2026-04-21", "15:00"), last="2026-04-01")
    assert later_scan is not None and later_scan.key(42) == "restaging:42:20260624"


# --- Near the end of the calendar (31 December 9999) ------------------------------------------

KIRITIMATI = "Pacific/Kiritimati"  # UTC+14


@pytest.mark.parametrize(
    ("kind", "starts_at", "zone", "codes"),
    [
        # 13:00 on the 31st in Kiritimati: the check-in on the day after cannot be written.
        ("ct", dt.datetime(9999, 12, 30, 23, 0, tzinfo=UTC), KIRITIMATI, ["7d", "2d_scan", "1d"]),
        # 02:00 on 1 January 10000 in Kiritimati: not even the appointment's day can be.
        ("ct", dt.datetime(9999, 12, 31, 12, 0, tzinfo=UTC), KIRITIMATI, []),
        ("blood_test", dt.datetime(9999, 12, 31, 12, 0, tzinfo=UTC), KIRITIMATI, []),
        ("ct", dt.datetime(9999, 12, 31, 23, 30, tzinfo=UTC), LONDON, ["7d", "2d_scan", "1d"]),
    ],
)
def test_reminders_past_the_end_of_the_calendar_are_skipped_not_raised(
    kind, starts_at, zone, codes
):
    schedule = appointment_schedule(appointment(kind, starts_at, zone))
    assert [reminder.code for reminder in schedule] == codes
    assert all(reminder.due_at < starts_at for reminder in schedule)


def test_local_time_falls_back_to_utc_past_the_end_of_the_calendar():
    summer = at(LONDON, "2026-06-20")
    assert local_time(summer.astimezone(UTC), LONDON) == summer
    assert local_time(summer, ZoneInfo(NEW_YORK)).utcoffset() == dt.timedelta(hours=-4)
    last = dt.datetime(9999, 12, 31, 12, 0, tzinfo=UTC)
    assert local_time(last, KIRITIMATI) == last
    assert local_time(last, KIRITIMATI).tzinfo == UTC

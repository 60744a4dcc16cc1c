"""Reminder planning against the database: appointments, restaging, daily log nudges and the
nightly pass. Idempotent planning, reminders that move and cancel, sending checked at send time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PatientProfile, User
from accounts.tests.factories import make_patient
from appointments import reminder_planning as planning
from appointments import services
from appointments.models import Appointment, AppointmentStatus
from appointments.tests.appointment_factories import END_OF_CALENDAR, stored
from notifications.models import Notification, Status
from notifications.services import dispatch_due
from symptoms import reminder_planning as log_reminders
from symptoms.models import DailyLog
from symptoms.reminder_planning import plan_reminders
from symptoms.tasks import plan_reminders_nightly
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

LONDON = "Europe/London"
# A Monday, 13:00 in London (BST).
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def local(day: str, clock: str, zone: str = LONDON) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZoneInfo(zone))


def clock_of(instant: dt.datetime, zone: str = LONDON) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def patient() -> User:
    return make_patient(email="pat@example.org", timezone=LONDON, enrolled_on=dt.date(2026, 5, 1))


def book(patient: User, kind: str = "ct", when: str = "2026-06-25 10:30", **fields) -> Appointment:
    day, clock = when.split()
    return services.appointment_create(
        patient=patient,
        kind=kind,
        starts_at=local(day, clock, patient.patient_profile.timezone),
        created_by=None,
        now=fields.pop("now", NOW),
        **fields,
    )


def rows(**filters) -> list[Notification]:
    return list(Notification.objects.filter(**filters).order_by("due_at", "key", "channel"))


def reminders_of(
    appointment: Appointment, status: str | None = None, zone: str = LONDON
) -> dict[str, str]:
    """{rule code: local send time} of the appointment's in-app reminders (one per message)."""
    found = Notification.objects.filter(
        subject_type=planning.SUBJECT, subject_id=appointment.pk, channel="in_app"
    )
    if status:
        found = found.filter(status=status)
    return {row.key.split(":")[2]: clock_of(row.due_at, zone) for row in found}


def history(patient: User, kind: str, starts_at: dt.datetime, status: str = "done") -> Appointment:
    """An appointment in the past, written straight to the table as if booked long ago."""
    return Appointment.objects.create(
        patient=patient, kind=kind, starts_at=starts_at, status=status
    )


# --- Appointments ------------------------------------------------------------------------------


THREE_YEARS_ON = NOW.replace(year=2029)


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        (NOW + dt.timedelta(minutes=1), None),
        (THREE_YEARS_ON, None),
        (THREE_YEARS_ON + dt.timedelta(microseconds=1), "within the next 3 years"),
        (END_OF_CALENDAR, "within the next 3 years"),
        (NOW, "already passed"),
    ],
)
def test_an_appointment_may_start_from_now_to_3_years_ahead(patient, starts_at, message):
    def create() -> Appointment:
        return services.appointment_create(
            patient=patient, kind="ct", starts_at=starts_at, created_by=None, now=NOW
        )

    if message is None:
        assert create().starts_at == starts_at
        return
    with pytest.raises(ValidationError) as error:
        create()
    assert list(error.value.message_dict) == ["starts_at"]
    assert message in error.value.message_dict["starts_at"][0]
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()


def test_moving_an_appointment_follows_the_same_rule(patient):
    appointment = book(patient)
    with pytest.raises(ValidationError) as error:
        services.appointment_update(
            appointment=appointment, starts_at=THREE_YEARS_ON + dt.timedelta(days=1), now=NOW
        )
    assert error.value.message_dict == {
        "starts_at": ["Please choose a date within the next 3 years."]
    }
    appointment.refresh_from_db()
    assert appointment.starts_at == local("2026-06-25", "10:30")


def test_the_rule_is_one_function_with_a_code_for_each_refusal():
    check = services.validate_starts_at
    check(THREE_YEARS_ON, now=NOW)
    for starts_at, code in [
        (THREE_YEARS_ON + dt.timedelta(seconds=1), "too_far"),
        (NOW, "passed"),
        (NOW.replace(tzinfo=None) + dt.timedelta(days=1), "naive"),
    ]:
        with pytest.raises(ValidationError) as error:
            check(starts_at, now=NOW)
        assert error.value.code == code
    # Three years after 29 February is 28 February.
    leap = dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC)
    assert services.latest_start(leap) == dt.datetime(2031, 2, 28, 12, 0, tzinfo=dt.UTC)


def test_booking_plans_each_reminder_once_per_channel(patient):
    appointment = book(patient, "ct")
    assert reminders_of(appointment) == {
        "7d": "2026-06-18 09:00",
        "2d_scan": "2026-06-23 09:00",
        "1d": "2026-06-24 09:00",
        "1d_after_scan": "2026-06-26 09:00",
    }
    assert Notification.objects.filter(subject_id=appointment.pk).count() == 8
    assert {row.channel for row in rows(subject_id=appointment.pk)} == {"in_app", "email"}
    assert all(row.status == Status.PLANNED for row in rows(subject_id=appointment.pk))
    two_day = rows(subject_id=appointment.pk, kind="scan_anxiety", channel="email")[0]
    assert two_day.link == f"/appointments/{appointment.pk}/support/"
    assert "scan" not in two_day.title.lower()  # lock-screen safe


def test_booking_late_skips_what_has_passed(patient):
    appointment = book(patient, "oncology_visit", "2026-06-17 10:30")
    # 7d (10 June) has passed; 2d_visit is today at 09:00, passed too. Only tomorrow's remains.
    assert reminders_of(appointment) == {"1d": "2026-06-16 09:00"}


def test_planning_twice_creates_nothing_new(patient):
    appointments = [book(patient, kind) for kind in ("ct", "oncology_visit", "blood_test")]
    count = Notification.objects.count()
    zones = {patient.pk: LONDON}
    assert planning.reminders_plan_bulk(appointments, zones=zones, now=NOW) == 0
    assert planning.reminders_plan_bulk(appointments, zones=zones, now=NOW) == 0
    assert Notification.objects.count() == count
    first = plan_reminders(now=NOW)
    assert first["appointment_reminders"] == 0
    count = Notification.objects.count()
    assert plan_reminders(now=NOW) == dict.fromkeys(first, 0) | {"patients": 1}
    assert Notification.objects.count() == count


def test_the_nightly_pass_plans_what_a_change_did_not(patient):
    appointment = Appointment.objects.create(
        patient=patient, kind="mri", starts_at=local("2026-06-25", "10:30")
    )  # written past the service (say, an import): no reminders yet
    counts = plan_reminders(now=NOW)
    assert counts["appointment_reminders"] == 8
    assert set(reminders_of(appointment)) == {"7d", "2d_scan", "1d", "1d_after_scan"}


def test_reschedule_moves_reminders_and_leaves_sent_ones_alone(patient):
    appointment = book(patient, "ct")  # 25 June
    with time_machine.travel(local("2026-06-18", "09:01"), tick=False):
        assert dispatch_due().sent == 2  # the 7-day reminder, in the app and by email
    services.appointment_update(
        appointment=appointment,
        starts_at=local("2026-07-10", "14:00"),
        now=local("2026-06-18", "09:05"),
    )
    assert reminders_of(appointment, Status.SENT) == {"7d": "2026-06-18 09:00"}
    assert reminders_of(appointment, Status.CANCELLED) == {
        "2d_scan": "2026-06-23 09:00",
        "1d": "2026-06-24 09:00",
        "1d_after_scan": "2026-06-26 09:00",
    }
    assert reminders_of(appointment, Status.PLANNED) == {
        "7d": "2026-07-03 09:00",
        "2d_scan": "2026-07-08 09:00",
        "1d": "2026-07-09 09:00",
        "1d_after_scan": "2026-07-11 09:00",
    }
    assert len(mail.outbox) == 1


def test_reschedule_and_back_plans_the_same_rows_again(patient):
    appointment = book(patient, "ct")
    before = {row.pk: row.key for row in rows(subject_id=appointment.pk)}
    services.appointment_update(
        appointment=appointment, starts_at=local("2026-07-10", "14:00"), now=NOW
    )
    services.appointment_update(
        appointment=appointment, starts_at=local("2026-06-25", "16:00"), now=NOW
    )
    planned = {row.pk: row.key for row in rows(subject_id=appointment.pk, status=Status.PLANNED)}
    assert planned == before  # the same rows, planned again: nothing doubled
    assert Notification.objects.filter(subject_id=appointment.pk).count() == 16


def test_an_edit_keeps_a_reminder_that_is_due_but_not_sent_yet(patient):
    appointment = book(patient, "ct")
    # The 1-day reminder is due (09:00) and the dispatcher has not reached the in-app one yet;
    # the email one failed once and waits out its backoff.
    Notification.objects.filter(
        subject_id=appointment.pk, key__contains=":1d:", channel="email"
    ).update(attempts=1, due_at=local("2026-06-24", "09:02"))
    services.appointment_update(
        appointment=appointment, location="Clinic 4", now=local("2026-06-24", "09:00:30")
    )
    after = rows(subject_id=appointment.pk, key__contains=":1d:")
    assert [(row.channel, row.status, clock_of(row.due_at), row.attempts) for row in after] == [
        ("in_app", Status.PLANNED, "2026-06-24 09:00", 0),
        ("email", Status.PLANNED, "2026-06-24 09:02", 1),
    ]
    # (The earlier ones were never dispatched in this test: due, still on the schedule, kept.)
    assert reminders_of(appointment, Status.PLANNED) == {
        "7d": "2026-06-18 09:00",
        "2d_scan": "2026-06-23 09:00",
        "1d": "2026-06-24 09:00",
        "1d_after_scan": "2026-06-26 09:00",
    }


def test_cancel_cancels_what_is_not_sent(patient):
    appointment = book(patient, "ct")
    with time_machine.travel(local("2026-06-18", "09:01"), tick=False):
        dispatch_due()
    services.appointment_cancel(appointment=appointment, now=local("2026-06-19", "10:00"))
    assert set(reminders_of(appointment, Status.SENT)) == {"7d"}
    assert set(reminders_of(appointment, Status.CANCELLED)) == {"2d_scan", "1d", "1d_after_scan"}
    assert not reminders_of(appointment, Status.PLANNED)
    # The nightly pass does not bring them back.
    plan_reminders(now=local("2026-06-20", "03:15"))
    assert not reminders_of(appointment, Status.PLANNED)


def test_cancelling_a_done_appointment_changes_nothing(patient):
    appointment = book(patient, "ct")
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.DONE)
    services.appointment_cancel(appointment=appointment, now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.DONE
    assert "1d_after_scan" in reminders_of(appointment, Status.PLANNED)


def test_a_time_zone_change_moves_pending_reminders(patient):
    appointment = book(patient, "oncology_visit")
    profile = patient.patient_profile
    profile.timezone = "America/New_York"
    profile.save()
    log_reminders.patient_reminders_replan(profile=profile, now=NOW)
    assert reminders_of(appointment, Status.PLANNED, zone="America/New_York") == {
        "7d": "2026-06-18 09:00",
        "2d_visit": "2026-06-23 09:00",
        "1d": "2026-06-24 09:00",
    }
    assert len(reminders_of(appointment, Status.CANCELLED)) == 3


def test_the_nightly_pass_repairs_a_time_zone_changed_without_replanning(patient):
    appointment = book(patient, "ct")
    PatientProfile.objects.filter(pk=patient.pk).update(timezone="Asia/Kolkata")  # e.g. in admin
    plan_reminders(now=NOW)
    pending = rows(subject_id=appointment.pk, status=Status.PLANNED)
    assert len(pending) == 8  # one per rule and channel: no duplicates
    assert {clock_of(row.due_at, "Asia/Kolkata")[-5:] for row in pending} == {"09:00"}


# --- Restaging ---------------------------------------------------------------------------------


def restaging_rows(patient: User, status: str | None = None) -> list[Notification]:
    found = rows(subject_type=planning.RESTAGING_SUBJECT, subject_id=patient.pk)
    return [row for row in found if status is None or row.status == status]


def test_restaging_reminder_14_days_before_it_is_due(patient):
    history(patient, "ct", local("2026-05-11", "10:00"))  # due 3 August
    assert planning.restaging_reminders_plan(profiles=[patient.patient_profile], now=NOW) == 2
    reminder = restaging_rows(patient)
    assert [row.key for row in reminder] == [f"restaging:{patient.pk}:20260803"] * 2
    assert {clock_of(row.due_at) for row in reminder} == {"2026-07-20 09:00"}
    assert {row.link for row in reminder} == {"/appointments/"}
    assert reminder[0].kind == "restaging_reminder"
    assert "Ask your care team" in reminder[0].body


def test_an_overdue_restaging_reminder_goes_out_once(patient):
    history(patient, "restaging", local("2026-03-23", "10:00"))  # due 15 June: overdue
    profiles = [patient.patient_profile]
    planning.restaging_reminders_plan(profiles=profiles, now=NOW)
    assert {clock_of(row.due_at) for row in restaging_rows(patient)} == {"2026-06-16 09:00"}
    # The dispatcher was down; the next night the send time moves, the message stays one.
    planning.restaging_reminders_plan(profiles=profiles, now=local("2026-06-17", "03:15"))
    assert {clock_of(row.due_at) for row in restaging_rows(patient)} == {"2026-06-17 09:00"}
    with time_machine.travel(local("2026-06-17", "09:00"), tick=False):
        assert dispatch_due().sent == 2
    for day in ("2026-06-18", "2026-06-19", "2026-06-30"):
        assert planning.restaging_reminders_plan(profiles=profiles, now=local(day, "03:15")) == 0
    assert len(restaging_rows(patient)) == 2
    assert len(mail.outbox) == 1


def test_booking_a_scan_cancels_the_restaging_reminder_and_cancelling_it_brings_it_back(patient):
    history(patient, "ct", local("2026-05-11", "10:00"))
    planning.restaging_reminders_plan(profiles=[patient.patient_profile], now=NOW)
    book(patient, "blood_test")
    assert len(restaging_rows(patient, Status.PLANNED)) == 2  # not a scan: still wanted
    scan = book(patient, "pet", "2026-08-01 09:00")
    assert len(restaging_rows(patient, Status.CANCELLED)) == 2
    services.appointment_cancel(appointment=scan, now=NOW)
    assert len(restaging_rows(patient, Status.PLANNED)) == 2
    assert len(restaging_rows(patient)) == 2  # the same rows again


def test_a_scheduled_scan_in_the_past_counts_as_the_last_one(patient):
    history(patient, "ct", local("2026-02-02", "10:00"))
    history(patient, "mri", local("2026-06-01", "10:00"), status="scheduled")  # not marked done
    history(patient, "pet", local("2026-06-08", "10:00"), status="cancelled")  # does not count
    planning.restaging_reminders_plan(profiles=[patient.patient_profile], now=NOW)
    assert {row.key.rsplit(":", 1)[1] for row in restaging_rows(patient)} == {"20260824"}


def test_a_later_scan_moves_the_due_date(patient):
    history(patient, "ct", local("2026-03-23", "10:00"))
    profiles = [patient.patient_profile]
    planning.restaging_reminders_plan(profiles=profiles, now=NOW)
    history(patient, "ct", local("2026-06-15", "09:00"))  # done this morning
    planning.restaging_reminders_plan(profiles=profiles, now=NOW)
    assert {row.key[-8:] for row in restaging_rows(patient, Status.CANCELLED)} == {"20260615"}
    assert {row.key[-8:] for row in restaging_rows(patient, Status.PLANNED)} == {"20260907"}


def test_restaging_planning_takes_the_same_queries_for_many_patients():
    def patients(n: int, offset: int) -> list[PatientProfile]:
        made = [make_patient(email=f"r{offset + i}@example.org") for i in range(n)]
        for user in made:
            history(user, "ct", local("2026-05-11", "10:00"))
        return [user.patient_profile for user in made]

    few, many = patients(2, 0), patients(12, 100)
    with CaptureQueriesContext(connection) as for_few:
        planning.restaging_reminders_plan(profiles=few, now=NOW)
    with CaptureQueriesContext(connection) as for_many:
        planning.restaging_reminders_plan(profiles=many, now=NOW)
    assert len(for_few) == len(for_many) <= 10  # savepoints included


# --- Daily log nudges --------------------------------------------------------------------------


def test_log_nudges_are_planned_for_today_and_the_next_days(patient):
    profile = patient.patient_profile
    assert log_reminders.log_reminders_plan(profiles=[profile], now=NOW) == 6
    nudges = rows(kind="log_reminder", channel="in_app")
    assert [row.key for row in nudges] == [
        f"log:{patient.pk}:2026-06-15",
        f"log:{patient.pk}:2026-06-16",
        f"log:{patient.pk}:2026-06-17",
    ]
    assert {clock_of(row.due_at)[-5:] for row in nudges} == {"19:00"}
    assert {(row.title, row.body, row.link) for row in nudges} == {
        ("How are you today?", "A quick note takes a few seconds.", "/log/")
    }
    assert log_reminders.log_reminders_plan(profiles=[profile], now=NOW) == 0
    # After 19:00 today's time has passed: it is not planned, however late in the day.
    later = local("2026-06-15", "19:30")
    Notification.objects.all().delete()
    log_reminders.log_reminders_plan(profiles=[profile], now=later)
    assert [row.key[-10:] for row in rows(kind="log_reminder", channel="in_app")] == [
        "2026-06-16",
        "2026-06-17",
    ]


@pytest.mark.parametrize("chosen,sent", [("22:30", "20:30"), ("06:00", "08:00")])
def test_a_log_nudge_never_goes_out_in_quiet_hours(chosen, sent):
    user = make_patient(timezone=LONDON, log_reminder_time=dt.time.fromisoformat(chosen))
    log_reminders.log_reminders_plan(
        profiles=[user.patient_profile], now=local("2026-06-15", "00:05")
    )
    assert {clock_of(row.due_at)[-5:] for row in rows(kind="log_reminder")} == {sent}


def test_the_log_nudge_is_not_sent_once_the_patient_has_logged(patient):
    log_reminders.log_reminders_plan(profiles=[patient.patient_profile], now=NOW)
    log_day(patient, dt.date(2026, 6, 15), {"fatigue": 2}, now=local("2026-06-15", "18:00"))
    # Cancelled when the day was saved, so the dispatcher never claims it.
    today = rows(key=f"log:{patient.pk}:2026-06-15")
    assert {row.status for row in today} == {Status.CANCELLED}
    with time_machine.travel(local("2026-06-15", "19:00:30"), tick=False):
        result = dispatch_due()
    assert (result.claimed, result.sent) == (0, 0)
    assert mail.outbox == []
    # The next day has no log: the nudge goes out, in the app and by email.
    with time_machine.travel(local("2026-06-16", "19:00:30"), tick=False):
        result = dispatch_due()
    assert (result.sent, result.skipped) == (2, 0)
    assert {row.status for row in rows(key=f"log:{patient.pk}:2026-06-16")} == {Status.SENT}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "How are you today?"
    assert mail.outbox[0].to == ["pat@example.org"]


def test_the_send_time_check_still_drops_a_nudge_for_a_day_logged_by_another_road(patient):
    log_reminders.log_reminders_plan(profiles=[patient.patient_profile], now=NOW)
    DailyLog.objects.create(patient=patient, date=dt.date(2026, 6, 15))  # not via the service
    with time_machine.travel(local("2026-06-15", "19:00:30"), tick=False):
        result = dispatch_due()
    assert (result.sent, result.skipped) == (0, 2)
    assert {row.status for row in rows(key=f"log:{patient.pk}:2026-06-15")} == {Status.SKIPPED}
    assert mail.outbox == []


def test_a_log_nudge_sent_late_is_dropped_after_its_day_or_in_quiet_hours(patient):
    log_reminders.log_reminders_plan(profiles=[patient.patient_profile], now=NOW)
    # The dispatcher was down from 19:00 until 21:30: too late in the evening.
    with time_machine.travel(local("2026-06-15", "21:30"), tick=False):
        assert dispatch_due().skipped == 2
    # ... and until the next morning: not "today" any more.
    with time_machine.travel(local("2026-06-17", "10:00"), tick=False):
        assert dispatch_due().skipped == 2
    assert mail.outbox == []


def test_changing_the_reminder_time_moves_pending_nudges(patient):
    profile = patient.patient_profile
    log_reminders.log_reminders_plan(profiles=[profile], now=NOW)
    count = Notification.objects.filter(kind="log_reminder").count()
    profile.log_reminder_time = dt.time(8, 30)
    profile.save()
    log_reminders.patient_reminders_replan(profile=profile, now=NOW)
    nudges = rows(kind="log_reminder", channel="in_app")
    # Today's 08:30 has passed: today's nudge is dropped (not sent late); the others move.
    assert [(row.key[-10:], row.status, clock_of(row.due_at)[-5:]) for row in nudges] == [
        ("2026-06-15", Status.CANCELLED, "19:00"),
        ("2026-06-16", Status.PLANNED, "08:30"),
        ("2026-06-17", Status.PLANNED, "08:30"),
    ]
    profile.log_reminder_time = dt.time(20, 0)
    profile.save()
    log_reminders.patient_reminders_replan(profile=profile, now=NOW)
    nudges = rows(kind="log_reminder", channel="in_app")
    assert {(row.status, clock_of(row.due_at)[-5:]) for row in nudges} == {
        (Status.PLANNED, "20:00")
    }
    assert Notification.objects.filter(kind="log_reminder").count() == count  # never doubled


def test_moving_to_a_zone_behind_cancels_a_day_no_longer_ahead():
    user = make_patient(timezone="Pacific/Auckland")
    profile = user.patient_profile
    log_reminders.log_reminders_plan(profiles=[profile], now=NOW)  # 16 June, 00:00 in Auckland
    profile.timezone = "America/Los_Angeles"  # 15 June, 05:00
    profile.save()
    log_reminders.patient_reminders_replan(profile=profile, now=NOW)
    nudges = rows(kind="log_reminder", channel="in_app")
    zone = "America/Los_Angeles"
    assert [(row.key[-10:], row.status, clock_of(row.due_at, zone)) for row in nudges] == [
        ("2026-06-15", Status.PLANNED, "2026-06-15 19:00"),
        ("2026-06-16", Status.PLANNED, "2026-06-16 19:00"),
        ("2026-06-17", Status.PLANNED, "2026-06-17 19:00"),
        ("2026-06-18", Status.CANCELLED, "2026-06-18 00:00"),  # 19:00 in Auckland
    ]


def test_the_settings_page_and_the_api_re_plan_the_nudges(
    client, api_client, patient, django_capture_on_commit_callbacks
):
    log_reminders.log_reminders_plan(profiles=[patient.patient_profile], now=NOW)
    with time_machine.travel(NOW, tick=False):
        client.force_login(patient)
        with django_capture_on_commit_callbacks(execute=True):  # the re-plan follows the commit
            response = client.post(
                "/settings/",
                {
                    "name": patient.name,
                    "preferred_name": "",
                    "sites": ["bone"],
                    "timezone": LONDON,
                    "log_reminder_time": "18:15",
                },
            )
        assert response.status_code == 302
        assert {clock_of(row.due_at)[-5:] for row in rows(kind="log_reminder")} == {"18:15"}
        api_client.force_authenticate(patient)
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.patch(
                "/api/v1/me/", {"patient": {"timezone": "America/New_York"}}, format="json"
            )
        assert response.status_code == 200, response.content
    nudges = rows(kind="log_reminder", status=Status.PLANNED)
    assert {clock_of(row.due_at, "America/New_York")[-5:] for row in nudges} == {"18:15"}


# --- The nightly pass --------------------------------------------------------------------------


def test_the_nightly_task_is_idempotent(patient, run_nightly):
    book(patient, "ct")
    history(patient, "ct", local("2026-03-23", "10:00"))
    other = make_patient(timezone="Pacific/Auckland")
    book(other, "oncology_visit", "2026-07-01 11:00")
    # The task plans from the real clock, so the test pins it: how many nudges are still ahead
    # tonight depends on the hour in London and Auckland.
    with time_machine.travel(dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC), tick=False):
        first = run_nightly(plan_reminders_nightly)
        assert first["patients"] == 2
        assert first["log_reminders"] == 12
        count = Notification.objects.count()
        second = run_nightly(plan_reminders_nightly)
    assert second == {**dict.fromkeys(first, 0), "patients": 2}
    assert Notification.objects.count() == count


def test_the_nightly_pass_skips_patients_who_left(patient):
    User.objects.filter(pk=patient.pk).update(is_active=False)
    assert plan_reminders(now=NOW)["patients"] == 0
    assert not Notification.objects.exists()


def test_the_command_runs_the_nightly_pass(patient, capsys):
    book(patient, "ct")
    call_command("plan_reminders")
    out = capsys.readouterr().out
    assert "Reminders planned: patients 1" in out
    call_command("plan_reminders")
    assert "log_reminders 0" in capsys.readouterr().out


def test_a_patient_whose_planning_fails_is_skipped_and_everybody_else_is_planned(
    monkeypatch, caplog
):
    """Five patients, two per batch; the third fails after part of their planning was written.
    Their batch is planned again one patient at a time: the fourth is planned, the third is
    rolled back (nothing half-written), logged and counted, and the last batch still runs."""
    patients = [
        make_patient(email=f"batch{i}@example.org", enrolled_on=dt.date(2026, 5, 1))
        for i in range(5)
    ]
    for patient in patients:
        book(patient, "ct")
    Notification.objects.all().delete()  # everything to plan, as on a first night
    failing = patients[2]
    plan_logs = log_reminders.log_reminders_plan

    def fails_for_one(*, profiles, now, **kwargs):
        profiles = list(profiles)
        if any(profile.pk == failing.pk for profile in profiles):
            raise RuntimeError("planning failed")
        return plan_logs(profiles=profiles, now=now, **kwargs)

    monkeypatch.setattr(log_reminders, "log_reminders_plan", fails_for_one)
    counts = plan_reminders(now=NOW, patient_batch=2)
    assert counts["patients"] == 4
    assert counts["failed"] == 1
    # Appointment reminders are written before the log nudges (which fail for one patient).
    kinds = {"appointment_reminder", "scan_anxiety", "post_scan_checkin", "log_reminder"}
    for patient in patients:
        planned = set(Notification.objects.filter(recipient=patient).values_list("kind", flat=True))
        assert planned == (set() if patient == failing else kinds), patient
    (record,) = [row for row in caplog.records if row.levelname == "ERROR"]
    assert f"patient {failing.pk}" in record.getMessage()
    assert record.exc_info is not None


def test_a_patient_with_an_appointment_at_the_end_of_the_calendar_is_planned(patient):
    PatientProfile.objects.filter(pk=patient.pk).update(timezone="Pacific/Kiritimati")
    stored(patient)  # 13:00 on 31 December 9999 there: its check-in day cannot be written
    counts = plan_reminders(now=NOW)
    assert (counts["patients"], counts["failed"]) == (1, 0)
    (appointment,) = Appointment.objects.all()
    keys = Notification.objects.filter(subject_type=planning.SUBJECT).values_list("key", flat=True)
    assert set(keys) == {
        f"appointment:{appointment.pk}:{rule}"
        for rule in ["7d:99991223T1900Z", "2d_scan:99991228T1900Z", "1d:99991229T1900Z"]
    }


def test_the_command_reports_who_could_not_be_planned_and_still_succeeds(patient, capsys):
    other = make_patient(email="gone.zone@example.org")
    # A zone stored when it was valid and since removed from the time zone database.
    PatientProfile.objects.filter(pk=other.pk).update(timezone="US/Pacific-New")
    call_command("plan_reminders", "--patient-batch", "1")
    out, err = capsys.readouterr()
    assert "Reminders planned: patients 1" in out
    assert "failed 1" in out
    assert f"Could not plan the reminders of 1 patient: {other.pk}." in err
    assert Notification.objects.filter(recipient=patient, kind="log_reminder").exists()
    assert not Notification.objects.filter(recipient=other).exists()


def test_the_command_fails_when_nobody_could_be_planned(patient, capsys):
    PatientProfile.objects.filter(pk=patient.pk).update(timezone="US/Pacific-New")
    with pytest.raises(CommandError, match="Could not plan the reminders of any patient"):
        call_command("plan_reminders")


def _population(n: int, start: int) -> None:
    for i in range(n):
        user = make_patient(
            email=f"load{start + i}@example.org",
            timezone=["Europe/London", "America/New_York", "Asia/Kolkata"][i % 3],
        )
        history(user, "ct", local("2026-04-06", "10:00"))
        book(user, "mri", "2026-06-25 10:30")
        book(user, "oncology_visit", "2026-06-29 15:00")


def test_the_nightly_pass_takes_the_same_queries_for_more_patients():
    _population(3, 0)
    Notification.objects.all().delete()  # everything to plan, as on a first night
    with CaptureQueriesContext(connection) as first_few:
        plan_reminders(now=NOW)
    with CaptureQueriesContext(connection) as again_few:
        plan_reminders(now=NOW)
    Notification.objects.all().delete()
    _population(9, 100)
    with CaptureQueriesContext(connection) as first_many:
        plan_reminders(now=NOW)
    with CaptureQueriesContext(connection) as again_many:
        plan_reminders(now=NOW)
    assert len(first_few) == len(first_many)
    assert len(again_few) == len(again_many) < len(first_many)
    assert len(first_many) <= 31  # one of them reads the recipients' languages, once per batch


# --- A change of zone and the re-plan that follows it -------------------------------------------
# The change is saved in its own transaction; the re-plan follows it once it commits (a task, by
# name: followups.services), so a failing re-plan can never leave a half-saved change or fail
# the save.

ME_URL = "/api/v1/me/"


def test_a_move_to_a_zone_where_a_stored_appointment_is_past_the_calendar_is_saved(
    people, api_client, django_capture_on_commit_callbacks
):
    """The reported 500: an appointment at 23:00 UTC on 30 December 9999 (stored before the date
    rule) is at 13:00 on the 31st in Kiritimati, and its check-in the day after falls on a day
    that cannot be written. The move is saved and the reminders that can be are planned."""
    late = stored(people.patient_a)
    api_client.force_authenticate(people.patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.patch(ME_URL, {"timezone": "Pacific/Kiritimati"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["patient"]["timezone"] == "Pacific/Kiritimati"
    people.patient_a.patient_profile.refresh_from_db()
    assert people.patient_a.patient_profile.timezone == "Pacific/Kiritimati"
    nudges = Notification.objects.filter(recipient=people.patient_a, kind="log_reminder")
    assert nudges.filter(status="planned").exists()  # the re-plan ran
    reminders = Notification.objects.filter(subject_type="appointment", subject_id=late.pk)
    assert {key.split(":")[2] for key in reminders.values_list("key", flat=True)} == {
        "7d",
        "2d_scan",
        "1d",
    }


def _replan_fails(monkeypatch) -> None:
    from symptoms import tasks

    def fail(**kwargs: object) -> int:
        raise RuntimeError("planning failed")

    monkeypatch.setattr(tasks, "patient_reminders_replan", fail)


def test_a_failed_re_plan_never_fails_the_settings_change_api(
    people, api_client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    _replan_fails(monkeypatch)
    api_client.force_authenticate(people.patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.patch(
            ME_URL, {"name": "Changed", "timezone": "Pacific/Kiritimati"}, format="json"
        )
    assert response.status_code == 200, response.content
    people.patient_a.refresh_from_db()
    assert people.patient_a.name == "Changed"
    assert people.patient_a.patient_profile.timezone == "Pacific/Kiritimati"
    assert any("replan_patient_reminders" in record.getMessage() for record in caplog.records)


def test_a_failed_re_plan_never_fails_the_settings_change_page(
    people, client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    _replan_fails(monkeypatch)
    client.force_login(people.patient_a)
    form = {
        "name": "Changed",
        "preferred_name": "",
        "sites": ["bone"],
        "timezone": "Pacific/Kiritimati",
        "log_reminder_time": "19:00",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/", form)
    assert response.status_code == 302
    people.patient_a.refresh_from_db()
    assert people.patient_a.name == "Changed"
    assert people.patient_a.patient_profile.timezone == "Pacific/Kiritimati"
    assert any("replan_patient_reminders" in record.getMessage() for record in caplog.records)

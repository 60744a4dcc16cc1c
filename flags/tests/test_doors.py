"""Every door, one action: admin, the API and the record page reach the same services, so what a
save sets in motion (a flag evaluation, a reminder re-plan) follows whichever door it came in
through, once the write commits, without waiting for the nightly passes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from accounts.models import PatientProfile
from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_create
from flags import services as flags
from flags.models import Flag, FlagLevel, FlagStatus
from flags.selectors import flag_staff_title
from flags.services.handling import RESOLVE_NEEDS_NOTE
from flags.tests.flag_helpers import NOW, day, live
from notifications.models import Kind, Notification, Status
from symptoms import reminder_planning as log_reminders
from symptoms.models import DailyLog
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db


def alerts_to(user, flag: Flag) -> list[Notification]:
    return list(
        Notification.objects.filter(
            kind=Kind.FLAG_ALERT, recipient=user, subject_type="flag", subject_id=flag.pk
        )
    )


def assert_urgent_red_flag_with_alert(people) -> Flag:
    (flag,) = live(people.patient_a, "red_flag")
    assert (flag.level, flag.status, flag.symptom_id) == (
        FlagLevel.URGENT,
        FlagStatus.OPEN,
        "seizure",
    )
    assert flag.evidence == [day(0).isoformat()]
    urgent = [row for row in alerts_to(people.coordinator_a, flag) if row.due_at == NOW]
    assert urgent, "no alert planned for the patient's coordinator"
    # Planned, and sent at once here: the evaluation rings the dispatcher (eager in tests).
    assert {row.status for row in urgent} <= {Status.PLANNED, Status.SENT}
    assert {row.key for row in urgent} == {f"flag:{flag.pk}:urgent:{people.coordinator_a.pk}"}
    assert not alerts_to(people.coordinator_b, flag)  # another team's coordinator
    return flag


# --- a. A log saved in admin --------------------------------------------------------------------


def test_a_log_added_in_admin_opens_its_urgent_flag_and_alerts_the_team(
    people, client, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        client.force_login(people.admin)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                reverse("admin:symptoms_dailylog_add"),
                {
                    "patient": people.patient_a.pk,
                    "date": day(0).isoformat(),
                    "notes": "Phoned in by her partner",
                    "entries-TOTAL_FORMS": "1",
                    "entries-INITIAL_FORMS": "0",
                    "entries-0-symptom": "seizure",
                    "entries-0-present": "true",
                },
            )
        assert response.status_code == 302, response.context["adminform"].form.errors
    log = DailyLog.objects.get(patient=people.patient_a, date=day(0))
    assert [(entry.symptom_id, entry.present) for entry in log.entries.all()] == [("seizure", True)]
    assert callbacks, "the admin save asked for nothing after its commit"
    assert_urgent_red_flag_with_alert(people)


def test_a_log_changed_in_admin_opens_its_urgent_flag_and_alerts_the_team(
    people, client, django_capture_on_commit_callbacks
):
    quiet = log_day(people.patient_a, day(0), {"fatigue": 2}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    assert not live(people.patient_a)
    url = reverse("admin:symptoms_dailylog_change", args=[quiet.pk])
    with time_machine.travel(NOW, tick=False):
        client.force_login(people.admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url,
                {
                    "notes": "She rang back: a fit this morning",
                    "entries-TOTAL_FORMS": "2",
                    "entries-INITIAL_FORMS": "1",
                    "entries-0-id": str(quiet.entries.get().pk),
                    "entries-0-log": str(quiet.pk),
                    "entries-0-symptom": "fatigue",
                    "entries-0-severity": "2",
                    "entries-1-log": str(quiet.pk),
                    "entries-1-symptom": "seizure",
                    "entries-1-present": "true",
                },
            )
        assert response.status_code == 302, response.context["adminform"].form.errors
    saved = DailyLog.objects.get(pk=quiet.pk)
    assert {entry.symptom_id for entry in saved.entries.all()} == {"fatigue", "seizure"}
    assert_urgent_red_flag_with_alert(people)


# --- b. An appointment cancelled in admin -------------------------------------------------------


def test_cancelling_the_only_scan_in_admin_opens_restaging_overdue(
    people, client, django_capture_on_commit_callbacks
):
    patient = people.patient_a
    # Enrolled long enough ago, no scan ever: only the booked one keeps the flag away.
    PatientProfile.objects.filter(pk=patient.pk).update(enrolled_on=dt.date(2025, 11, 1))
    scan = appointment_create(
        patient=patient,
        kind="ct",
        starts_at=NOW + dt.timedelta(days=10),
        created_by=None,
        now=NOW,
    )
    flags.evaluate_patient(patient=patient, now=NOW)
    assert not live(patient, "restaging_overdue")

    with time_machine.travel(NOW, tick=False):
        client.force_login(people.admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:appointments_appointment_changelist"),
                {"action": "cancel", "_selected_action": [scan.pk]},
            )
    assert response.status_code == 302
    scan.refresh_from_db()
    assert scan.status == AppointmentStatus.CANCELLED
    (flag,) = live(patient, "restaging_overdue")
    assert (flag.level, flag.status, flag.opened_at) == (
        FlagLevel.NEXT_VISIT,
        FlagStatus.OPEN,
        NOW,
    )
    assert not Appointment.objects.filter(patient=patient, status="scheduled").exists()


# A state flag (restaging_overdue, not_logging) that resolved itself opens again when the state
# returns: that is a new episode, even without log evidence newer than the resolution.


def test_cancelling_the_scan_that_resolved_restaging_overdue_opens_it_again(
    people, client, django_capture_on_commit_callbacks
):
    patient = people.patient_a
    PatientProfile.objects.filter(pk=patient.pk).update(enrolled_on=dt.date(2025, 11, 1))
    flags.evaluate_patient(patient=patient, now=NOW)
    (overdue,) = live(patient, "restaging_overdue")
    scan = appointment_create(
        patient=patient, kind="ct", starts_at=NOW + dt.timedelta(days=10), created_by=None, now=NOW
    )
    flags.evaluate_patient(patient=patient, now=NOW)
    overdue.refresh_from_db()
    assert overdue.status == FlagStatus.RESOLVED  # resolved itself: a scan is booked

    later = NOW + dt.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        client.force_login(people.admin)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:appointments_appointment_changelist"),
                {"action": "cancel", "_selected_action": [scan.pk]},
            )
    scan.refresh_from_db()
    assert scan.status == AppointmentStatus.CANCELLED
    assert live(patient, "restaging_overdue"), "nothing is booked, yet no restaging_overdue flag"


# --- c. A patient profile saved in admin --------------------------------------------------------

# A Monday, 13:00 in London (BST): 08:00 in New York.
REMINDER_NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def nudge_times(patient, zone: str) -> set[tuple[str, str]]:
    """{(day, local time)} of the patient's pending daily nudges, read in ``zone``."""
    rows = Notification.objects.filter(
        kind=Kind.LOG_REMINDER, recipient=patient, status=Status.PLANNED
    )
    return {
        (row.key.rsplit(":", 1)[1], row.due_at.astimezone(ZoneInfo(zone)).strftime("%H:%M"))
        for row in rows
    }


def profile_form(profile: PatientProfile, **changes: str) -> dict[str, object]:
    """The PatientProfile admin change form as it stands, with ``changes``."""
    data: dict[str, object] = {
        "preferred_name": profile.preferred_name,
        "care_team": str(profile.care_team_id),
        "sites": list(profile.sites),
        "timezone": profile.timezone,
        "log_reminder_time": profile.log_reminder_time.strftime("%H:%M"),
        "restaging_interval_weeks": str(profile.restaging_interval_weeks),
        "enrolled_on": profile.enrolled_on.isoformat(),
        "hormone_receptor_status": profile.hormone_receptor_status,
        "her2_status": profile.her2_status,
        "pik3ca_status": profile.pik3ca_status,
        "pd_l1_status": profile.pd_l1_status,
        "current_treatment": profile.current_treatment,
    }
    return data | changes


def test_a_profile_saved_in_admin_re_plans_the_daily_nudges(
    people, client, django_capture_on_commit_callbacks
):
    patient = people.patient_a
    profile = patient.patient_profile
    assert profile.timezone == "Europe/London"
    log_reminders.log_reminders_plan(profiles=[profile], now=REMINDER_NOW)
    days = {"2026-06-15", "2026-06-16", "2026-06-17"}
    assert nudge_times(patient, "Europe/London") == {(d, "19:00") for d in days}
    url = reverse("admin:accounts_patientprofile_change", args=[profile.pk])

    with time_machine.travel(REMINDER_NOW, tick=False):
        client.force_login(people.admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, profile_form(profile, log_reminder_time="18:15"))
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert nudge_times(patient, "Europe/London") == {(d, "18:15") for d in days}

        profile.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, profile_form(profile, timezone="America/New_York"))
        assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert (profile.timezone, profile.log_reminder_time) == ("America/New_York", dt.time(18, 15))
    assert nudge_times(patient, "America/New_York") == {(d, "18:15") for d in days}
    # Moved, not doubled: one row per day and channel.
    assert Notification.objects.filter(kind=Kind.LOG_REMINDER, recipient=patient).count() == 6


# --- d. Resolving needs a note, at every door ---------------------------------------------------


def unchanged(flag: Flag) -> None:
    before = (flag.status, flag.note, flag.resolved_by_id, flag.resolved_at, flag.updated_at)
    flag.refresh_from_db()
    assert (
        flag.status,
        flag.note,
        flag.resolved_by_id,
        flag.resolved_at,
        flag.updated_at,
    ) == before
    assert flag.status == FlagStatus.OPEN


@pytest.mark.parametrize(
    "body", [{"note": ""}, {"note": "   "}, {}], ids=["blank", "spaces", "none"]
)
def test_the_api_refuses_to_resolve_without_a_note(people, api_client, flagged, body):
    flag = flagged["a"]
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(f"/api/v1/flags/{flag.pk}/resolve/", body, format="json")
    assert response.status_code == 400, response.content
    assert "note" in response.json()
    assert RESOLVE_NEEDS_NOTE in str(response.json()["note"])
    unchanged(flag)
    assert live(people.patient_a, "red_flag") == [flag]


def test_the_service_refuses_to_resolve_without_a_note(people, flagged):
    flag = flagged["a"]
    with pytest.raises(ValidationError) as refused:
        flags.flag_resolve(flag=flag, by=people.coordinator_a, note="  ")
    assert refused.value.message_dict == {"note": [RESOLVE_NEEDS_NOTE]}
    unchanged(flag)


def test_the_record_page_refuses_to_resolve_without_a_note(people, client, flagged):
    flag = flagged["a"]
    client.force_login(people.coordinator_a)
    url = reverse("care:flag_resolve", args=[people.patient_a.pk, flag.pk])
    response = client.post(url, {"note": ""}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("care:record", args=[people.patient_a.pk])
    title = flag_staff_title(flag.rule, flag.subject)  # staff pages name flags in staff words
    assert escape(f"{title}: {RESOLVE_NEEDS_NOTE}") in response.content.decode()
    unchanged(flag)


# --- e. A log deleted through the API -----------------------------------------------------------


def test_a_log_deleted_through_the_api_re_evaluates_the_flags(
    people, api_client, django_capture_on_commit_callbacks
):
    patient = people.patient_a
    log_day(patient, day(-5), {"fatigue": 3}, now=NOW)
    log_day(patient, day(0), {"fatigue": 2}, now=NOW)
    flags.evaluate_patient(patient=patient, now=NOW)
    assert not live(patient, "not_logging")

    api_client.force_authenticate(patient)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"/api/v1/logs/{day(0).isoformat()}/")
    assert response.status_code == 204
    assert not DailyLog.objects.filter(patient=patient, date=day(0)).exists()
    # Today's log is gone: the newest is five days old, so "not logging" is open now.
    (flag,) = live(patient, "not_logging")
    assert (flag.level, flag.status, flag.evidence) == (
        FlagLevel.SOON,
        FlagStatus.OPEN,
        [day(-5).isoformat()],
    )


def test_deleting_the_log_that_ended_not_logging_opens_it_again(
    people, api_client, django_capture_on_commit_callbacks
):
    patient = people.patient_a
    log_day(patient, day(-6), {"fatigue": 3}, now=NOW)
    flags.evaluate_patient(patient=patient, now=NOW)
    (silent,) = live(patient, "not_logging")
    log_day(patient, day(0), {"fatigue": 2}, now=NOW)  # logged again (by mistake, as it turns out)
    flags.evaluate_patient(patient=patient, now=NOW)
    silent.refresh_from_db()
    assert silent.status == FlagStatus.RESOLVED

    api_client.force_authenticate(patient)
    later = NOW + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"/api/v1/logs/{day(0).isoformat()}/")
    assert response.status_code == 204
    # The newest log is six days old again: the team should hear that she has gone quiet.
    assert live(patient, "not_logging"), "six days without a log, yet no not_logging flag"

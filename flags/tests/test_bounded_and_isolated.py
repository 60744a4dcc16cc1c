"""The reported chain, end to end: a booking at the end of the calendar, then a move to
Pacific/Kiritimati (UTC+14), once answered 201 and then a 500 with the new zone saved, after which
the nightly planning stopped at that patient's batch and their care team's pages answered 500.

Now the booking is refused with a clear 400; a settings change is all or nothing; a row already
stored at the end of the calendar (from before the date rule) shows on every page and is planned
around; and one patient whose nightly work fails, for whatever reason, is logged and skipped
while every other patient is planned and evaluated, and the totals say so."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import services as account_services
from accounts.models import PatientProfile, User
from accounts.tests.factories import make_patient
from appointments.models import Appointment
from appointments.tests.appointment_factories import (
    END_OF_CALENDAR,
    LAST_HALF_HOUR,
    PAST_THE_CALENDAR,
    book,
)
from flags import tasks
from flags.models import Flag
from flags.tasks import sweep_flags
from notifications.models import Notification
from symptoms import reminder_planning
from symptoms.tasks import plan_reminders_nightly
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
KIRITIMATI = "Pacific/Kiritimati"
APPOINTMENTS = "/api/v1/appointments/"
ME = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def legacy(patient: User, starts_at: dt.datetime, kind: str = "ct") -> Appointment:
    """An appointment booked normally, then moved past the date rule by a queryset update (no
    validation): a row as stored before the rule existed."""
    appointment = book(patient, kind=kind)
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=starts_at)
    return Appointment.objects.get(pk=appointment.pk)


# --- The booking and the zone change ------------------------------------------------------------


@pytest.mark.parametrize(
    "starts_at",
    [
        "9999-12-30T23:00:00+00:00",  # the reported booking
        "0001-01-01T02:00:00+19:30",  # before the first instant there is, in UTC
        "9999-12-31T23:30:00-05:00",  # after the last instant there is, in UTC
        "2029-06-16T12:00:00+00:00",  # just past 3 years ahead
    ],
)
def test_a_booking_outside_the_window_is_a_clear_400(people, api_client, starts_at):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(APPOINTMENTS, {"kind": "ct", "starts_at": starts_at}, format="json")
    assert response.status_code == 400
    assert response.json() == {"starts_at": ["Please choose a date within the next 3 years."]}
    assert not Appointment.objects.exists()
    assert not Notification.objects.filter(subject_type="appointment").exists()


def test_the_window_runs_from_now_to_3_years_ahead(people, api_client):
    api_client.force_authenticate(people.patient_a)
    for starts_at, status in [
        ("2026-06-15T11:59:00+00:00", 400),  # a minute ago
        ("2026-06-15T12:01:00+00:00", 201),
        ("2029-06-15T12:00:00+00:00", 201),  # 3 years to the minute
    ]:
        response = api_client.post(
            APPOINTMENTS, {"kind": "ct", "starts_at": starts_at}, format="json"
        )
        assert response.status_code == status, (starts_at, response.content)


def test_the_reported_chain_booking_refused_then_the_zone_change_saved_with_its_reminders(
    people, api_client, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(people.patient_a)
    refused = api_client.post(
        APPOINTMENTS, {"kind": "ct", "starts_at": "9999-12-30T23:00:00+00:00"}, format="json"
    )
    assert refused.status_code == 400
    legacy(people.patient_a, END_OF_CALENDAR)  # the same row, as stored before the rule
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.patch(ME, {"timezone": KIRITIMATI}, format="json")
    assert response.status_code == 200, response.content
    assert PatientProfile.objects.get(pk=people.patient_a.pk).timezone == KIRITIMATI
    assert Notification.objects.filter(recipient=people.patient_a, kind="log_reminder").exists()


def test_a_settings_change_is_all_or_nothing(people, api_client):
    patient = people.patient_a
    api_client.force_authenticate(patient)
    response = api_client.patch(
        ME, {"name": "New Name", "timezone": KIRITIMATI, "phone": "not a phone"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["phone"]
    patient.refresh_from_db()
    assert (patient.name, patient.patient_profile.timezone) == ("Alice Patient", "Europe/London")


def test_a_settings_change_that_fails_while_saving_leaves_nothing_saved(
    people, api_client, monkeypatch
):
    """A fault after the name is written and while the profile is saved: the whole change is
    rolled back, the new name included."""
    patient = people.patient_a

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(PatientProfile, "save", broken_save)
    api_client.force_authenticate(patient)
    with pytest.raises(RuntimeError):
        api_client.patch(ME, {"name": "New Name", "timezone": KIRITIMATI}, format="json")
    monkeypatch.undo()
    stored = User.objects.select_related("patient_profile").get(pk=patient.pk)
    assert (stored.name, stored.patient_profile.timezone) == ("Alice Patient", "Europe/London")


# --- Rows stored at the end of the calendar: pages show them, planning plans around them --------


@pytest.mark.parametrize("zone", [KIRITIMATI, "Pacific/Pago_Pago", "Europe/London"])
def test_legacy_rows_at_the_end_of_the_calendar_never_stop_a_page_or_a_nightly_pass(
    people, client, zone, capsys, run_nightly
):
    patient = people.patient_a
    for starts_at, kind in [
        (END_OF_CALENDAR, "ct"),
        (PAST_THE_CALENDAR, "mri"),
        (LAST_HALF_HOUR, "oncology_visit"),
    ]:
        legacy(patient, starts_at, kind)
    account_services.patient_profile_update(profile=patient.patient_profile, timezone=zone)
    others = [
        make_patient(email=f"other{i}@example.org", care_team=people.team_a) for i in range(3)
    ]
    for other in others:
        book(other)
    Notification.objects.all().delete()  # everything to plan, as on a first night

    call_command("plan_reminders", "--patient-batch", "2")
    out, err = capsys.readouterr()
    assert "patients 5" in out and "failed 0" in out, out
    assert err == ""
    for person in (patient, *others):
        assert Notification.objects.filter(recipient=person, kind="log_reminder").exists()
    assert run_nightly(sweep_flags)["failed"] == 0

    client.force_login(people.coordinator_a)
    for url in (
        reverse("care:record", args=[patient.pk]),
        reverse("appointment_list"),
        f"{reverse('appointment_list')}?patient={patient.pk}",
        reverse("care:panel"),
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(patient)
    for url in (reverse("appointment_list"), reverse("home"), "/api/v1/appointments/"):
        assert client.get(url).status_code == 200, url


# --- One poisoned patient, every other patient planned and evaluated ----------------------------


@pytest.fixture
def five(people) -> list[User]:
    patients = [
        make_patient(email=f"night{i}@example.org", care_team=people.team_a) for i in range(5)
    ]
    for patient in patients:
        book(patient)
        log_day(patient, NOW.date(), {"seizure": True}, now=NOW)
    Notification.objects.all().delete()
    Flag.objects.all().delete()
    return patients


def _poison(monkeypatch, module, name: str, poisoned: User, *, argument: str) -> None:
    """Make ``module.name`` raise whenever the poisoned patient is among those it is given."""
    real = getattr(module, name)

    def poisoned_call(*args, **kwargs):
        given = kwargs.get(argument, args[0] if args else ())
        ids = {getattr(item, "pk", item) for item in given}
        if poisoned.pk in ids:
            raise RuntimeError("bad data")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, poisoned_call)


def test_the_beat_planning_skips_a_poisoned_patient_and_plans_everybody_else(
    five, monkeypatch, caplog, run_nightly
):
    poisoned = five[1]
    _poison(monkeypatch, reminder_planning, "log_reminders_plan", poisoned, argument="profiles")
    with caplog.at_level(logging.INFO):
        counts = run_nightly(plan_reminders_nightly)
    # The five, patients A and B: six planned, one skipped.
    assert (counts["patients"], counts["failed"]) == (6, 1)
    for patient in five:
        planned = Notification.objects.filter(recipient=patient).exists()
        assert planned == (patient != poisoned), patient.email
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [f"patient {poisoned.pk}" in record.getMessage() for record in errors] == [True]
    (summary,) = [r for r in caplog.records if r.getMessage().startswith("Reminders planned")]
    assert summary.levelno == logging.WARNING and "'failed': 1" in summary.getMessage()


def test_the_planning_command_names_the_skipped_patient_and_succeeds(five, monkeypatch, capsys):
    poisoned = five[3]
    _poison(monkeypatch, reminder_planning, "log_reminders_plan", poisoned, argument="profiles")
    call_command("plan_reminders", "--patient-batch", "3")
    out, err = capsys.readouterr()
    assert "Reminders planned: patients 6" in out and "failed 1" in out
    assert f"Could not plan the reminders of 1 patient: {poisoned.pk}." in err


def test_the_sweep_skips_a_poisoned_patient_and_evaluates_everybody_else(
    five, monkeypatch, caplog, run_nightly
):
    poisoned = five[2]
    _poison(monkeypatch, tasks, "evaluate_patients", poisoned, argument="patient_ids")
    with caplog.at_level(logging.INFO):
        totals = run_nightly(sweep_flags)
    assert (totals["patients"], totals["failed"]) == (6, 1)
    for patient in five:
        flagged = Flag.objects.filter(patient=patient, rule="red_flag").exists()
        assert flagged == (patient != poisoned), patient.email
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [f"patient {poisoned.pk}" in record.getMessage() for record in errors] == [True]
    (summary,) = [r for r in caplog.records if r.getMessage().startswith("Flag sweep")]
    assert summary.levelno == logging.WARNING


def test_the_sweep_command_names_the_skipped_patient_and_succeeds(five, monkeypatch, capsys):
    poisoned = five[0]
    _poison(monkeypatch, tasks, "evaluate_patients", poisoned, argument="patient_ids")
    call_command("evaluate_flags")
    out, err = capsys.readouterr()
    assert "Flags evaluated: " in out and "patients 6" in out and "failed 1" in out
    assert f"Could not evaluate the flags of 1 patient: {poisoned.pk}." in err


def test_the_sweep_command_fails_only_when_nobody_could_be_evaluated(five, monkeypatch):
    def always_fails(*args, **kwargs):
        raise RuntimeError("bad data")

    monkeypatch.setattr(tasks, "evaluate_patients", always_fails)
    with pytest.raises(CommandError, match="Could not evaluate the flags of any patient"):
        call_command("evaluate_flags")


# --- Dates on the profile ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enrolled_on", "message"),
    [
        (dt.date(9999, 12, 31), "An enrolment date cannot be in the future."),
        (dt.date(2026, 6, 17), "An enrolment date cannot be in the future."),
        (
            dt.date(1999, 12, 31),
            "Please check the year: an enrolment date is after 1 January 2000.",
        ),
        (dt.date(1, 1, 1), "Please check the year: an enrolment date is after 1 January 2000."),
    ],
)
def test_an_enrolment_date_outside_its_window_is_refused(people, enrolled_on, message):
    profile = people.patient_a.patient_profile
    with pytest.raises(ValidationError) as error:
        account_services.patient_profile_update(profile=profile, enrolled_on=enrolled_on)
    assert error.value.message_dict == {"enrolled_on": [message]}


def test_an_enrolment_date_of_today_or_tomorrow_is_kept(people):
    profile = people.patient_a.patient_profile
    for enrolled_on in (dt.date(2026, 6, 16), dt.date(2000, 1, 1)):
        updated = account_services.patient_profile_update(profile=profile, enrolled_on=enrolled_on)
        assert updated.enrolled_on == enrolled_on


@pytest.mark.parametrize("enrolled_on", [dt.date.max, dt.date.min])
def test_a_stored_enrolment_date_at_the_calendars_ends_breaks_no_page_and_no_pass(
    people, client, api_client, enrolled_on, run_nightly
):
    patient = people.patient_a
    PatientProfile.objects.filter(pk=patient.pk).update(
        enrolled_on=enrolled_on, date_of_birth=enrolled_on, timezone=KIRITIMATI
    )
    client.force_login(people.coordinator_a)
    for url in (
        reverse("care:panel"),
        reverse("care:record", args=[patient.pk]),
        reverse("care:patient_edit", args=[patient.pk]),
    ):
        assert client.get(url).status_code == 200, url
    api_client.force_authenticate(people.coordinator_a)
    for url in ("/api/v1/patients/", f"/api/v1/patients/{patient.pk}/"):
        assert api_client.get(url).status_code == 200, url
    assert run_nightly(plan_reminders_nightly)["failed"] == 0
    assert run_nightly(sweep_flags)["failed"] == 0


def test_a_stored_date_outside_its_window_never_blocks_another_change(people, api_client, client):
    """Stored before the window was checked: kept as it is while the patient changes their zone
    and an administrator changes something else; refused only if someone sets it anew."""
    patient = people.patient_a
    PatientProfile.objects.filter(pk=patient.pk).update(
        enrolled_on=dt.date(1970, 1, 1), date_of_birth=dt.date(1850, 1, 1)
    )
    api_client.force_authenticate(patient)
    response = api_client.patch(ME, {"timezone": KIRITIMATI}, format="json")
    assert response.status_code == 200, response.content
    profile = PatientProfile.objects.get(pk=patient.pk)
    assert (profile.timezone, profile.enrolled_on) == (KIRITIMATI, dt.date(1970, 1, 1))

    client.force_login(people.admin)
    url = reverse("admin:accounts_patientprofile_change", args=[patient.pk])
    form = {
        "preferred_name": "Ali",
        "date_of_birth": "1850-01-01",
        "hospital_number": "",
        "phone": "",
        "call_time": "",
        "care_team": str(profile.care_team_id),
        "sites": list(profile.sites),
        "timezone": KIRITIMATI,
        "log_reminder_time": "19:00",
        "restaging_interval_weeks": "12",
        "enrolled_on": "1970-01-01",
        "hormone_receptor_status": "unknown",
        "her2_status": "unknown",
        "pik3ca_status": "unknown",
        "pd_l1_status": "unknown",
        "current_treatment": "",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PatientProfile.objects.get(pk=patient.pk).preferred_name == "Ali"
    response = client.post(url, {**form, "enrolled_on": "1971-01-01"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["enrolled_on"] == [
        "Please check the year: an enrolment date is after 1 January 2000."
    ]

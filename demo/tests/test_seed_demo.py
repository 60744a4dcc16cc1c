"""manage.py seed_demo: demo people, logs, appointments, flags and the printout."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import CareTeam, PatientProfile, User
from appointments.models import Appointment
from notifications.models import Notification
from symptoms.models import DailyLog, LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development_mode(settings):
    settings.DEBUG = True  # pytest-django runs tests with DEBUG off; seed_demo is for development


def _counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        CareTeam.objects.count(),
        PatientProfile.objects.count(),
        DailyLog.objects.count(),
        LogEntry.objects.count(),
        Appointment.objects.count(),
        Notification.objects.count(),
    )


def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = _counts()
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert _counts() == counts
    assert counts[:3] == (9, 2, 6)
    assert counts[3] > 250  # about 60 days for five patients, 5 for the newest
    assert counts[5] == 28  # 15 done, 13 booked
    assert counts[6] > 60  # reminders of the bookings, restaging reminders and log nudges
    assert "admin@example.org" in first
    assert "nurse.north@example.org" in first
    assert "demo-password-123" in first
    assert f"Demo symptom logs ({counts[3]} new;" in first
    assert "Demo symptom logs (0 new;" in second
    assert "Demo appointments (28 new;" in first
    assert "Demo appointments (0 new;" in second


def test_seed_demo_prints_what_each_patients_logs_show(capsys):
    call_command("seed_demo")
    lines = {
        line.split()[0]: line
        for line in capsys.readouterr()
        .out.split("Demo symptom logs")[1]
        .split("Demo appointments")[0]
        .splitlines()[1:]
        if line.strip()
    }
    assert set(lines) == {
        f"{name}@example.org" for name in ("ada", "bea", "cara", "dee", "eve", "fay")
    }
    assert "stable" in lines["ada@example.org"]
    assert "back pain slowly worsening over two weeks" in lines["bea@example.org"]
    assert "seizure yesterday" in lines["cara@example.org"]
    assert "newest 5 days ago" in lines["dee@example.org"]
    assert "new to the app" in lines["fay@example.org"]


def test_seed_demo_books_appointments_and_plans_their_reminders(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out.split("Demo appointments")[1].split("Triage panels")[0]
    lines = {line.split()[0]: line for line in out.splitlines()[1:] if line.strip()}
    assert len(lines) == 6
    assert "next: MRI scan in 3 days" in lines["bea@example.org"]
    assert "restaging reminder" in lines["dee@example.org"]  # nothing booked, nearly due
    assert "restaging reminder" not in lines["ada@example.org"]  # her next one is booked
    for email in lines:
        patient = User.objects.get(email=email)
        assert patient.appointments.filter(status="done").exists(), email
        assert patient.appointments.filter(status="scheduled").exists(), email
        assert Notification.objects.filter(recipient=patient, kind="log_reminder").exists()
    booked = Appointment.objects.filter(status="scheduled").values_list("pk", flat=True)
    done = Appointment.objects.filter(status="done").values_list("pk", flat=True)
    reminders = Notification.objects.filter(subject_type="appointment")
    assert reminders.filter(subject_id__in=booked).count() > 30
    assert not reminders.filter(subject_id__in=done).exists()  # history: nothing sent late


def test_seed_demo_gives_two_teams_and_varied_patients():
    call_command("seed_demo")
    assert User.objects.filter(role="admin", is_staff=True).count() == 1
    for team in CareTeam.objects.all():
        assert team.coordinators.count() == 1
        assert team.patients.count() == 3
    timezones = set(PatientProfile.objects.values_list("timezone", flat=True))
    assert len(timezones) == 6
    sites = {tuple(p.sites) for p in PatientProfile.objects.all()}
    assert len(sites) >= 4
    for user in User.objects.all():
        assert user.check_password("demo-password-123"), user.email
    fay = PatientProfile.objects.get(user__email="fay@example.org")
    ada = PatientProfile.objects.get(user__email="ada@example.org")
    assert fay.enrolled_on > ada.enrolled_on  # Fay is new; the others enrolled before their logs
    assert not DailyLog.objects.filter(patient=ada.user, date__lt=ada.enrolled_on).exists()
    # Phone numbers in E.164, and the identity a visit summary prints.
    assert (str(ada.phone), ada.call_time) == ("+447911123456", "Mornings")
    assert ada.date_of_birth.year == 1958 and ada.hospital_number.startswith("NHS")


def test_seed_demo_refuses_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
    assert not DailyLog.objects.exists()


def test_seed_demo_prints_each_coordinators_triage_panel(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out.split("Triage panels")[1]
    north, south = out.split("Sam South")
    assert north.index("Cara Singh") < north.index("Bea Martin") < north.index("Ada Lovelace")
    assert "Urgent, waiting for a call" in north
    assert "Not logging" in south.split("Eve")[0]  # Dee stopped logging: first in the south

"""manage.py create_user."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import CareTeam, User

pytestmark = pytest.mark.django_db


def test_create_user_patient_creates_team(capsys):
    call_command(
        "create_user",
        "--role=patient",
        "--email=Script@Example.org",
        "--password=a-good-password-1",
        "--name=Script Patient",
        "--team=New Team",
        "--sites=bone,liver",
        "--timezone=Australia/Sydney",
    )
    user = User.objects.get(email="script@example.org")
    assert user.check_password("a-good-password-1")
    assert user.patient_profile.care_team.name == "New Team"
    assert user.patient_profile.sites == ["bone", "liver"]
    assert user.patient_profile.timezone == "Australia/Sydney"
    assert f"id {user.pk}" in capsys.readouterr().out


def test_create_user_coordinator_and_admin():
    call_command(
        "create_user",
        "--role=coordinator",
        "--email=c@example.org",
        "--password=p-123456",
        "--team=T1",
    )
    call_command("create_user", "--role=admin", "--email=a@example.org", "--password=p-123456")
    coordinator = User.objects.get(email="c@example.org")
    assert [t.name for t in coordinator.care_teams.all()] == ["T1"]
    assert not coordinator.is_staff
    admin = User.objects.get(email="a@example.org")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.parametrize(
    "args,message",
    [
        (["--role=patient", "--email=p@example.org", "--password=x"], "--team is required"),
        (
            [
                "--role=patient",
                "--email=p@example.org",
                "--password=x",
                "--team=T",
                "--timezone=Moon/Base",
            ],
            "timezone",
        ),
        (
            [
                "--role=patient",
                "--email=p@example.org",
                "--password=x",
                "--team=T",
                "--sites=bone,toe",
            ],
            "site",
        ),
    ],
)
def test_create_user_bad_input_creates_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", *args)
    assert not User.objects.exists()
    assert not CareTeam.objects.exists()


def test_create_user_duplicate_email():
    call_command("create_user", "--role=admin", "--email=a@example.org", "--password=p-123456")
    with pytest.raises(CommandError, match="already registered"):
        call_command("create_user", "--role=admin", "--email=A@example.org", "--password=p")

"""Factories for people and care teams. Every test builds what it needs; no fixture files."""

from __future__ import annotations

import time

import factory
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from accounts.models import CarerLink, CareTeam, PatientProfile, Role, User

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    role = Role.PATIENT
    password = factory.django.Password(PASSWORD)


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class CareTeamFactory(DjangoModelFactory):
    class Meta:
        model = CareTeam
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Care team {n}")


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR

    @factory.post_generation
    def teams(self, create: bool, extracted: list[CareTeam] | None, **kwargs: object) -> None:
        if create and extracted:
            self.care_teams.add(*extracted)


class PatientProfileFactory(DjangoModelFactory):
    class Meta:
        model = PatientProfile

    user = factory.SubFactory(UserFactory, role=Role.PATIENT)
    care_team = factory.SubFactory(CareTeamFactory)
    sites = factory.LazyFunction(lambda: ["bone"])
    timezone = "Europe/London"


def make_patient(**kwargs: object) -> User:
    """A patient user with a profile; profile fields may be passed directly."""
    user_fields = {key: kwargs.pop(key) for key in ("email", "name") if key in kwargs}
    profile = PatientProfileFactory(user=UserFactory(role=Role.PATIENT, **user_fields), **kwargs)
    return profile.user


def authenticator_for(user: User) -> TOTPDevice:
    """The person's authenticator app, set up and confirmed (made once, then reused): what a
    member of staff has after the set-up page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def app_code(device: TOTPDevice) -> str:
    """The code the person's app would show now, computed from the device's secret as an app
    does. A code is accepted once, so after one was used in this 30-second step this is the
    next step's code (the device accepts one step ahead); waits if even that one is used."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while True:
        totp.time = time.time()
        if totp.t() > device.last_t:
            break
        if totp.t() + 1 > device.last_t:
            totp.time += device.step
            break
        time.sleep(1)
    return f"{totp.token():0{device.digits}d}"


def pass_second_step(client: Client, user: User) -> None:
    """Mark a test client's signed-in session as past two-step sign-in with the person's real,
    confirmed authenticator (for staff; patients are never asked). ``force_login`` stands for a
    completed sign-in, which for staff includes the code; the root conftest applies this to every
    ``force_login``, and the two-step tests check the real steps themselves."""
    if user.role == Role.PATIENT:
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
    session.save()


# --- Carers (accounts.CarerLink) ------------------------------------------------------------------
# Links made directly, for tests of what a carer may do; inviting and revoking have their own
# services and tests.


class CarerFactory(UserFactory):
    role = Role.CARER


class CarerLinkFactory(DjangoModelFactory):
    """A carer linked to a patient; every right unless told otherwise."""

    class Meta:
        model = CarerLink

    patient = factory.SubFactory(UserFactory, role=Role.PATIENT)
    carer = factory.SubFactory(CarerFactory)
    can_log = True
    can_view_record = True
    can_view_appointments = True


def make_carer(
    patient: User,
    *,
    rights: tuple[str, ...] = ("log", "record", "appointments"),
    revoked: bool = False,
    **user_fields: object,
) -> User:
    """A carer of ``patient`` with these rights (names from accounts.access.CARER_RIGHTS)."""
    link = CarerLinkFactory(
        patient=patient,
        carer=CarerFactory(**user_fields),
        can_log="log" in rights,
        can_view_record="record" in rights,
        can_view_appointments="appointments" in rights,
        revoked_at=timezone.now() if revoked else None,
    )
    return link.carer

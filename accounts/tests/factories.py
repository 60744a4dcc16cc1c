"""Factories for people and care teams. Every test builds what it needs; no fixture files."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.models import CareTeam, PatientProfile, Role, User

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

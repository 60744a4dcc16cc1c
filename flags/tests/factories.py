"""Factories for flags built directly, for tests of what reads them (the dashboard, the API);
the rules and their evaluation have tests of their own."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from flags.models import Flag, FlagLevel, FlagStatus

RULE_LEVEL = {
    "red_flag": FlagLevel.URGENT,
    "fever": FlagLevel.URGENT,
    "severe": FlagLevel.SOON,
    "worsening": FlagLevel.SOON,
    "not_logging": FlagLevel.SOON,
    "persistent": FlagLevel.NEXT_VISIT,
    "restaging_overdue": FlagLevel.NEXT_VISIT,
}


class FlagFactory(DjangoModelFactory):
    """A live flag. Pass ``rule`` (level follows it), ``subject`` for symptom rules, and
    ``opened_at`` or ``age`` (a timedelta before now)."""

    class Meta:
        model = Flag
        exclude = ("age",)

    patient = None  # required
    rule = "severe"
    level = factory.LazyAttribute(lambda flag: RULE_LEVEL.get(flag.rule, FlagLevel.SOON))
    status = FlagStatus.OPEN
    subject = factory.Sequence(lambda n: f"subject{n}")
    title = factory.LazyAttribute(lambda flag: f"{flag.rule.replace('_', ' ').capitalize()} flag")
    explanation = "Explained in plain words."
    advice = "What to do next."
    evidence = factory.LazyFunction(lambda: [timezone.now().date().isoformat()])
    age = dt.timedelta(hours=1)
    opened_at = factory.LazyAttribute(lambda flag: timezone.now() - flag.age)

"""Demo call attempts: a past urgent episode the team handled, so that alert burden has
report-to-call figures to show. Eve logged a fever (demo.logs, EVE_FEVER_DAYS_BACK days ago);
Sam South called 25 minutes after she saved the log (no answer), reached her 50 minutes after,
and resolved the flag. Safe to run again: an episode already there is left alone."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.models import User
from demo.logs import EVE_FEVER_DAYS_BACK
from flags.models import ContactOutcome, Flag, FlagContact, FlagLevel, FlagRule, FlagStatus
from symptoms.models import DailyLog

PATIENT = "eve@example.org"
CALLER = "nurse.south@example.org"
NOTE = (
    "Reached Eve: 38.4 °C since lunch, no other new symptoms. Came to the day unit for bloods "
    "the same afternoon; counts normal, home with advice to call again if it rises."
)


@transaction.atomic
def seed_demo_contacts(*, patients: dict[str, User], now: dt.datetime) -> int:
    """The demo's past urgent episode and its two call attempts; returns attempts created."""
    patient, caller = patients.get(PATIENT), User.objects.filter(email__iexact=CALLER).first()
    if patient is None or caller is None:
        return 0
    day = patient.patient_profile.local_today(now) - dt.timedelta(days=EVE_FEVER_DAYS_BACK)
    log = DailyLog.objects.filter(patient=patient, date=day).first()
    if log is None:
        return 0
    reported = log.updated_at
    if Flag.objects.filter(patient=patient, rule=FlagRule.FEVER, reported_at=reported).exists():
        return 0
    first, reached = reported + dt.timedelta(minutes=25), reported + dt.timedelta(minutes=50)
    flag = Flag.objects.create(
        patient=patient,
        rule=FlagRule.FEVER,
        level=FlagLevel.URGENT,
        status=FlagStatus.RESOLVED,
        symptom_id="fever",
        subject="fever",
        title="High temperature: call your care team now",
        explanation=f"Your temperature was 38.4 °C on {day:%A} {day.day} {day:%B}.",
        advice="Call your care team's 24-hour line now.",
        evidence=[day.isoformat()],
        reported_at=reported,
        opened_at=reported + dt.timedelta(minutes=2),
        acknowledged_by=caller,
        acknowledged_at=first,
        resolved_by=caller,
        resolved_at=reached + dt.timedelta(minutes=5),
        note=NOTE,
    )
    FlagContact.objects.bulk_create(
        [
            FlagContact(flag=flag, by=caller, at=first, outcome=ContactOutcome.NO_ANSWER),
            FlagContact(
                flag=flag,
                by=caller,
                at=reached,
                outcome=ContactOutcome.REACHED,
                note="Advised bloods at the day unit this afternoon.",
            ),
        ]
    )
    return 2

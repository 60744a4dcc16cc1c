"""Demo symptom logs: sixty days of believable history for the six demo patients.

Each demo patient has a story (stable, slowly worsening back pain, a seizure yesterday, stopped
logging, ...). A story is a pure plan: for each day back from the patient's own today, the values
they would have entered and, now and then, a note in their own words. The day-to-day wobble comes
from a ``random.Random`` seeded with the patient's email and the calendar date (never the wall
clock), so a day's values depend only on who, which date and where it falls in the story; which
days already exist makes no difference.

Logs are written only through ``services.daily_log_save``, with its full validation. Each one is
saved as if the patient had saved it at midday on that day (``now=``), which is how a log from six
weeks ago can pass the service's "up to 30 days back" rule without weakening it. Days that
already have a log are skipped, so running the seeder again changes nothing and never overwrites
what someone typed in while trying the app.

Development and demo data only: called by ``manage.py seed_demo``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import User
from symptoms import services
from symptoms.models import DailyLog

DEMO_DAYS = 60

# symptom code -> severity (0-10), present (yes/no), or a temperature in °C (a float)
Values = dict[str, int | bool | float]


@dataclass(frozen=True, slots=True)
class DemoDay:
    """One planned log: ``days_back`` from the patient's today, what they entered, a note."""

    days_back: int
    values: Values
    notes: str = ""


@dataclass(frozen=True, slots=True)
class DayContext:
    """What a story sees for one day: how far back it is, its date and that day's dice."""

    days_back: int
    date: dt.date
    rng: random.Random
    oldest: bool  # the first day of the window: always logged, so the history spans it

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def skips(self, probability: float) -> bool:
        """A day off now and then, but never the first day or the last three."""
        return not self.oldest and self.days_back > 2 and self.chance(probability)

    def pick(self, *choices: int) -> int:
        return self.rng.choice(choices)


Plan = Callable[[DayContext], DemoDay | None]


@dataclass(frozen=True, slots=True)
class DemoStory:
    email: str
    summary: str  # what the data shows, for the seed_demo printout
    day: Plan  # one day's log, or None when the patient did not log that day


def _sometimes(ctx: DayContext, probability: float, *choices: int) -> int:
    """A symptom that comes and goes: 0 most days, one of ``choices`` on some."""
    return ctx.pick(*choices) if ctx.chance(probability) else 0


def _chatter(ctx: DayContext, probability: float, notes: tuple[str, ...]) -> str:
    return ctx.rng.choice(notes) if ctx.chance(probability) else ""


# Ada: bone only, on an aromatase inhibitor with a CDK4/6 inhibitor. Stable and well.
ADA_NOTES = (
    "Good day. Walked the dog round the park.",
    "Hips ached after gardening, fine after a rest.",
    "Tired after the hospital visit.",
    "Slept badly, otherwise fine.",
    "Felt pretty normal today.",
)


def _ada(ctx: DayContext) -> DemoDay | None:
    if ctx.skips(0.1):
        return None
    values: Values = {
        "bone_pain": ctx.pick(1, 2, 2, 2, 3),
        # Tiredness 2-4; the 4s belong to older weeks, so the recent picture is simply stable.
        "fatigue": ctx.pick(2, 3, 3, 4) if ctx.days_back >= 7 else ctx.pick(2, 3, 3),
        "mouth_sores": _sometimes(ctx, 0.1, 1),
        "anxiety": _sometimes(ctx, 0.2, 1, 2),
    }
    return DemoDay(ctx.days_back, values, _chatter(ctx, 0.15, ADA_NOTES))


# Bea: bone and liver, on capecitabine. Back pain steady at about 2 for weeks, then creeping up
# over the last two weeks to 6-7 (the pattern behind the `worsening` rule and an MSCC worry).
BEA_BACK_PAIN_RAMP = {13: 2, 12: 2, 11: 3, 10: 2, 9: 3, 8: 3, 7: 3, 6: 4, 5: 4, 4: 4, 3: 5}
BEA_BACK_PAIN_LAST = {2: 5, 1: 6, 0: 7}
BEA_NOTES = {
    10: "Back a bit stiffer this week.",
    6: "Back pain woke me up twice in the night.",
    3: "Back pain worse. Paracetamol is not really touching it.",
    1: "Worse again lying down at night. Legs feel normal, no numbness.",
    0: "Back pain 7 this morning. Going to ring the nurse.",
}


def _bea(ctx: DayContext) -> DemoDay | None:
    back = ctx.days_back
    if back > 16 and ctx.skips(0.05):
        return None  # logs nearly every day; every day once the pain starts
    if back in BEA_BACK_PAIN_LAST:
        back_pain = BEA_BACK_PAIN_LAST[back]
    elif back in BEA_BACK_PAIN_RAMP:
        back_pain = BEA_BACK_PAIN_RAMP[back]
    else:
        back_pain = ctx.pick(1, 2, 2, 2, 3)
    values: Values = {
        "back_pain": back_pain,
        "fatigue": ctx.pick(3, 3, 4) if back < 14 else ctx.pick(2, 3, 3, 4),
        "abdominal_pain": _sometimes(ctx, 0.15, 1),
        "hand_foot": ctx.pick(1, 1, 2),
        "diarrhea": _sometimes(ctx, 0.15, 1, 2),
        "anxiety": ctx.pick(2, 3) if back < 7 else _sometimes(ctx, 0.3, 1, 2),
    }
    notes = BEA_NOTES.get(back) or (
        _chatter(ctx, 0.12, ("Hands a bit sore from the tablets.", "Quiet day at home."))
        if back >= 14
        else ""
    )
    return DemoDay(back, values, notes)


# Cara: brain and lung, HER2-positive. Mild steady headaches, then a seizure yesterday.
CARA_NOTES = (
    "Headache on waking, gone by lunch.",
    "Bit of a dry cough today.",
    "Upset stomach after the tablets.",
    "Good day with the kids.",
)


def _cara(ctx: DayContext) -> DemoDay | None:
    back = ctx.days_back
    if back == 0:
        return None  # nothing yet today: yesterday's log is the newest
    if back == 1:
        values: Values = {
            "headache": 6,
            "seizure": True,
            "balance_problems": 2,
            "fatigue": 5,
            "anxiety": 5,
        }
        notes = "Had a fit this afternoon, my husband saw it. Headache much worse since."
        return DemoDay(back, values, notes)
    if ctx.skips(0.08):
        return None
    values = {
        "headache": ctx.pick(1, 1, 2, 2, 3),
        "cough": _sometimes(ctx, 0.4, 1, 2),
        "fatigue": ctx.pick(2, 2, 3),
        "nausea": _sometimes(ctx, 0.25, 1, 2),
        "diarrhea": _sometimes(ctx, 0.2, 1, 2),
        "anxiety": ctx.pick(1, 2, 2, 3),
    }
    return DemoDay(back, values, _chatter(ctx, 0.12, CARA_NOTES))


# Dee: liver. Logged regularly for weeks, then stopped: the newest log is exactly 5 days old.
DEE_LAST_LOG_DAYS_BACK = 5
DEE_NOTES = (
    "Not much appetite again.",
    "Itchy at night, used the cream.",
    "Bloated after dinner.",
    "Tired, napped in the afternoon.",
)


def _dee(ctx: DayContext) -> DemoDay | None:
    back = ctx.days_back
    if back < DEE_LAST_LOG_DAYS_BACK:
        return None
    if back > DEE_LAST_LOG_DAYS_BACK and ctx.skips(0.1):
        return None
    values: Values = {
        "abdominal_pain": ctx.pick(1, 2, 2, 3),
        "abdominal_swelling": _sometimes(ctx, 0.3, 1),
        "itching": ctx.pick(0, 1, 1, 2),
        "appetite_loss": ctx.pick(2, 2, 3),
        "nausea": ctx.pick(0, 1, 1, 2, 3),
        "fatigue": ctx.pick(3, 3, 4),
        "low_mood": ctx.pick(1, 2, 2, 3),
    }
    notes = (
        "Tired. Family staying this week."
        if back == DEE_LAST_LOG_DAYS_BACK
        else _chatter(ctx, 0.12, DEE_NOTES)
    )
    return DemoDay(back, values, notes)


# Eve: lung and bone, on weekly paclitaxel. Steady mild cough and breathlessness, some tingling.
EVE_NOTES = (
    "Bit puffed walking up the hill.",
    "Dry cough first thing, cleared later.",
    "Fingertips tingly doing up buttons.",
    "Swim at the pool, felt good.",
)


EVE_FEVER_DAYS_BACK = 9  # a fever the team called her about (demo.contacts)


def _eve(ctx: DayContext) -> DemoDay | None:
    if ctx.days_back == EVE_FEVER_DAYS_BACK:
        values = {
            "cough": 2,
            "shortness_of_breath": 2,
            "neuropathy": 1,
            "fatigue": 4,
            "fever": 38.4,
        }
        return DemoDay(ctx.days_back, values, "Hot and shivery since lunch.")
    if ctx.skips(0.1):
        return None
    values: Values = {
        "cough": ctx.pick(1, 2, 2, 3),
        "shortness_of_breath": ctx.pick(1, 1, 2, 2, 3),
        "bone_pain": _sometimes(ctx, 0.3, 1, 2),
        "neuropathy": ctx.pick(1, 2, 2),
        "fatigue": ctx.pick(2, 2, 3),
        "nausea": _sometimes(ctx, 0.15, 1),
    }
    return DemoDay(ctx.days_back, values, _chatter(ctx, 0.15, EVE_NOTES))


# Fay: brain. New to the app: five days of logs, a little anxious while waiting for results.
FAY_DAYS = 5
FAY_NOTES = {
    4: "First day using the app. Waiting for my scan results.",
    2: "Slept better.",
}


def _fay(ctx: DayContext) -> DemoDay | None:
    if ctx.days_back >= FAY_DAYS:
        return None
    values: Values = {
        "headache": ctx.pick(1, 1, 2),
        "fatigue": ctx.pick(2, 3),
        "anxiety": ctx.pick(3, 3, 4),
        "low_mood": ctx.pick(1, 2),
    }
    return DemoDay(ctx.days_back, values, FAY_NOTES.get(ctx.days_back, ""))


STORIES: dict[str, DemoStory] = {
    story.email: story
    for story in (
        DemoStory("ada@example.org", "stable: mild bone pain (1-3) and tiredness", _ada),
        DemoStory(
            "bea@example.org",
            "back pain slowly worsening over two weeks (2 to 7), and tired",
            _bea,
        ),
        DemoStory(
            "cara@example.org",
            "steady mild headaches, then a seizure yesterday with headache 6 (red flag)",
            _cara,
        ),
        DemoStory(
            "dee@example.org",
            f"logged regularly, then stopped {DEE_LAST_LOG_DAYS_BACK} days ago",
            _dee,
        ),
        DemoStory("eve@example.org", "steady mild cough and breathlessness, some tingling", _eve),
        DemoStory("fay@example.org", f"new to the app: only the last {FAY_DAYS} days", _fay),
    )
}


def plan_logs(
    *, email: str, today: dt.date, days: int = DEMO_DAYS
) -> list[tuple[dt.date, DemoDay]]:
    """The story's logs over ``days`` days up to ``today`` (the patient's own), oldest first.

    Pure and deterministic: the same email and date always give the same values.
    """
    if days < 1:
        raise ValueError("days must be at least 1.")
    story = STORIES[email]
    planned = []
    for days_back in range(days - 1, -1, -1):
        date = today - dt.timedelta(days=days_back)
        rng = random.Random(f"mbc-demo:{email}:{date.isoformat()}")  # noqa: S311 (demo data)
        context = DayContext(days_back, date, rng, oldest=days_back == days - 1)
        day = story.day(context)
        if day is not None:
            planned.append((date, day))
    return planned


def entries_for(values: Values) -> list[dict[str, object]]:
    """API-shaped entries; symptoms at 0 are left out (a log is a full snapshot)."""
    entries: list[dict[str, object]] = []
    for code, value in values.items():
        if isinstance(value, bool):
            entries.append({"symptom": code, "present": value})
        elif isinstance(value, float):
            entries.append({"symptom": code, "value": value})
        elif value:
            entries.append({"symptom": code, "severity": value})
    return entries


def seed_demo_logs(
    *,
    patients: Mapping[str, User],
    now: dt.datetime | None = None,
    days: int = DEMO_DAYS,
) -> int:
    """Give each demo patient (by email) ``days`` days of their story; returns logs created.

    Dates are each patient's own calendar days (``profile.local_today(now)``). Days that already
    have a log are left alone. Raises ValueError for a patient without a demo story.
    """
    unknown = sorted(set(patients) - set(STORIES))
    if unknown:
        raise ValueError(f"No demo story for {', '.join(unknown)}.")
    now = now or timezone.now()
    created = 0
    for email, patient in patients.items():
        profile = patient.patient_profile
        today = profile.local_today(now)
        plan = plan_logs(email=email, today=today, days=days)
        existing = set(
            DailyLog.objects.filter(
                patient=patient, date__gte=today - dt.timedelta(days=days - 1), date__lte=today
            ).values_list("date", flat=True)
        )
        for date, day in plan:
            if date in existing:
                continue
            # Saved as the patient would have saved it: at midday that day (or now, for today).
            saved_at = min(now, dt.datetime.combine(date, dt.time(12), tzinfo=profile.zone))
            log, new = services.daily_log_save(
                patient=patient,
                date=date,
                entries=entries_for(day.values),
                notes=day.notes,
                now=saved_at,
            )
            # The save time is when the patient reported (flags count from it): the demo's.
            DailyLog.objects.filter(pk=log.pk).update(updated_at=saved_at)
            created += new
    return created


@dataclass(frozen=True, slots=True)
class DemoLogSummary:
    email: str
    logs: int
    newest_days_ago: int | None
    story: str

    def line(self) -> str:
        if self.newest_days_ago is None:
            newest = "no logs"
        else:
            newest = {0: "newest today", 1: "newest yesterday"}.get(
                self.newest_days_ago, f"newest {self.newest_days_ago} days ago"
            )
        return f"{self.email:<18} {self.logs:>2} logs, {newest + ':':<20} {self.story}"


def demo_log_summaries(
    *, patients: Mapping[str, User], now: dt.datetime | None = None
) -> list[DemoLogSummary]:
    """What each demo patient's logs show, for the seed_demo printout (one query)."""
    now = now or timezone.now()
    stats = {
        row["patient"]: row
        for row in DailyLog.objects.filter(patient__in=list(patients.values()))
        .values("patient")
        .annotate(logs=Count("id"), newest=Max("date"))
    }
    summaries = []
    for email, patient in patients.items():
        row = stats.get(patient.pk)
        today = patient.patient_profile.local_today(now)
        summaries.append(
            DemoLogSummary(
                email=email,
                logs=row["logs"] if row else 0,
                newest_days_ago=(today - row["newest"]).days if row else None,
                story=STORIES[email].summary if email in STORIES else "",
            )
        )
    return summaries

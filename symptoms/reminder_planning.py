"""Reminder planning for a patient: the daily "how are you today?" nudge (planned ahead as
outbox rows, checked when sent), everything re-planned after a profile change, and the nightly
pass over every patient (appointment, restaging and log reminders).

CLINICAL.md: at the patient's ``log_reminder_time`` (moved out of quiet hours, 21:00 to 08:00),
only if that day has no log yet. Each day's nudge is planned ahead (one key per patient and local
date) for the days not logged yet. Saving a day's log cancels its nudge in the same transaction
(so the message centre never lists it as coming); deleting the log plans it again if its time
has not passed. A send-time check, which ``SymptomsConfig.ready()`` registers with the outbox,
still drops a nudge whose day has a log (belt and braces).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import PatientProfile, User
from appointments import reminder_planning as appointment_planning
from appointments import reminders
from lib import clock
from lib.batches import run_isolating
from lib.i18n import in_language_of
from notifications import services as outbox
from notifications.models import Kind, Notification, Status
from notifications.planning import outbox_sync
from symptoms.models import DailyLog

logger = logging.getLogger(__name__)

LOG_LINK = "/log/"
# In English here; each nudge is written in its patient's language (``in_language_of``).
LOG_TITLE = gettext_noop("How are you today?")
LOG_BODY = gettext_noop("A quick note takes a few seconds.")
DAYS_AHEAD = 2  # today and the next two days: one missed nightly pass loses nothing
PENDING = (Status.PLANNED, Status.CLAIMED)


def log_key(patient_id: int, day: dt.date) -> str:
    return f"log:{patient_id}:{day.isoformat()}"


def log_key_day(key: str) -> dt.date | None:
    """The local date a log reminder's key names, or None for a key of another shape."""
    prefix, _, day = key.rpartition(":")
    if not prefix.startswith("log:"):
        return None
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        return None


@transaction.atomic
def log_reminders_plan(
    *, profiles: Iterable[PatientProfile], now: dt.datetime, days_ahead: int = DAYS_AHEAD
) -> int:
    """Plan each patient's nudge (in the app and by email) for their local today and the next
    ``days_ahead`` days, at their reminder time. A time already passed is skipped, not sent late.

    Idempotent (one key per patient and day). A nudge not sent yet moves when the patient
    changes their reminder time or time zone, and is cancelled if its new time has passed. A
    fixed number of queries for any number of patients. Returns rows newly planned."""
    profiles = list(profiles)
    if not profiles:
        return 0
    days_of = {
        profile.pk: _days(now.astimezone(clock.zone_info(profile.timezone)).date(), days_ahead)
        for profile in profiles
    }
    logged = _logged_days(days_of)
    readers = _readers(profiles)
    keep: set[str] = set()
    planned: list[outbox.Planned] = []
    for profile in profiles:
        for day, due_at in reminders.log_reminder_instants(
            reminder_time=profile.log_reminder_time, zone=profile.timezone, days=days_of[profile.pk]
        ):
            key = log_key(profile.pk, day)
            keep.add(key)
            if due_at <= now or (profile.pk, day) in logged:
                continue  # a logged day's pending nudge is cancelled below, never planned again
            planned.append(
                outbox.Planned(
                    key=key,
                    kind=Kind.LOG_REMINDER,
                    recipient_id=profile.pk,
                    due_at=due_at,
                    title=_in(readers[profile.pk], LOG_TITLE),
                    body=_in(readers[profile.pk], LOG_BODY),
                    link=LOG_LINK,
                )
            )
    # These days' rows, and any other nudge of these patients still pending (a day that is no
    # longer ahead after a move to a time zone behind: cancelled).
    scope = Notification.objects.filter(kind=Kind.LOG_REMINDER).filter(
        Q(key__in=keep)
        | Q(recipient_id__in=[profile.pk for profile in profiles], status__in=PENDING)
    )
    return outbox_sync(scope=scope, keep=keep, planned=planned, now=now)


def _readers(profiles: list[PatientProfile]) -> dict[int, User | None]:
    """Each patient's user, for the language of their nudges: already loaded, or one query."""
    field = PatientProfile._meta.get_field("user")
    missing = [profile.pk for profile in profiles if not field.is_cached(profile)]
    found = User.objects.in_bulk(missing) if missing else {}
    return {
        profile.pk: profile.user if field.is_cached(profile) else found.get(profile.pk)
        for profile in profiles
    }


def _in(reader: User | None, text: str) -> str:
    with in_language_of(reader):
        return gettext(text)


def _days(today: dt.date, days_ahead: int) -> list[dt.date]:
    return [today + dt.timedelta(days=offset) for offset in range(days_ahead + 1)]


def _logged_days(days_of: dict[int, list[dt.date]]) -> set[tuple[int, dt.date]]:
    """Which of these (patient, day) pairs already have a log (one query)."""
    every_day = [day for days in days_of.values() for day in days]
    rows = DailyLog.objects.filter(
        patient_id__in=list(days_of), date__gte=min(every_day), date__lte=max(every_day)
    ).values_list("patient_id", "date")
    return {(patient_id, day) for patient_id, day in rows if day in days_of[patient_id]}


def log_reminder_cancel(*, patient_id: int, day: dt.date, now: dt.datetime | None = None) -> int:
    """The patient logged ``day``: its nudge is no longer wanted. Call inside the saving
    transaction, so the log and the cancellation commit together. Returns rows cancelled."""
    return outbox.notifications_cancel_pending(keys=[log_key(patient_id, day)], now=now)


def log_reminder_restore(*, profile: PatientProfile, now: dt.datetime | None = None) -> int:
    """A log was deleted: plan the patient's nudges again, so the day's nudge comes back if its
    time has not passed. Returns rows planned again."""
    return log_reminders_plan(profiles=[profile], now=now or timezone.now())


def log_reminder_still_wanted(notification: Notification, now: dt.datetime) -> bool:
    """The send-time check: a nudge goes out only on its own day (in the patient's zone),
    outside quiet hours, and only while that day has no log. One query."""
    day = log_key_day(notification.key)
    if day is None:
        return True  # not one of ours to judge
    row = (
        PatientProfile.objects.filter(pk=notification.recipient_id)
        .annotate(
            logged=Exists(DailyLog.objects.filter(patient_id=OuterRef("pk"), date=day)),
        )
        .values_list("timezone", "logged")
        .first()
    )
    if row is None:
        return False  # no longer a patient
    zone, logged = row
    if logged:
        return False
    return now.astimezone(clock.zone_info(zone)).date() == day and not clock.is_quiet(now, zone)


@transaction.atomic
def patient_reminders_replan(*, profile: PatientProfile, now: dt.datetime | None = None) -> int:
    """Everything timed in the patient's clock, planned again after they changed their log
    reminder time or time zone: log nudges, appointment and restaging reminders. Pending ones
    move; sent ones stay history. For the entry points that change a profile."""
    now = now or timezone.now()
    return log_reminders_plan(profiles=[profile], now=now) + (
        appointment_planning.appointment_reminders_replan(profile=profile, now=now)
    )


# --- The nightly pass ----------------------------------------------------------------------

PATIENT_BATCH = 500  # patients to a transaction, and to a chunk of the nightly pass
# Far below the Redis visibility timeout (an hour) and the pass's claim, so a late-acknowledged
# chunk is never sent again while it is still running; well above a chunk's planning.
CHUNK_SOFT_TIME_LIMIT = 240
CHUNK_TIME_LIMIT = 300


def _plan_batch(
    profiles: list[PatientProfile], *, now: dt.datetime, appointment_batch: int
) -> Counter[str]:
    """Plan these patients' reminders in one transaction: all of them, or (if it raises) none."""
    counts: Counter[str] = Counter()
    with transaction.atomic():
        counts["appointment_reminders"] += appointment_planning.appointment_reminders_plan_for(
            profiles=profiles, now=now, batch_size=appointment_batch
        )
        counts["restaging_reminders"] += appointment_planning.restaging_reminders_plan(
            profiles=profiles, now=now
        )
        counts["log_reminders"] += log_reminders_plan(profiles=profiles, now=now)
    counts["patients"] += len(profiles)
    return counts


def _plan_isolated(
    batch: list[PatientProfile],
    *,
    now: dt.datetime,
    appointment_batch: int,
    on_failure: Callable[[int], None] | None = None,
) -> Counter[str]:
    """Plan these patients in one transaction; if that raises, plan them again one at a time and
    skip (log, count in ``failed``) only a patient who fails again."""
    return run_isolating(
        batch,
        lambda profiles: _plan_batch(list(profiles), now=now, appointment_batch=appointment_batch),
        key=lambda profile: profile.pk,
        doing="plan the reminders of patient",
        logger=logger,
        on_failure=on_failure,
    )


def active_profiles() -> QuerySet[PatientProfile]:
    """Every active patient, with what planning reads, by id."""
    return (
        PatientProfile.objects.filter(user__is_active=True)
        .only("user_id", "timezone", "log_reminder_time", "restaging_interval_weeks", "enrolled_on")
        .order_by("pk")
    )


def _ordered(totals: Counter[str]) -> dict[str, int]:
    return {name: totals[name] for name in ("patients", *sorted(set(totals) - {"patients"}))}


def plan_reminders(
    *,
    now: dt.datetime | None = None,
    patient_batch: int = PATIENT_BATCH,
    appointment_batch: int = appointment_planning.APPOINTMENT_BATCH,
    on_failure: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Plan every active patient's reminders, here and now (``manage.py plan_reminders``; beat
    fans the same work out over the workers: ``symptoms.tasks.plan_reminders_nightly``): their
    appointments', their restaging reminder and their daily log nudges, ``patient_batch``
    patients per transaction. Returns counts: ``patients`` planned, ``failed`` skipped, and the
    rows newly planned of each kind.

    One patient whose planning raises does not stop the others: their batch is rolled back and
    planned again one patient at a time, and only the patient who fails again is skipped (their
    own transaction rolled back), logged and counted in ``failed``; ``on_failure`` is called
    with their id. Every later batch is planned as usual."""
    now = now or timezone.now()
    totals: Counter[str] = Counter(failed=0)
    profiles = active_profiles()
    last_pk = 0
    while batch := list(profiles.filter(pk__gt=last_pk)[:patient_batch]):
        last_pk = batch[-1].pk
        totals.update(
            _plan_isolated(
                batch, now=now, appointment_batch=appointment_batch, on_failure=on_failure
            )
        )
    return _ordered(totals)


def reminders_plan_chunk(first_id: int, last_id: int, now: dt.datetime) -> dict[str, int]:
    """The work of one chunk of the nightly planning pass: its active patients, in one batch."""
    batch = list(active_profiles().filter(pk__gte=first_id, pk__lte=last_id))
    totals: Counter[str] = Counter(failed=0, patients=0)
    if batch:
        totals.update(
            _plan_isolated(batch, now=now, appointment_batch=appointment_planning.APPOINTMENT_BATCH)
        )
    return _ordered(totals)

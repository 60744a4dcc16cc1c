"""Reads of flags: which are live, the one "most urgent first" order, and the attention state
every patient page shows at the top."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PatientProfile, User
from flags import facts, urgent
from flags.models import Flag, FlagLevel, FlagRule, FlagStatus, PatientResponse
from flags.rules import wording
from flags.rules.types import LEVEL_ORDER
from lib.clock import local_time
from lib.dates import clock_time, last_seen, long_date
from symptoms.catalogue import get_catalogue

LIVE = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)


def flag_priority(level: str, status: str, opened_at: dt.datetime) -> tuple[int, bool, dt.datetime]:
    """The one "most pressing first" order of live flags, for flags read as rows or as values:
    the highest level, then waiting before acknowledged, then the oldest."""
    return (LEVEL_ORDER.get(level, len(LEVEL_ORDER)), status != FlagStatus.OPEN, opened_at)


def flag_order(flag: Flag) -> tuple[object, ...]:
    """``flag_priority`` of a Flag, with its id last so that equal flags keep one order."""
    return (*flag_priority(flag.level, flag.status, flag.opened_at), flag.pk)


def open_flags_for(*, patient: User | int) -> list[Flag]:
    """The patient's open and acknowledged flags, most urgent first."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    flags = list(Flag.objects.filter(patient_id=patient_id, status__in=LIVE))
    return sorted(flags, key=flag_order)


# --- The one attention state every patient page shows at the top ------------------------------


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One live flag (or an urgent finding of the last save not stored yet: ``flag_id`` None) as
    the patient reads it at the top of a page."""

    flag_id: int | None
    rule: str
    subject: str
    level: str
    title: str
    explanation: str
    advice: str
    action: str  # emergency | call_now (urgent only; "" for soon)
    about: str  # "This is about what you logged yesterday, Tuesday 1 December." or ""
    acknowledged: bool
    response: str  # called_team | got_help | will_call | ""
    response_words: str  # "You told us you called your team at 10:42. If things get worse, …"

    @property
    def is_emergency(self) -> bool:
        return self.action == urgent.EMERGENCY


@dataclass(frozen=True, slots=True)
class AttentionGroup:
    action: str  # emergency | call_now
    answered: bool
    items: list[AttentionItem]


@dataclass(frozen=True, slots=True)
class Attention:
    """What a patient must see at the top of every page: urgent items (emergencies first), soon
    items (shown on home and the log page), and whether the last save could not be checked."""

    urgent: list[AttentionItem] = field(default_factory=list)
    soon: list[AttentionItem] = field(default_factory=list)
    unchecked: bool = False
    next_visit: int = 0  # live flags for the next visit: not shown here, but not "nothing to do"

    @property
    def live(self) -> bool:
        return bool(self.urgent or self.soon)

    @property
    def groups(self) -> list[AttentionGroup]:
        """Urgent items in banners: one per action, unanswered ones before answered ones."""
        groups: list[AttentionGroup] = []
        for item in self.urgent:
            key = (item.action, bool(item.response))
            if not groups or (groups[-1].action, groups[-1].answered) != key:
                groups.append(AttentionGroup(action=item.action, answered=key[1], items=[]))
            groups[-1].items.append(item)
        return groups

    def __bool__(self) -> bool:
        return bool(self.urgent or self.soon or self.unchecked)


def _about(evidence: list[str] | tuple[str, ...], today: dt.date) -> str:
    days = sorted({value for value in evidence if value})
    try:
        newest = dt.date.fromisoformat(days[-1]) if days else None
    except ValueError:
        return ""
    if newest is None or newest >= today:
        return ""
    date = long_date(newest, today=today)
    if (today - newest).days == 1:
        return _("This is about what you logged yesterday, %(date)s.") % {"date": date}
    return _("This is about what you logged %(date)s.") % {"date": date}


def response_words(response: str, at: dt.datetime | None, *, zone: str, today: dt.date) -> str:
    """The banner's words once the patient answered, the time in their zone."""
    if not response or at is None:
        return ""
    local = local_time(at, zone)
    if local.date() == today:
        moment = _("at %(time)s") % {"time": clock_time(local)}
    else:
        moment = last_seen(local, today)
    words = {
        "moment": moment,
        "emergency": settings.EMERGENCY_NUMBER,
        "line": settings.CARE_TEAM_24H_LINE,
    }
    if response == PatientResponse.CALLED_TEAM:
        return (
            _(
                "You told us you called your team %(moment)s. "
                "If things get worse, call %(emergency)s."
            )
            % words
        )
    if response == PatientResponse.GOT_HELP:
        return (
            _(
                "You told us you have had emergency help (%(moment)s). "
                "If things get worse, call %(emergency)s."
            )
            % words
        )
    return (
        _(
            "You told us %(moment)s that you would call now. If you have not got through yet, "
            "call %(line)s now. If things get worse, call %(emergency)s."
        )
        % words
    )


def attention_for(
    profile: PatientProfile,
    *,
    pending: urgent.Pending | None = None,
    now: dt.datetime | None = None,
) -> tuple[Attention, list[urgent.UrgentAdvice]]:
    """The patient's attention state: their live urgent and soon flags (and how many for the
    next visit), plus the urgent advice
    of their last save (``pending``) that no stored flag covers yet. One query. Also returns the
    pending advice still needed (the caller forgets the rest)."""
    now = now or timezone.now()
    zone = profile.timezone
    today = local_time(now, zone).date()
    pending = pending or urgent.Pending(items=[], saved_at=None, unchecked=False)
    wanted = Q(status__in=LIVE)
    if pending.items and pending.saved_at is not None:
        # A flag stored (or dealt with) since the save covers its advice, whatever its status.
        wanted |= Q(updated_at__gte=pending.saved_at)
    rows = list(
        Flag.objects.filter(wanted, patient_id=profile.pk).only(
            "rule",
            "subject",
            "level",
            "status",
            "title",
            "explanation",
            "advice",
            "evidence",
            "opened_at",
            "symptom_id",
            "patient_response",
            "patient_responded_at",
        )
    )
    covered = {(flag.rule, flag.subject) for flag in rows}
    live = sorted(
        (
            flag
            for flag in rows
            if flag.status in LIVE and flag.level in (FlagLevel.URGENT, FlagLevel.SOON)
        ),
        key=flag_order,
    )
    symptoms = facts.symptom_facts() if any(f.level == FlagLevel.URGENT for f in live) else {}
    items = [
        AttentionItem(
            flag_id=flag.pk,
            rule=flag.rule,
            subject=flag.subject,
            level=flag.level,
            title=flag.title,
            explanation=flag.explanation,
            advice=flag.advice,
            action=(
                urgent.action_for(flag.rule, flag.symptom_id or flag.subject, symptoms)
                if flag.level == FlagLevel.URGENT
                else ""
            ),
            about=_about(flag.evidence or [], today),
            acknowledged=flag.status == FlagStatus.ACKNOWLEDGED,
            response=flag.patient_response,
            response_words=response_words(
                flag.patient_response, flag.patient_responded_at, zone=zone, today=today
            ),
        )
        for flag in live
    ]
    still_pending = [
        item for item in pending.items if (item.rule, item.subject) not in covered or not item.rule
    ]
    fresh = [
        AttentionItem(
            flag_id=None,
            rule=item.rule,
            subject=item.subject,
            level=FlagLevel.URGENT,
            title=item.title,
            explanation=item.explanation,
            advice=item.advice,
            action=item.action,
            about=_about(item.evidence, today),
            acknowledged=False,
            response="",
            response_words="",
        )
        for item in still_pending
    ]
    urgent_items = [item for item in items if item.level == FlagLevel.URGENT] + fresh
    # What still asks for action first (emergencies first), then what the patient has answered:
    # an answered banner about yesterday never pushes today's advice down. Stable otherwise.
    urgent_items.sort(key=lambda item: (bool(item.response), not item.is_emergency))
    attention = Attention(
        urgent=urgent_items,
        soon=[item for item in items if item.level == FlagLevel.SOON],
        unchecked=pending.unchecked,
        next_visit=sum(
            1 for flag in rows if flag.status in LIVE and flag.level == FlagLevel.NEXT_VISIT
        ),
    )
    return attention, still_pending


# --- Staff words ------------------------------------------------------------------------------
# Stored titles and explanations are written to the patient. Staff pages (panel, record, alert
# burden, API for staff) use these instead: the rule, what it is about, and the days, about
# the patient.

WHOLE_PATIENT_RULES = frozenset(
    {"fever", "mscc", "hypercalcemia", "several_warnings", "not_logging", "restaging_overdue"}
)


def _subject_name(subject: str) -> str:
    catalogue = get_catalogue()
    symptom = catalogue.symptoms.get(subject)
    if symptom is not None:
        return symptom.name
    site = next((site for site in catalogue.sites if site.code == subject), None)
    return site.name if site is not None else subject


def flag_staff_title(rule: str, subject: str) -> str:
    """ "Red-flag symptom: Seizure (fit)", "Fever": a flag's title for staff."""
    label = str(FlagRule(rule).label) if rule in FlagRule.values else rule
    if rule in WHOLE_PATIENT_RULES or not subject:
        return label
    return _("%(rule)s: %(subject)s") % {"rule": label, "subject": _subject_name(subject)}


def flag_staff_explanation(flag: Flag, *, name: str, today: dt.date) -> str:
    """ "Cara logged “Seizure (fit)” yesterday.", with ``today`` in the patient's zone."""
    return wording.staff_explanation(
        flag.rule,
        name=name,
        subject=_subject_name(flag.subject),
        evidence=flag.evidence_days,
        today=today,
    )

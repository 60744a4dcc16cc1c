"""Reads for the care coordinator's dashboard: the triage panel and the patient record.

Which patients a caller may see is decided in accounts.access, never here. The panel is two
queries however many patients it holds: the profiles as plain values (with their newest log,
next appointment and last scan as subqueries), then all their live flags. The triage order is
``triage()``, a pure function of a patient's live flags.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import AnyUser
from accounts.choices import MetastasisSite
from accounts.models import CareTeam, PatientProfile
from appointments import selectors as appointment_selectors
from flags.models import Flag, FlagLevel, FlagStatus
from flags.rules.types import LEVEL_ORDER
from flags.selectors import LIVE, flag_priority, flag_staff_title
from symptoms import selectors as symptom_selectors

# What a panel row reads of a profile, its user and team: plain values, no model instances
# (a panel may hold hundreds of patients; building models would cost more than the query).
PANEL_VALUES = {
    "pk": "user_id",
    "name": "user__name",
    "email": "user__email",
    "preferred_name": "preferred_name",
    "sites": "sites",
    "timezone": "timezone",
    "care_team_id": "care_team_id",
    "care_team_name": "care_team__name",
    "enrolled_on": "enrolled_on",
    "restaging_interval_weeks": "restaging_interval_weeks",
    "log_reminder_time": "log_reminder_time",
    "last_log_date": "last_log_date",
    "next_appointment": "next_appointment",
    "last_restaging_at": "last_restaging_at",
    "phone": "phone",  # for the call link beside urgent flags
    "call_time": "call_time",
}


class Tier:
    """The triage order, most pressing first (issue: coordinator's dashboard)."""

    URGENT_WAITING = 0  # an urgent flag nobody has acknowledged yet (oldest first)
    URGENT_SEEN = 1  # urgent flags, all acknowledged
    SOON = 2  # a `soon` flag other than not_logging
    NOT_LOGGING = 3
    NEXT_VISIT = 4  # a `next_visit` flag other than restaging_overdue
    RESTAGING_OVERDUE = 5
    EVERYONE_ELSE = 6

    LABELS = {
        URGENT_WAITING: _("Urgent, waiting for a call"),
        URGENT_SEEN: _("Urgent, acknowledged"),
        SOON: _("Look at today"),
        NOT_LOGGING: _("Not logging"),
        NEXT_VISIT: _("Raise at the next visit"),
        RESTAGING_OVERDUE: _("Restaging overdue"),
        EVERYONE_ELSE: _("No flags"),
    }


def _live_flags(**filters: object) -> QuerySet[Flag]:
    return Flag.objects.filter(patient=OuterRef("user"), status__in=LIVE, **filters)


# --- Triage: a pure function of a patient's live flags --------------------------------------------


@dataclass(frozen=True)
class LiveFlag:
    """What triage reads of an open or acknowledged flag."""

    rule: str
    level: str
    status: str
    opened_at: dt.datetime
    title: str
    patient_response: str = ""  # what the patient says they did about urgent advice
    patient_responded_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None  # when the patient saved the log behind it

    @property
    def waiting_since(self) -> dt.datetime:
        """Time counts from the report (CLINICAL.md, "The urgent loop"); whole-patient rules
        have no report, so they count from when the flag opened."""
        return self.reported_at or self.opened_at


@dataclass(frozen=True)
class Triage:
    """Where a patient stands in the panel and why."""

    tier: int
    counts: dict[str, int]
    urgent_waiting_since: dt.datetime | None = (
        None  # oldest report of an unacknowledged urgent flag
    )
    top_flag_title: str = ""  # their most pressing flag
    top_flag_level: str = ""
    restaging_overdue: bool = False
    response: str = ""  # the patient's latest answer to a live urgent flag, and when
    responded_at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return str(Tier.LABELS[self.tier])


def triage(flags: list[LiveFlag]) -> Triage:
    """The tier of a patient with these live flags: an unacknowledged urgent flag first, then
    acknowledged urgent ones, soon flags (not_logging apart), not logging, next-visit flags
    (restaging_overdue apart), restaging overdue, then nothing. No database."""
    counts = dict.fromkeys(LEVEL_ORDER, 0)
    for flag in flags:
        counts[flag.level] = counts.get(flag.level, 0) + 1
    waiting = [
        f.waiting_since
        for f in flags
        if f.level == FlagLevel.URGENT and f.status == FlagStatus.OPEN
    ]
    rules = {flag.rule for flag in flags}
    if waiting:
        tier = Tier.URGENT_WAITING
    elif counts[FlagLevel.URGENT]:
        tier = Tier.URGENT_SEEN
    elif any(f.level == FlagLevel.SOON and f.rule != "not_logging" for f in flags):
        tier = Tier.SOON
    elif "not_logging" in rules:
        tier = Tier.NOT_LOGGING
    elif any(f.level == FlagLevel.NEXT_VISIT and f.rule != "restaging_overdue" for f in flags):
        tier = Tier.NEXT_VISIT
    elif "restaging_overdue" in rules:
        tier = Tier.RESTAGING_OVERDUE
    else:
        tier = Tier.EVERYONE_ELSE
    top = min(flags, key=lambda f: flag_priority(f.level, f.status, f.opened_at), default=None)
    answered = [
        f
        for f in flags
        if f.level == FlagLevel.URGENT and f.patient_response and f.patient_responded_at
    ]
    answer = max(answered, key=lambda f: f.patient_responded_at, default=None)
    return Triage(
        tier=tier,
        counts=counts,
        urgent_waiting_since=min(waiting) if waiting else None,
        top_flag_title=top.title if top else "",
        top_flag_level=top.level if top else "",
        restaging_overdue="restaging_overdue" in rules,
        response=answer.patient_response if answer else "",
        responded_at=answer.patient_responded_at if answer else None,
    )


_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(slots=True)
class PanelPatient:
    """A patient as the panel (and the patients API) shows them: plain values read in bulk,
    their triage, and (for one patient's record only) their full profile."""

    pk: int
    name: str
    email: str
    preferred_name: str
    sites: list[str]
    timezone: str
    care_team_id: int
    care_team_name: str
    enrolled_on: dt.date
    restaging_interval_weeks: int
    log_reminder_time: dt.time
    last_log_date: dt.date | None
    next_appointment: dt.datetime | None
    last_restaging_at: dt.datetime | None
    phone: object  # a PhoneNumber (E.164) or "" when none is recorded
    call_time: str
    triage: Triage
    profile: PatientProfile | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def site_labels(self) -> list[str]:
        return [str(MetastasisSite(code).label) for code in self.sites]

    def local_today(self, now: dt.datetime) -> dt.date:
        return now.astimezone(ZoneInfo(self.timezone)).date()


def triage_order(patient: PanelPatient) -> tuple:
    """Sort key: tier, then the oldest report behind an unacknowledged urgent flag, then name."""
    return (
        patient.triage.tier,
        patient.triage.urgent_waiting_since or _FAR_FUTURE,
        patient.name.casefold(),
        patient.email,
        patient.pk,
    )


def with_triage(profiles: QuerySet[PatientProfile], *, now: dt.datetime) -> list[PanelPatient]:
    """These patients in triage order, with their triage, newest log, next appointment and
    last scan. Two queries whatever their number: the profiles (three subqueries each), then
    all their live flags."""
    rows = list(
        profiles.annotate(
            last_log_date=symptom_selectors.last_log_date_subquery(),
            next_appointment=appointment_selectors.next_appointment_subquery(now=now),
            last_restaging_at=appointment_selectors.last_restaging_subquery(now=now),
        )
        .order_by()
        .values_list(*PANEL_VALUES.values())
    )
    flags: dict[int, list[LiveFlag]] = {row[0]: [] for row in rows}
    live = Flag.objects.filter(patient_id__in=profiles.values("pk"), status__in=LIVE)
    for patient_id, *fields in live.values_list(
        "patient_id",
        "rule",
        "level",
        "status",
        "opened_at",
        "title",
        "patient_response",
        "patient_responded_at",
        "reported_at",
        "subject",
    ):
        if patient_id in flags:
            *shown, subject = fields
            flag = LiveFlag(*shown)  # the title in staff words, not the patient's
            flags[patient_id].append(replace(flag, title=flag_staff_title(flag.rule, subject)))
    patients = [PanelPatient(*row, triage=triage(flags[row[0]])) for row in rows]
    return sorted(patients, key=triage_order)


@dataclass(frozen=True)
class PanelFilters:
    """What the coordinator narrowed the panel to. Values they may not use are dropped."""

    team_id: int | None = None
    site: str = ""
    level: str = ""
    search: str = ""

    @property
    def active(self) -> bool:
        return bool(self.team_id or self.site or self.level or self.search)


def panel_filters(
    *,
    teams: Iterable[CareTeam],
    team: object = None,
    site: object = "",
    level: object = "",
    search: object = "",
) -> PanelFilters:
    """Clean filter values from a query string: unknown sites, levels or teams other than the
    caller's ``teams`` are ignored rather than refused (a stale bookmark still shows the panel).
    ``teams`` is read only when a team is asked for."""
    try:
        team_id = int(str(team)) if team not in (None, "") else None
    except ValueError:
        team_id = None
    if team_id is not None and team_id not in {t.pk for t in teams}:
        team_id = None
    site = str(site or "")
    level = str(level or "")
    return PanelFilters(
        team_id=team_id,
        site=site if site in MetastasisSite.values else "",
        level=level if level in FlagLevel.values else "",
        # PostgreSQL text cannot hold NUL: such a search would fail, not just find nothing.
        search=str(search or "").replace("\x00", "").strip()[:100],
    )


def triage_panel(
    *, user: AnyUser, filters: PanelFilters | None = None, now: dt.datetime | None = None
) -> list[PanelPatient]:
    """The patients this coordinator (or administrator) looks after, in triage order, with
    everything a panel row shows (two queries)."""
    filters = filters or PanelFilters()
    profiles = access.visible_profiles(user)
    if filters.team_id is not None:
        profiles = profiles.filter(care_team_id=filters.team_id)
    if filters.site:
        # Sites are stored as a JSON list of known codes; matching the quoted code as text works
        # the same on PostgreSQL and SQLite (JSON containment is not available on SQLite).
        profiles = profiles.filter(sites__icontains=f'"{filters.site}"')
    if filters.level:
        profiles = profiles.filter(Exists(_live_flags(level=filters.level)))
    if filters.search:
        profiles = profiles.filter(
            Q(user__name__icontains=filters.search)
            | Q(preferred_name__icontains=filters.search)
            | Q(user__email__icontains=filters.search)
        )
    return with_triage(profiles, now=now or timezone.now())


def restaging_due(patient: PanelPatient) -> dt.date:
    """When a panel patient's next restaging is due."""
    return appointment_selectors.restaging_due_on(
        interval_weeks=patient.restaging_interval_weeks,
        enrolled_on=patient.enrolled_on,
        last_restaging_at=patient.last_restaging_at,
        zone=patient.timezone,
    )


def patient_flag(*, patient_id: int, flag_id: int) -> Flag | None:
    """One of this patient's flags (the caller has checked it may see the patient)."""
    return Flag.objects.filter(pk=flag_id, patient_id=patient_id).first()


def record_profile(*, user: AnyUser, patient_id: object, now: dt.datetime) -> PanelPatient:
    """One patient this user may see, as a panel row with their full ``profile`` (user and
    team loaded); anybody else's is 404."""
    profile = access.get_profile_or_404(user, patient_id)
    patient = with_triage(PatientProfile.objects.filter(pk=profile.pk), now=now)[0]
    patient.profile = profile
    return patient

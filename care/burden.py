"""Alert burden: how many flags each care team and coordinator carries, how fast urgent flags
are answered, and how many flags a patient raises in a week. A selector: it only reads.

Who is in the report
    Teams: ``accounts.selectors.teams_for(user)`` (an administrator sees every team, a
    coordinator their own). Coordinators: the active coordinators of those teams, so a
    coordinator sees themself and their colleagues in their teams, an administrator everyone.
    Patients: the patients of those teams that ``accounts.access.visible_profiles(user)``
    allows. A coordinator's figures only ever cover the teams shown, never a colleague's other
    teams that the viewer may not see.

Open flags by level
    Flags with status ``open`` (raised, nobody has acknowledged them yet), counted per level, and
    the live total (``open`` + ``acknowledged``, every level). Per team: flags of the team's
    patients. Per coordinator: flags of the patients of all their teams (in the report).

Time to answer urgent flags (windows of 7 and 30 days)
    Over the urgent flags *opened* in the window (``now - days <= opened_at <= now``). The first
    response is the acknowledgement, or, for a flag resolved without being acknowledged, its
    resolution by a person (``resolved_by`` set); response time = that moment - ``opened_at``.
    Reported: the median response time (``None`` when nothing was answered), how many were
    answered and how many are still waiting (status ``open``). A flag the system closed itself
    without anybody answering it is neither answered nor waiting.
    Per team: the team's patients' flags. Per coordinator: the flags that coordinator answered
    (``acknowledged_by`` them, or ``resolved_by`` them when never acknowledged); "waiting" is
    the urgent flags still waiting in their teams.

Flags per patient-week (last 30 days)
    Flags of any level and status opened in the last 30 days, divided by
    (patients in scope x 30 / 7). Patients in scope are today's patients of the team (or of the
    coordinator's teams); ``None`` when there are none.

Queries: a fixed handful (teams, memberships, patients per team, open flags grouped by team,
level and status, and the 30-day window's flags as plain tuples), whatever the number of teams,
coordinators, patients and flags. Everything else, medians included (``statistics.median``), is
worked out in Python, so it runs the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from accounts import access
from accounts.access import AnyUser
from accounts.models import CareTeam, Role
from accounts.selectors import teams_for
from flags.models import Flag, FlagLevel, FlagStatus
from flags.selectors import LIVE

WINDOWS = (7, 30)  # days over which urgent response times are reported
RATE_DAYS = 30  # days over which flags per patient-week are counted


def format_duration(value: dt.timedelta | None) -> str:
    """A duration in plain words, to the minute: "35 min", "1 h 20 min", "2 days 3 h"; "—"
    for none."""
    if value is None:
        return "—"
    minutes = round(max(value.total_seconds(), 0) / 60)
    if minutes < 1:
        return "under 1 min"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        text = f"{days} day" if days == 1 else f"{days} days"
        return f"{text} {hours} h" if hours else text
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@dataclass(frozen=True)
class OpenFlags:
    """Flags nobody has acknowledged yet, per level, and every live flag."""

    urgent: int = 0
    soon: int = 0
    next_visit: int = 0
    live: int = 0  # open + acknowledged, every level

    @property
    def open(self) -> int:
        return self.urgent + self.soon + self.next_visit


@dataclass(frozen=True)
class ResponseTimes:
    """How fast urgent flags opened in the last ``days`` days were answered."""

    days: int
    median: dt.timedelta | None
    answered: int
    waiting: int

    @property
    def median_text(self) -> str:
        return format_duration(self.median)


@dataclass(frozen=True)
class Figures:
    """The figures shown for a team and for a coordinator."""

    patients: int
    open_flags: OpenFlags
    response: tuple[ResponseTimes, ...]  # urgent flags, one per window in WINDOWS, shortest first
    opened_30_days: int
    per_patient_week: float | None


@dataclass(frozen=True)
class TeamBurden:
    team_id: int
    name: str
    coordinators: int
    figures: Figures


@dataclass(frozen=True)
class CoordinatorBurden:
    coordinator_id: int
    name: str
    teams: tuple[str, ...]
    figures: Figures


@dataclass(frozen=True)
class BurdenReport:
    now: dt.datetime
    windows: tuple[int, ...]
    teams: tuple[TeamBurden, ...]
    coordinators: tuple[CoordinatorBurden, ...]


@dataclass(frozen=True)
class _UrgentFlag:
    team_id: int
    opened_at: dt.datetime
    response: dt.timedelta | None  # None: not answered (yet)
    responder_id: int | None
    waiting: bool


def alert_burden(*, user: AnyUser, now: dt.datetime) -> BurdenReport:
    """The alert burden of the teams ``user`` may see and of their coordinators, at ``now``."""
    teams = list(teams_for(user).order_by("name", "pk").values_list("pk", "name"))
    team_ids = [pk for pk, _ in teams]
    if not team_ids:
        return BurdenReport(now=now, windows=WINDOWS, teams=(), coordinators=())

    profiles = access.visible_profiles(user).filter(care_team_id__in=team_ids)
    flags = Flag.objects.filter(patient_id__in=profiles.values("pk")).order_by()
    team_of_flag = "patient__patient_profile__care_team_id"

    memberships = CareTeam.coordinators.through.objects.filter(
        careteam_id__in=team_ids, user__role=Role.COORDINATOR, user__is_active=True
    ).values_list("careteam_id", "user_id", "user__name", "user__email")
    coordinators_of: dict[int, int] = defaultdict(int)
    teams_of: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for team_id, user_id, name, email in memberships:
        coordinators_of[team_id] += 1
        teams_of[user_id].add(team_id)
        names[user_id] = name or email

    patients: dict[int, int] = dict(
        profiles.order_by()
        .values("care_team_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("care_team_id", "n")
    )

    open_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    grouped = (
        flags.filter(status__in=LIVE)
        .values(team_of_flag, "level", "status")
        .annotate(n=Count("pk"))
        .values_list(team_of_flag, "level", "status", "n")
    )
    for team_id, level, status, n in grouped:
        open_counts[team_id]["live"] += n
        if status == FlagStatus.OPEN:
            open_counts[team_id][str(level)] += n

    since = now - dt.timedelta(days=max(*WINDOWS, RATE_DAYS))
    rate_since = now - dt.timedelta(days=RATE_DAYS)
    window = flags.filter(opened_at__gte=since, opened_at__lte=now).values_list(
        team_of_flag,
        "level",
        "status",
        "opened_at",
        "acknowledged_at",
        "acknowledged_by_id",
        "resolved_at",
        "resolved_by_id",
    )
    opened: dict[int, int] = defaultdict(int)
    urgent: list[_UrgentFlag] = []
    for team_id, level, status, opened_at, ack_at, ack_by, res_at, res_by in window:
        if opened_at >= rate_since:
            opened[team_id] += 1
        if level != FlagLevel.URGENT:
            continue
        if ack_at is not None:
            response, responder = ack_at - opened_at, ack_by
        elif res_at is not None and res_by is not None:  # resolved by a person, never acknowledged
            response, responder = res_at - opened_at, res_by
        else:
            response, responder = None, None
        urgent.append(
            _UrgentFlag(
                team_id=team_id,
                opened_at=opened_at,
                response=response,
                responder_id=responder,
                waiting=status == FlagStatus.OPEN,
            )
        )

    def figures(team_set: set[int], answered_by: int | None = None) -> Figures:
        """The figures over the teams in ``team_set``; response times over the flags
        ``answered_by`` answered when given, else over every urgent flag of those teams."""
        n_patients = sum(patients.get(pk, 0) for pk in team_set)
        n_opened = sum(opened[pk] for pk in team_set)
        counts = [open_counts[pk] for pk in team_set if pk in open_counts]
        in_teams = [flag for flag in urgent if flag.team_id in team_set]
        return Figures(
            patients=n_patients,
            open_flags=OpenFlags(
                urgent=sum(c[FlagLevel.URGENT.value] for c in counts),
                soon=sum(c[FlagLevel.SOON.value] for c in counts),
                next_visit=sum(c[FlagLevel.NEXT_VISIT.value] for c in counts),
                live=sum(c["live"] for c in counts),
            ),
            response=tuple(
                _response_times(in_teams, days=days, now=now, answered_by=answered_by)
                for days in WINDOWS
            ),
            opened_30_days=n_opened,
            per_patient_week=n_opened / (n_patients * RATE_DAYS / 7) if n_patients else None,
        )

    return BurdenReport(
        now=now,
        windows=WINDOWS,
        teams=tuple(
            TeamBurden(
                team_id=pk, name=name, coordinators=coordinators_of[pk], figures=figures({pk})
            )
            for pk, name in teams
        ),
        coordinators=tuple(
            CoordinatorBurden(
                coordinator_id=user_id,
                name=names[user_id],
                teams=tuple(name for pk, name in teams if pk in teams_of[user_id]),
                figures=figures(teams_of[user_id], answered_by=user_id),
            )
            for user_id in sorted(names, key=lambda pk: (names[pk].casefold(), pk))
        ),
    )


def _response_times(
    flags: Iterable[_UrgentFlag], *, days: int, now: dt.datetime, answered_by: int | None
) -> ResponseTimes:
    since = now - dt.timedelta(days=days)
    seconds: list[float] = []
    waiting = 0
    for flag in flags:
        if flag.opened_at < since:
            continue
        waiting += flag.waiting
        if flag.response is None:
            continue
        if answered_by is None or flag.responder_id == answered_by:
            seconds.append(max(flag.response.total_seconds(), 0.0))
    median = dt.timedelta(seconds=statistics.median(seconds)) if seconds else None
    return ResponseTimes(days=days, median=median, answered=len(seconds), waiting=waiting)

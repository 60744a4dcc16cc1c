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

Time from the report (windows of 7 and 30 days)
    Every time counts from the patient's report: ``reported_at`` (when they saved the log that
    raised the flag), else ``opened_at`` (whole-patient rules have no report). A flag is in a
    window when its report is (``now - days <= report <= now``). Over the urgent flags in the
    window: the median time from the report to the first response (the acknowledgement, or,
    for a flag resolved by a person without one, its resolution), to the first call attempt
    (``FlagContact``) and to the first attempt that ``reached`` the patient (``None`` when
    there are none), how many had each, and how many are still waiting (status ``open``). A flag
    the system closed itself without anybody answering it is neither answered nor waiting.
    Per team: the team's patients' flags. Per coordinator: the flags that coordinator answered
    (``acknowledged_by`` them, or ``resolved_by`` them when never acknowledged), whose first
    attempt they made, whose first ``reached`` attempt they made; "waiting" is the urgent flags
    still waiting in their teams.

Flags behind each figure
    ``Figures.flags`` holds the ids behind every figure (keys in ``FIGURES``);
    ``flags_behind`` reads them back from the same report, so a link lists exactly the flags
    that were counted, and nothing outside the viewer's report.

Flags per patient-week (last 30 days)
    Flags of any level and status reported in the last 30 days, divided by
    (patients in scope x 30 / 7). Patients in scope are today's patients of the team (or of the
    coordinator's teams); ``None`` when there are none.

Queries: a fixed handful (teams, memberships, patients per team, live flags as plain tuples,
and the 30-day window's flags with their first and first-reached attempts as subqueries),
whatever the number of teams, coordinators, patients and flags. Everything else, medians
included (``statistics.median``), is worked out in Python over that bounded window, so it runs
the same on SQLite (``make run``) and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, ngettext

from accounts import access
from accounts.access import AnyUser
from accounts.models import CareTeam, Role
from accounts.selectors import teams_for
from flags.models import ContactOutcome, Flag, FlagContact, FlagLevel, FlagStatus
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
        return gettext("under 1 min")
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        text = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        return gettext("%(days)s %(hours)d h") % {"days": text, "hours": hours} if hours else text
    if hours:
        if minutes:
            return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
        return gettext("%(hours)d h") % {"hours": hours}
    return gettext("%(minutes)d min") % {"minutes": minutes}


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
    """How fast urgent flags reported in the last ``days`` days were answered, called and
    reached, each counted from the patient's report (``reported_at``, else ``opened_at``)."""

    days: int
    median: dt.timedelta | None  # report -> first response (acknowledgement or resolution)
    answered: int
    waiting: int
    to_attempt: dt.timedelta | None = None  # report -> first call attempt
    attempted: int = 0
    to_reached: dt.timedelta | None = None  # report -> first attempt that reached the patient
    reached: int = 0

    @property
    def median_text(self) -> str:
        return format_duration(self.median)

    @property
    def to_attempt_text(self) -> str:
        return format_duration(self.to_attempt)

    @property
    def to_reached_text(self) -> str:
        return format_duration(self.to_reached)


@dataclass(frozen=True)
class Figures:
    """The figures shown for a team and for a coordinator, and the flags behind each one
    (``flags``: figure key -> flag ids; see ``FIGURES``)."""

    patients: int
    open_flags: OpenFlags
    response: tuple[ResponseTimes, ...]  # urgent flags, one per window in WINDOWS, shortest first
    opened_30_days: int
    per_patient_week: float | None
    flags: dict[str, tuple[int, ...]] = field(default_factory=dict)


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


# The figures a link can ask for: key -> what the flag list says it shows ({days} filled in).
FIGURES = {
    "urgent": gettext_lazy("Urgent flags nobody has acknowledged yet"),
    "soon": gettext_lazy("Soon flags nobody has acknowledged yet"),
    "next_visit": gettext_lazy("Next-visit flags nobody has acknowledged yet"),
    "live": gettext_lazy("Every open or acknowledged flag"),
    "raised": gettext_lazy("Flags reported in the last 30 days"),
    **{
        f"{name}-{days}": format_lazy(words, days=days)
        for days in WINDOWS
        for name, words in (
            ("answered", gettext_lazy("Urgent flags answered in the last {days} days")),
            (
                "waiting",
                gettext_lazy("Urgent flags still waiting for an answer in the last {days} days"),
            ),
            ("attempted", gettext_lazy("Urgent flags with a call attempt in the last {days} days")),
            (
                "reached",
                gettext_lazy(
                    "Urgent flags where the patient was reached by phone in the last {days} days"
                ),
            ),
        )
    },
}


@dataclass(frozen=True)
class _UrgentFlag:
    pk: int
    team_id: int
    reported_at: dt.datetime  # the report, or when the flag opened for whole-patient rules
    response: dt.timedelta | None  # None: not answered (yet)
    responder_id: int | None
    waiting: bool
    to_attempt: dt.timedelta | None  # None: nobody has tried to call yet
    attempt_by: int | None
    to_reached: dt.timedelta | None
    reached_by: int | None


def _contact(**filters: object) -> QuerySet[FlagContact]:
    return FlagContact.objects.filter(flag=OuterRef("pk"), **filters).order_by("at", "pk")


def alert_burden(*, user: AnyUser, now: dt.datetime) -> BurdenReport:
    """The alert burden of the teams ``user`` may see and of their coordinators, at ``now``."""
    teams = list(teams_for(user).order_by("name", "pk").values_list("pk", "name"))
    team_ids = [pk for pk, _name in teams]
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

    # Live flags as ids (not counts): each count links to the flags behind it.
    live: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for pk, team_id, level, status in flags.filter(status__in=LIVE).values_list(
        "pk", team_of_flag, "level", "status"
    ):
        live[team_id]["live"].append(pk)
        if status == FlagStatus.OPEN:
            live[team_id][str(level)].append(pk)

    # Time counts from the patient's report (CLINICAL.md, "The urgent loop"); whole-patient
    # rules have none, so they count from when the flag opened.
    since = now - dt.timedelta(days=max(*WINDOWS, RATE_DAYS))
    rate_since = now - dt.timedelta(days=RATE_DAYS)
    first = _contact()
    reached = _contact(outcome=ContactOutcome.REACHED)
    window = (
        flags.annotate(
            start=Coalesce("reported_at", "opened_at"),
            attempt_at=Subquery(first.values("at")[:1]),
            attempt_by=Subquery(first.values("by_id")[:1]),
            reached_at=Subquery(reached.values("at")[:1]),
            reached_by=Subquery(reached.values("by_id")[:1]),
        )
        .filter(start__gte=since, start__lte=now)
        .values_list(
            "pk",
            team_of_flag,
            "level",
            "status",
            "start",
            "acknowledged_at",
            "acknowledged_by_id",
            "resolved_at",
            "resolved_by_id",
            "attempt_at",
            "attempt_by",
            "reached_at",
            "reached_by",
        )
    )
    opened: dict[int, list[int]] = defaultdict(list)
    urgent: list[_UrgentFlag] = []
    for row in window:
        pk, team_id, level, status, start, ack_at, ack_by, res_at, res_by = row[:9]
        attempt_at, attempt_by, reached_at, reached_by = row[9:]
        if start >= rate_since:
            opened[team_id].append(pk)
        if level != FlagLevel.URGENT:
            continue
        if ack_at is not None:
            response, responder = ack_at - start, ack_by
        elif res_at is not None and res_by is not None:  # resolved by a person, never acknowledged
            response, responder = res_at - start, res_by
        else:
            response, responder = None, None
        urgent.append(
            _UrgentFlag(
                pk=pk,
                team_id=team_id,
                reported_at=start,
                response=response,
                responder_id=responder,
                waiting=status == FlagStatus.OPEN,
                to_attempt=attempt_at - start if attempt_at is not None else None,
                attempt_by=attempt_by,
                to_reached=reached_at - start if reached_at is not None else None,
                reached_by=reached_by,
            )
        )

    def figures(team_set: set[int], answered_by: int | None = None) -> Figures:
        """The figures over the teams in ``team_set``; response times over the flags
        ``answered_by`` answered (or called, or reached) when given, else over every urgent
        flag of those teams."""
        n_patients = sum(patients.get(pk, 0) for pk in team_set)
        raised = sorted(pk for team in team_set for pk in opened[team])
        ids = {
            key: tuple(sorted(pk for team in team_set for pk in live[team][key]))
            for key in ("urgent", "soon", "next_visit", "live")
        }
        ids["raised"] = tuple(raised)
        in_teams = [flag for flag in urgent if flag.team_id in team_set]
        response = []
        for days in WINDOWS:
            times, behind = _response_times(in_teams, days=days, now=now, answered_by=answered_by)
            response.append(times)
            ids |= {f"{name}-{days}": flag_ids for name, flag_ids in behind.items()}
        return Figures(
            patients=n_patients,
            open_flags=OpenFlags(
                urgent=len(ids["urgent"]),
                soon=len(ids["soon"]),
                next_visit=len(ids["next_visit"]),
                live=len(ids["live"]),
            ),
            response=tuple(response),
            opened_30_days=len(raised),
            per_patient_week=len(raised) / (n_patients * RATE_DAYS / 7) if n_patients else None,
            flags=ids,
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


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    seconds = [max(value.total_seconds(), 0.0) for value in values]
    return dt.timedelta(seconds=statistics.median(seconds)) if seconds else None


def _response_times(
    flags: Iterable[_UrgentFlag], *, days: int, now: dt.datetime, answered_by: int | None
) -> tuple[ResponseTimes, dict[str, tuple[int, ...]]]:
    """The window's figures, and the ids of the flags behind each."""
    since = now - dt.timedelta(days=days)
    answered: dict[int, dt.timedelta] = {}
    attempted: dict[int, dt.timedelta] = {}
    reached: dict[int, dt.timedelta] = {}
    waiting: list[int] = []
    for flag in flags:
        if flag.reported_at < since:
            continue
        if flag.waiting:
            waiting.append(flag.pk)
        if flag.response is not None and answered_by in (None, flag.responder_id):
            answered[flag.pk] = flag.response
        if flag.to_attempt is not None and answered_by in (None, flag.attempt_by):
            attempted[flag.pk] = flag.to_attempt
        if flag.to_reached is not None and answered_by in (None, flag.reached_by):
            reached[flag.pk] = flag.to_reached
    times = ResponseTimes(
        days=days,
        median=_median(list(answered.values())),
        answered=len(answered),
        waiting=len(waiting),
        to_attempt=_median(list(attempted.values())),
        attempted=len(attempted),
        to_reached=_median(list(reached.values())),
        reached=len(reached),
    )
    behind = {
        "answered": tuple(sorted(answered)),
        "waiting": tuple(sorted(waiting)),
        "attempted": tuple(sorted(attempted)),
        "reached": tuple(sorted(reached)),
    }
    return times, behind


def flags_behind(
    *,
    user: AnyUser,
    now: dt.datetime,
    figure: str,
    team_id: object = None,
    coordinator_id: object = None,
) -> tuple[str, str, list[Flag]] | None:
    """The flags behind one figure of the report ``user`` sees: (whose, what, flags), or None
    when the team, coordinator or figure is not in that report (the caller answers 404). The
    ids come from the report itself, so a link always leads to exactly the flags it counted."""
    if figure not in FIGURES:
        return None
    report = alert_burden(user=user, now=now)
    rows: list[TeamBurden | CoordinatorBurden]
    if team_id not in (None, ""):
        rows = [row for row in report.teams if str(row.team_id) == str(team_id)]
    elif coordinator_id not in (None, ""):
        rows = [
            row for row in report.coordinators if str(row.coordinator_id) == str(coordinator_id)
        ]
    else:
        return None
    if not rows:
        return None
    row = rows[0]
    ids = row.figures.flags.get(figure, ())
    visible = access.visible_profiles(user).values("pk")  # belt and braces: the caller's patients
    found = (
        Flag.objects.filter(pk__in=ids, patient_id__in=visible)
        .select_related("patient", "patient__patient_profile")
        .annotate(start=Coalesce("reported_at", "opened_at"))
        .order_by("-start", "-pk")
    )
    return row.name, str(FIGURES[figure]), list(found)

"""The alert burden report: open flags by level, time to answer urgent flags over 7 and 30 days,
flags per patient-week, who sees which teams and coordinators, and a constant query count."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from care import burden
from flags.models import ContactOutcome, Flag, FlagContact, FlagLevel, FlagRule, FlagStatus

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
SELECTOR_QUERIES = 5  # teams, memberships, patients per team, open flags, the window's flags

_subjects = itertools.count()


def make_flag(
    patient,
    *,
    opened_ago: dt.timedelta,
    level: str = FlagLevel.URGENT,
    acknowledged_after: dt.timedelta | None = None,
    acknowledged_by=None,
    resolved_after: dt.timedelta | None = None,
    resolved_by=None,
) -> Flag:
    """A flag opened ``opened_ago`` before NOW, acknowledged and/or resolved some time after."""
    opened_at = NOW - opened_ago
    if resolved_after is not None:
        status = FlagStatus.RESOLVED
    elif acknowledged_after is not None:
        status = FlagStatus.ACKNOWLEDGED
    else:
        status = FlagStatus.OPEN
    return Flag.objects.create(
        patient=patient,
        rule=FlagRule.FEVER,
        level=level,
        status=status,
        subject=f"subject-{next(_subjects)}",
        title="Fever",
        explanation="A temperature of 38.0 °C or more.",
        advice="Call your care team's 24-hour line now.",
        opened_at=opened_at,
        acknowledged_at=opened_at + acknowledged_after if acknowledged_after else None,
        acknowledged_by=acknowledged_by if acknowledged_after else None,
        resolved_at=opened_at + resolved_after if resolved_after is not None else None,
        resolved_by=resolved_by,
    )


def team_row(report: burden.BurdenReport, name: str) -> burden.TeamBurden:
    (row,) = [row for row in report.teams if row.name == name]
    return row


def coordinator_row(report: burden.BurdenReport, user) -> burden.CoordinatorBurden:
    (row,) = [row for row in report.coordinators if row.coordinator_id == user.pk]
    return row


def by_window(figures: burden.Figures) -> dict[int, burden.ResponseTimes]:
    return {times.days: times for times in figures.response}


# --- Time to answer urgent flags -------------------------------------------------------------


def test_median_time_to_acknowledge_over_7_and_30_days(people) -> None:
    coord, patient = people.coordinator_a, people.patient_a
    make_flag(patient, opened_ago=1 * DAY, acknowledged_after=10 * MIN, acknowledged_by=coord)
    make_flag(patient, opened_ago=3 * DAY, acknowledged_after=20 * MIN, acknowledged_by=coord)
    make_flag(patient, opened_ago=12 * DAY, acknowledged_after=90 * MIN, acknowledged_by=coord)
    make_flag(patient, opened_ago=25 * DAY, acknowledged_after=300 * MIN, acknowledged_by=coord)
    # Outside both windows, and not urgent: left out of the medians.
    make_flag(patient, opened_ago=31 * DAY, acknowledged_after=1 * MIN, acknowledged_by=coord)
    make_flag(
        patient,
        opened_ago=1 * DAY,
        level=FlagLevel.SOON,
        acknowledged_after=1 * MIN,
        acknowledged_by=coord,
    )

    report = burden.alert_burden(user=coord, now=NOW)

    team = by_window(team_row(report, "Team A").figures)
    assert (team[7].median, team[7].answered, team[7].waiting) == (15 * MIN, 2, 0)
    assert (team[30].median, team[30].answered, team[30].waiting) == (55 * MIN, 4, 0)
    assert team[7].median_text == "15 min"
    assert team[30].median_text == "55 min"
    mine = by_window(coordinator_row(report, coord).figures)
    assert (mine[7].median, mine[30].median) == (15 * MIN, 55 * MIN)
    assert report.windows == (7, 30)


def test_resolution_without_acknowledgement_is_the_response_and_waiting_flags_count(
    people,
) -> None:
    coord, patient = people.coordinator_a, people.patient_a
    colleague = CoordinatorFactory(name="Cara Colleague", teams=[people.team_a])
    # Resolved by a person, never acknowledged: the resolution is the response (35 min).
    make_flag(patient, opened_ago=2 * DAY, resolved_after=35 * MIN, resolved_by=coord)
    # Acknowledged after 5 min, resolved later: the acknowledgement is the response.
    make_flag(
        patient,
        opened_ago=2 * DAY,
        acknowledged_after=5 * MIN,
        acknowledged_by=coord,
        resolved_after=2 * DAY,
        resolved_by=colleague,
    )
    # The colleague answered one after 1 h 20 min.
    make_flag(patient, opened_ago=4 * DAY, acknowledged_after=80 * MIN, acknowledged_by=colleague)
    # Still waiting, three hours on.
    make_flag(patient, opened_ago=dt.timedelta(hours=3))
    # Closed by the system without anybody answering: neither answered nor waiting.
    make_flag(patient, opened_ago=3 * DAY, resolved_after=DAY, resolved_by=None)

    report = burden.alert_burden(user=coord, now=NOW)

    team = by_window(team_row(report, "Team A").figures)[7]
    assert (team.median, team.answered, team.waiting) == (35 * MIN, 3, 1)
    mine = by_window(coordinator_row(report, coord).figures)[7]
    assert (mine.median, mine.answered, mine.waiting) == (20 * MIN, 2, 1)
    theirs = by_window(coordinator_row(report, colleague).figures)[7]
    assert (theirs.median, theirs.answered, theirs.waiting) == (80 * MIN, 1, 1)
    assert theirs.median_text == "1 h 20 min"


def test_no_answers_means_no_median(people) -> None:
    make_flag(people.patient_a, opened_ago=DAY)

    report = burden.alert_burden(user=people.coordinator_a, now=NOW)

    times = by_window(team_row(report, "Team A").figures)
    assert (times[7].median, times[7].answered, times[7].waiting) == (None, 0, 1)
    assert times[30].median_text == "—"


def test_format_duration_in_plain_words() -> None:
    assert burden.format_duration(None) == "—"
    assert burden.format_duration(dt.timedelta(seconds=20)) == "under 1 min"
    assert burden.format_duration(35 * MIN) == "35 min"
    assert burden.format_duration(80 * MIN) == "1 h 20 min"
    assert burden.format_duration(120 * MIN) == "2 h"
    assert burden.format_duration(DAY + 3 * dt.timedelta(hours=1)) == "1 day 3 h"
    assert burden.format_duration(2 * DAY) == "2 days"


# --- Open flags and flags per patient-week ---------------------------------------------------


def test_open_flags_by_level_and_live_total(people) -> None:
    coord, patient = people.coordinator_a, people.patient_a
    make_flag(patient, opened_ago=40 * DAY)  # old but still open: counted
    make_flag(patient, opened_ago=DAY, level=FlagLevel.SOON)
    make_flag(patient, opened_ago=DAY, level=FlagLevel.SOON)
    make_flag(
        patient,
        opened_ago=DAY,
        level=FlagLevel.SOON,
        acknowledged_after=MIN,
        acknowledged_by=coord,
    )
    make_flag(patient, opened_ago=DAY, level=FlagLevel.NEXT_VISIT)
    make_flag(patient, opened_ago=DAY, resolved_after=MIN, resolved_by=coord)
    make_flag(people.patient_b, opened_ago=DAY)  # another team

    report = burden.alert_burden(user=coord, now=NOW)

    expected = burden.OpenFlags(urgent=1, soon=2, next_visit=1, live=5)
    assert team_row(report, "Team A").figures.open_flags == expected
    assert coordinator_row(report, coord).figures.open_flags == expected
    assert expected.open == 4


def test_flags_per_patient_week(people) -> None:
    team_c = CareTeamFactory(name="Team C")
    empty = CareTeamFactory(name="Team Empty")
    busy = CoordinatorFactory(name="Busy Coordinator", teams=[people.team_a, team_c, empty])
    patients_c = [make_patient(care_team=team_c) for _ in range(3)]
    for patient in patients_c:
        for days_ago in (1, 10, 29):
            make_flag(patient, opened_ago=days_ago * DAY, level=FlagLevel.SOON)
        make_flag(patient, opened_ago=31 * DAY, level=FlagLevel.SOON)  # outside the 30 days
    make_flag(people.patient_a, opened_ago=2 * DAY, level=FlagLevel.NEXT_VISIT)

    report = burden.alert_burden(user=people.admin, now=NOW)

    c = team_row(report, "Team C").figures
    assert (c.patients, c.opened_30_days) == (3, 9)
    assert c.per_patient_week == pytest.approx(9 / (3 * 30 / 7))  # 0.70
    a = team_row(report, "Team A").figures
    assert a.per_patient_week == pytest.approx(1 / (30 / 7))  # 0.23
    assert team_row(report, "Team Empty").figures.per_patient_week is None
    mine = coordinator_row(report, busy).figures
    assert (mine.patients, mine.opened_30_days) == (4, 10)
    assert mine.per_patient_week == pytest.approx(10 / (4 * 30 / 7))  # 0.58


# --- Who sees what ---------------------------------------------------------------------------


def test_coordinator_sees_only_their_teams_and_colleagues(people) -> None:
    colleague = CoordinatorFactory(name="Cara Colleague", teams=[people.team_a])
    team_c = CareTeamFactory(name="Team C")
    shared = CoordinatorFactory(name="Sam Shared", teams=[people.team_a, team_c])
    patient_c = make_patient(care_team=team_c)
    make_flag(patient_c, opened_ago=DAY, acknowledged_after=MIN, acknowledged_by=shared)
    make_flag(people.patient_b, opened_ago=DAY)

    report = burden.alert_burden(user=people.coordinator_a, now=NOW)

    assert [row.name for row in report.teams] == ["Team A"]
    ids = {row.coordinator_id for row in report.coordinators}
    assert ids == {people.coordinator_a.pk, colleague.pk, shared.pk}
    # A colleague's other team stays out of sight: its name, patients and flags.
    row = coordinator_row(report, shared)
    assert row.teams == ("Team A",)
    assert row.figures.patients == 1
    assert row.figures.opened_30_days == 0
    assert by_window(row.figures)[30].answered == 0


def test_admin_sees_every_team_and_coordinator(people) -> None:
    report = burden.alert_burden(user=people.admin, now=NOW)

    assert [row.name for row in report.teams] == ["Team A", "Team B"]
    ids = {row.coordinator_id for row in report.coordinators}
    assert ids == {people.coordinator_a.pk, people.coordinator_b.pk}
    assert coordinator_row(report, people.coordinator_b).teams == ("Team B",)


def test_coordinator_without_teams_gets_an_empty_report(db) -> None:
    loner = CoordinatorFactory()

    report = burden.alert_burden(user=loner, now=NOW)

    assert (report.teams, report.coordinators) == ((), ())


# --- The page --------------------------------------------------------------------------------


def _named(people) -> None:
    for user, name in ((people.coordinator_a, "Ann Coord"), (people.coordinator_b, "Bob Coord")):
        user.name = name
        user.save(update_fields=["name"])


def test_page_for_a_coordinator_shows_their_team_only(people, client) -> None:
    _named(people)
    make_flag(
        people.patient_a,
        opened_ago=DAY,
        acknowledged_after=80 * MIN,
        acknowledged_by=people.coordinator_a,
    )
    client.force_login(people.coordinator_a)

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("care:alert_burden"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Alert burden</h1>" in html
    assert "Team A" in html and "Ann Coord" in html and "1 h 20 min" in html
    assert "Team B" not in html and "Bob Coord" not in html
    assert "0.23" in html  # 1 flag, 1 patient, 30 days


def test_page_for_an_admin_shows_every_team(people, client) -> None:
    _named(people)
    client.force_login(people.admin)

    response = client.get(reverse("care:alert_burden"))

    assert response.status_code == 200
    html = response.content.decode()
    assert all(text in html for text in ("Team A", "Team B", "Ann Coord", "Bob Coord"))


def test_page_is_forbidden_to_patients(people, client) -> None:
    client.force_login(people.patient_a)

    assert client.get(reverse("care:alert_burden")).status_code == 403


def test_page_sends_anonymous_visitors_to_log_in(people, client) -> None:
    url = reverse("care:alert_burden")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- Query count -----------------------------------------------------------------------------


def _populate(
    people, *, label: str, teams: int, patients_per_team: int, flags_per_patient: int
) -> None:
    for t in range(teams):
        team = CareTeamFactory(name=f"{label} team {t}")
        coordinators = [
            CoordinatorFactory(teams=[team, people.team_a]),
            CoordinatorFactory(teams=[team]),
        ]
        for _ in range(patients_per_team):
            patient = make_patient(care_team=team)
            for f in range(flags_per_patient):
                make_flag(
                    patient,
                    opened_ago=(f * 3 + 1) * DAY,
                    level=(FlagLevel.URGENT, FlagLevel.SOON)[f % 2],
                    acknowledged_after=(f + 1) * 7 * MIN if f % 3 else None,
                    acknowledged_by=coordinators[f % 2],
                )


def test_query_count_does_not_grow_with_data(people, client, django_assert_max_num_queries):
    _populate(people, label="Small", teams=1, patients_per_team=1, flags_per_patient=2)
    client.force_login(people.admin)
    with CaptureQueriesContext(connection) as small_page:
        assert client.get(reverse("care:alert_burden")).status_code == 200
    with django_assert_max_num_queries(SELECTOR_QUERIES):
        small = burden.alert_burden(user=people.admin, now=NOW)

    _populate(people, label="Large", teams=4, patients_per_team=5, flags_per_patient=6)
    with django_assert_max_num_queries(SELECTOR_QUERIES):
        large = burden.alert_burden(user=people.admin, now=NOW)
    with django_assert_max_num_queries(len(small_page.captured_queries)):
        assert client.get(reverse("care:alert_burden")).status_code == 200
    with django_assert_max_num_queries(SELECTOR_QUERIES):
        burden.alert_burden(user=people.coordinator_a, now=NOW)

    assert (len(small.teams), len(large.teams)) == (3, 7)
    assert len(large.coordinators) == 2 + 5 * 2


# --- In a browser ----------------------------------------------------------------------------


# Every element's right edge, and every table cell's within its own scrolling frame (or the
# viewport): a list of what sticks out, empty when nothing is clipped or scrolls sideways.
_OVERFLOWING = """() => {
  const width = window.innerWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    out.push(`page ${document.documentElement.scrollWidth}px wide`);
  }
  for (const cell of document.querySelectorAll("main th, main td, main .card, main a")) {
    let frame = cell.parentElement, limit = width;
    while (frame && frame !== document.body) {
      const style = getComputedStyle(frame).overflowX;
      if (style !== "visible") {
        limit = Math.min(limit, frame.getBoundingClientRect().right);
        break;
      }
      frame = frame.parentElement;
    }
    const right = cell.getBoundingClientRect().right;
    const what = `${cell.tagName} "${cell.innerText.slice(0, 30)}"`;
    if (right > limit + 0.5) out.push(`${what} ends at ${right} > ${limit}`);
  }
  return out;
}"""


@pytest.mark.browser
def test_page_fits_a_laptop_and_a_phone_with_nothing_cut_off(
    browser: Any, live_server: Any, axe: Any
) -> None:
    from mbc_tracker.tests import browser as ui

    team = CareTeamFactory(name="Northern Breast Oncology Nursing Team")
    other = CareTeamFactory(name="Team B")
    coordinator = CoordinatorFactory(
        email="coord.a@example.org", name="Annabelle Longname-Coordinator", teams=[team, other]
    )
    CoordinatorFactory(name="Cara Colleague", teams=[team])
    patient = make_patient(care_team=team)
    flag = make_flag(
        patient, opened_ago=DAY, acknowledged_after=80 * MIN, acknowledged_by=coordinator
    )
    FlagContact.objects.create(
        flag=flag, by=coordinator, at=flag.opened_at + 80 * MIN, outcome=ContactOutcome.REACHED
    )
    make_flag(patient, opened_ago=dt.timedelta(hours=1), level=FlagLevel.SOON)
    make_flag(make_patient(care_team=other), opened_ago=3 * DAY)
    # The live server runs on the real clock: move the story to end now.
    shift = timezone.now() - NOW
    for row in Flag.objects.all():
        row.opened_at += shift
        row.acknowledged_at = row.acknowledged_at and row.acknowledged_at + shift
        row.save(update_fields=["opened_at", "acknowledged_at"])
    FlagContact.objects.update(at=F("at") + shift)

    for viewport in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(**{**ui.LOCALE, "viewport": viewport})
        screen = context.new_page()
        ui.log_in(screen, live_server.url, "coord.a@example.org")
        screen.goto(f"{live_server.url}{reverse('care:alert_burden')}")
        assert screen.get_by_role("heading", level=1).inner_text() == "Alert burden"
        assert screen.get_by_role("heading", name="Northern Breast Oncology Nursing Team").count()
        assert screen.get_by_role("link", name="1 reached").first.is_visible()
        assert screen.evaluate(_OVERFLOWING) == [], viewport
        ui.assert_accessible(axe, screen)
        screen.get_by_role("link", name="1 reached").first.click()
        assert "reached by phone" in screen.get_by_role("heading", level=1).inner_text()
        assert screen.evaluate(_OVERFLOWING) == [], viewport
        ui.assert_accessible(axe, screen)
        context.close()

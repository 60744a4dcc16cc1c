"""Time counts from the patient's report (CLINICAL.md, "The urgent loop"): "waiting since" on
the panel and record, and the alert-burden medians to the first call attempt and to the first
call that reached the patient, per team and coordinator, over 7 and 30 days, with links to
exactly the flags behind each figure."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import CoordinatorFactory
from care import burden
from flags import services as flag_services
from flags.models import ContactOutcome, Flag, FlagContact, FlagLevel, FlagRule, FlagStatus
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
SAVED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # the patient saves the log
STORED = SAVED + 40 * MIN  # the worker stores the flag (09:40)
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _timeline(patient, *, caller, reacher=None) -> Flag:
    """Log saved 09:00 with a fever, flag stored 09:40, a call at 10:00 with no answer (which
    acknowledges it), the patient reached at 10:30."""
    with time_machine.travel(SAVED, tick=False):
        log_day(patient, SAVED.date(), {"fever": 38.6})
    with time_machine.travel(STORED, tick=False):
        flag_services.evaluate_patient(patient=patient, now=STORED)
    flag = Flag.objects.get(patient=patient, rule=FlagRule.FEVER)
    assert (flag.reported_at, flag.opened_at, flag.level) == (SAVED, STORED, FlagLevel.URGENT)
    _call(flag, caller, SAVED + 60 * MIN, ContactOutcome.NO_ANSWER)
    _call(flag, reacher or caller, SAVED + 90 * MIN, ContactOutcome.REACHED)
    return flag


def _call(flag: Flag, by, at: dt.datetime, outcome: str) -> None:
    FlagContact.objects.create(flag=flag, by=by, at=at, outcome=outcome)
    if flag.status == FlagStatus.OPEN:  # the first attempt acknowledges an open flag
        flag.status, flag.acknowledged_at, flag.acknowledged_by = FlagStatus.ACKNOWLEDGED, at, by
        flag.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])


def _flag(patient, *, reported: dt.datetime | None, opened: dt.datetime, subject: str) -> Flag:
    return Flag.objects.create(
        patient=patient,
        rule=FlagRule.SEVERE,
        level=FlagLevel.URGENT,
        subject=subject,
        title=f"Severe {subject}",
        explanation="A severe symptom.",
        advice="Call your care team now.",
        opened_at=opened,
        reported_at=reported,
    )


def _times(figures: burden.Figures) -> dict[int, burden.ResponseTimes]:
    return {times.days: times for times in figures.response}


def _team(report, team) -> burden.TeamBurden:
    (row,) = [row for row in report.teams if row.team_id == team.pk]
    return row


def _coordinator(report, user) -> burden.CoordinatorBurden:
    (row,) = [row for row in report.coordinators if row.coordinator_id == user.pk]
    return row


# --- Waiting since -------------------------------------------------------------------------


def test_waiting_since_counts_from_when_the_patient_saved_the_log(people, client, settings):
    settings.DEFAULT_PATIENT_TIMEZONE = "Europe/London"
    patient = people.patient_a
    with time_machine.travel(SAVED, tick=False):
        log_day(patient, SAVED.date(), {"fever": 38.6})
    with time_machine.travel(STORED, tick=False):
        flag_services.evaluate_patient(patient=patient, now=STORED)
    client.force_login(people.coordinator_a)

    with time_machine.travel(NOW, tick=False):
        panel = client.get(reverse("care:panel")).content.decode()
        record = client.get(reverse("care:record", args=[patient.pk])).content.decode()

    assert "Urgent, waiting for a call since 1 Dec 09:00 GMT" in panel
    assert "09:40" not in panel
    assert "Waiting since 1 Dec 09:00 GMT, when Alice saved the log" in record


def test_whole_patient_flags_wait_from_when_they_opened(people, client, settings):
    settings.DEFAULT_PATIENT_TIMEZONE = "Europe/London"
    Flag.objects.create(
        patient=people.patient_a,
        rule=FlagRule.NOT_LOGGING,
        level=FlagLevel.SOON,
        title="Not logging",
        explanation="No logs for a while.",
        advice="",
        opened_at=STORED,
    )
    client.force_login(people.coordinator_a)

    with time_machine.travel(NOW, tick=False):
        record = client.get(reverse("care:record", args=[people.patient_a.pk])).content.decode()

    assert "Waiting since 1 Dec 09:40 GMT, when the flag was raised" in record


def test_the_oldest_report_comes_first_in_the_panel(people):
    """Two urgent flags waiting: the one reported first leads, even if stored later."""
    from accounts.tests.factories import make_patient
    from care import selectors

    early = make_patient(name="Early Reporter", care_team=people.team_a)
    late = make_patient(name="Late Reporter", care_team=people.team_a)
    _flag(early, reported=SAVED, opened=SAVED + 3 * 60 * MIN, subject="a")
    _flag(late, reported=SAVED + 60 * MIN, opened=SAVED + 70 * MIN, subject="b")

    rows = selectors.triage_panel(user=people.coordinator_a, now=NOW)

    assert [row.name for row in rows][:2] == ["Early Reporter", "Late Reporter"]
    assert rows[0].triage.urgent_waiting_since == SAVED


# --- Alert burden medians --------------------------------------------------------------------


def test_medians_count_from_the_report_not_from_when_the_flag_was_stored(people) -> None:
    coord = people.coordinator_a
    _timeline(people.patient_a, caller=coord)

    report = burden.alert_burden(user=coord, now=NOW)

    for figures in (_team(report, people.team_a).figures, _coordinator(report, coord).figures):
        for days in (7, 30):
            times = _times(figures)[days]
            # 60 and 90 minutes from the 09:00 report, not 20 and 50 from the 09:40 flag.
            assert (times.to_attempt, times.attempted) == (60 * MIN, 1)
            assert (times.to_reached, times.reached) == (90 * MIN, 1)
            assert (times.median, times.answered, times.waiting) == (60 * MIN, 1, 0)
            assert (times.to_attempt_text, times.to_reached_text) == ("1 h", "1 h 30 min")


def test_each_coordinator_is_credited_with_their_own_attempts(people) -> None:
    caller = people.coordinator_a
    reacher = CoordinatorFactory(name="Cara Colleague", teams=[people.team_a])
    _timeline(people.patient_a, caller=caller, reacher=reacher)

    report = burden.alert_burden(user=caller, now=NOW)

    mine = _times(_coordinator(report, caller).figures)[7]
    assert (mine.to_attempt, mine.attempted, mine.to_reached, mine.reached) == (
        60 * MIN,
        1,
        None,
        0,
    )
    theirs = _times(_coordinator(report, reacher).figures)[7]
    assert (theirs.to_attempt, theirs.attempted) == (None, 0)
    assert (theirs.to_reached, theirs.reached) == (90 * MIN, 1)
    team = _times(_team(report, people.team_a).figures)[7]
    assert (team.to_attempt, team.to_reached) == (60 * MIN, 90 * MIN)


def test_7_and_30_day_windows_are_chosen_by_the_report(people) -> None:
    coord, patient = people.coordinator_a, people.patient_a
    _timeline(patient, caller=coord)
    # Reported 10 days ago: called after 30 min, reached after 30 min. 30-day window only.
    older = _flag(patient, reported=NOW - 10 * DAY, opened=NOW - 10 * DAY + MIN, subject="old")
    _call(older, coord, NOW - 10 * DAY + 30 * MIN, ContactOutcome.REACHED)
    # Reported 8 days ago but stored 6 days ago: outside the 7 days, counted from the report.
    late = _flag(patient, reported=NOW - 8 * DAY, opened=NOW - 6 * DAY, subject="late")
    _call(late, coord, NOW - 6 * DAY + 10 * MIN, ContactOutcome.SENT_TO_EMERGENCY)
    # Reported 40 days ago: in neither window.
    ancient = _flag(patient, reported=NOW - 40 * DAY, opened=NOW - 40 * DAY, subject="ancient")
    _call(ancient, coord, NOW - 40 * DAY + MIN, ContactOutcome.REACHED)

    report = burden.alert_burden(user=coord, now=NOW)

    times = _times(_team(report, people.team_a).figures)
    assert (times[7].to_attempt, times[7].attempted) == (60 * MIN, 1)
    assert (times[7].to_reached, times[7].reached) == (90 * MIN, 1)
    assert times[30].attempted == 3
    assert times[30].to_attempt == 60 * MIN  # median of 30 min, 60 min, 2 days 10 min
    assert (times[30].to_reached, times[30].reached) == (60 * MIN, 2)  # median of 30 and 90
    figures = _team(report, people.team_a).figures
    assert set(figures.flags["attempted-30"]) == {
        Flag.objects.get(rule=FlagRule.FEVER).pk,
        older.pk,
        late.pk,
    }


def test_another_teams_flags_are_never_counted(people) -> None:
    _timeline(people.patient_a, caller=people.coordinator_a)
    other = _flag(people.patient_b, reported=NOW - DAY, opened=NOW - DAY, subject="b")
    _call(other, people.coordinator_b, NOW - DAY + 5 * MIN, ContactOutcome.REACHED)

    report = burden.alert_burden(user=people.coordinator_a, now=NOW)

    assert [row.team_id for row in report.teams] == [people.team_a.pk]
    times = _times(_team(report, people.team_a).figures)[7]
    assert (times.to_reached, times.reached) == (90 * MIN, 1)
    every_id = {
        pk
        for row in (*report.teams, *report.coordinators)
        for ids in row.figures.flags.values()
        for pk in ids
    }
    assert other.pk not in every_id


# --- Links to the flags behind each figure ---------------------------------------------------


def _links(html: str) -> set[str]:
    """Every flag-list link on the page."""
    hrefs = re.findall(r'href="(/alert-burden/flags/\?[^"]+)"', html)
    return {href.replace("&amp;", "&") for href in hrefs}


def test_each_figure_links_to_exactly_its_flags(people, client) -> None:
    coord = people.coordinator_a
    flag = _timeline(people.patient_a, caller=coord)
    waiting = _flag(people.patient_a, reported=NOW - 2 * DAY, opened=NOW - 2 * DAY, subject="w")
    other = _flag(people.patient_b, reported=NOW - DAY, opened=NOW - DAY, subject="b")
    client.force_login(coord)

    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("care:alert_burden")).content.decode()
        links = _links(html)
        team = f"team={people.team_a.pk}"
        expected = {
            f"/alert-burden/flags/?{team}&figure=attempted-7": {flag.pk},
            f"/alert-burden/flags/?{team}&figure=reached-30": {flag.pk},
            f"/alert-burden/flags/?{team}&figure=waiting-7": {waiting.pk},
            f"/alert-burden/flags/?{team}&figure=urgent": {waiting.pk},
            f"/alert-burden/flags/?{team}&figure=live": {flag.pk, waiting.pk},
            f"/alert-burden/flags/?coordinator={coord.pk}&figure=reached-7": {flag.pk},
        }
        for url, ids in expected.items():
            assert url in links, url
            response = client.get(url)
            assert response.status_code == 200
            assert {f.pk for f in response.context["flags"]} == ids, url
        # Every link on the page answers, and none shows another team's flag.
        for url in links:
            response = client.get(url)
            assert response.status_code == 200, url
            assert other.pk not in {f.pk for f in response.context["flags"]}
        listed = client.get(f"/alert-burden/flags/?{team}&figure=reached-7").content.decode()
    assert "Alice Patient" in listed and flag.title in listed
    assert "reported 1 Dec 2026" in listed
    # Naming patients in a list is an access, as on the panel; never another team's patient.
    from accounts.models import RecordAccess

    seen = set(
        RecordAccess.objects.filter(path__startswith="/alert-burden/flags/").values_list(
            "patient_id", flat=True
        )
    )
    assert seen == {people.patient_a.pk}


def test_another_teams_figures_are_404_and_patients_are_refused(people, client) -> None:
    _flag(people.patient_b, reported=NOW - DAY, opened=NOW - DAY, subject="b")
    url = reverse("care:burden_flags")
    client.force_login(people.coordinator_a)
    for query in (
        f"?team={people.team_b.pk}&figure=live",
        f"?coordinator={people.coordinator_b.pk}&figure=live",
        f"?team={people.team_a.pk}&figure=nonsense",
        "?figure=live",
        "?team=abc&figure=live",
    ):
        assert client.get(url + query).status_code == 404, query
    client.force_login(people.admin)
    response = client.get(f"{url}?team={people.team_b.pk}&figure=live")
    assert response.status_code == 200
    assert len(response.context["flags"]) == 1
    client.force_login(people.patient_a)
    assert client.get(f"{url}?team={people.team_a.pk}&figure=live").status_code == 403

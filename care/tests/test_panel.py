"""The triage panel: order, filters, refresh, query count, and the access log it writes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import RecordAccess
from accounts.selectors import teams_for
from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from care import selectors
from care.selectors import Tier
from flags import services as flags
from flags.models import FlagStatus
from flags.tests.factories import FlagFactory
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db


def _names(user) -> list[str]:
    return [patient.name for patient in selectors.triage_panel(user=user)]


@pytest.fixture
def hand_built_panel(people):
    """One patient per tier (plus ties), in team A, built in a shuffled order."""
    team = people.team_a
    patients = {
        name: make_patient(name=name, care_team=team)
        for name in [
            "Zed Quiet",
            "Nina Restaging",
            "Mia NextVisit",
            "Lou NotLogging",
            "Kim Soon",
            "Jo UrgentSeen",
            "Ivy UrgentNew",
            "Hal UrgentOld",
            "Abe Quiet",
        ]
    }
    FlagFactory(patient=patients["Nina Restaging"], rule="restaging_overdue", subject="")
    FlagFactory(patient=patients["Mia NextVisit"], rule="persistent")
    FlagFactory(patient=patients["Mia NextVisit"], rule="restaging_overdue", subject="")
    FlagFactory(patient=patients["Lou NotLogging"], rule="not_logging", subject="")
    FlagFactory(patient=patients["Kim Soon"], rule="severe")
    FlagFactory(patient=patients["Kim Soon"], rule="not_logging", subject="")
    FlagFactory(
        patient=patients["Jo UrgentSeen"],
        rule="fever",
        status=FlagStatus.ACKNOWLEDGED,
        age=dt.timedelta(hours=9),
    )
    FlagFactory(patient=patients["Ivy UrgentNew"], rule="red_flag", age=dt.timedelta(minutes=5))
    FlagFactory(patient=patients["Hal UrgentOld"], rule="fever", age=dt.timedelta(hours=3))
    # An acknowledged urgent flag does not hide a newer unacknowledged one.
    FlagFactory(
        patient=patients["Hal UrgentOld"],
        rule="red_flag",
        status=FlagStatus.ACKNOWLEDGED,
        age=dt.timedelta(hours=1),
    )
    # Resolved flags count for nothing.
    FlagFactory(patient=patients["Zed Quiet"], rule="red_flag", status=FlagStatus.RESOLVED)
    return patients


def test_triage_order_with_a_hand_built_panel(people, hand_built_panel):
    assert _names(people.coordinator_a) == [
        "Hal UrgentOld",  # urgent, waiting for 3 hours
        "Ivy UrgentNew",  # urgent, waiting for 5 minutes
        "Jo UrgentSeen",  # urgent, acknowledged
        "Kim Soon",  # soon (and not logging: the more pressing reason wins)
        "Lou NotLogging",
        "Mia NextVisit",  # next visit (and restaging overdue)
        "Nina Restaging",
        "Abe Quiet",  # everyone else, by name
        "Alice Patient",
        "Zed Quiet",
    ]
    tiers = [p.triage.tier for p in selectors.triage_panel(user=people.coordinator_a)]
    assert tiers == [0, 0, 1, 2, 3, 4, 5, 6, 6, 6]


def test_row_figures(people, hand_built_panel):
    rows = {p.name: p for p in selectors.triage_panel(user=people.coordinator_a)}
    hal = rows["Hal UrgentOld"]
    hal = rows["Hal UrgentOld"].triage
    assert hal.counts == {"urgent": 2, "soon": 0, "next_visit": 0}
    assert (
        hal.top_flag_title == "Fever"
    )  # the waiting one before the acknowledged one (staff words)
    mia = rows["Mia NextVisit"].triage
    assert mia.counts == {"urgent": 0, "soon": 0, "next_visit": 2}
    assert mia.restaging_overdue
    assert rows["Zed Quiet"].triage.top_flag_title == ""


def test_acknowledging_moves_a_patient_down(people, hand_built_panel):
    hal = hand_built_panel["Hal UrgentOld"]
    waiting = hal.flags.get(rule="fever")
    assert _names(people.coordinator_a)[0] == "Hal UrgentOld"
    flags.flag_acknowledge(flag=waiting, by=people.coordinator_a, note="Called her")
    order = _names(people.coordinator_a)
    assert order[0] == "Ivy UrgentNew"
    assert order.index("Hal UrgentOld") == 1  # with the acknowledged urgent ones, by name
    assert order.index("Jo UrgentSeen") == 2
    flags.flag_resolve(flag=waiting, by=people.coordinator_a, note="Seen in clinic")
    flags.flag_resolve(
        flag=hal.flags.get(rule="red_flag"), by=people.coordinator_a, note="Seen in clinic"
    )
    assert _names(people.coordinator_a).index("Hal UrgentOld") == 8  # now among the quiet


def test_a_coordinator_sees_only_their_teams(people, hand_built_panel):
    FlagFactory(patient=people.patient_b, rule="red_flag", age=dt.timedelta(days=2))
    assert "Bella Patient" not in _names(people.coordinator_a)
    assert _names(people.coordinator_b) == ["Bella Patient"]
    assert _names(people.admin)[0] == "Bella Patient"  # the oldest urgent flag of all


def test_filters(people, hand_built_panel):
    make_patient(name="Lena Lung", care_team=people.team_a, sites=["lung", "liver"])
    user = people.coordinator_a

    def names(**kwargs) -> list[str]:
        filters = selectors.panel_filters(teams=teams_for(user), **kwargs)
        return [p.name for p in selectors.triage_panel(user=user, filters=filters)]

    assert names(site="lung") == ["Lena Lung"]
    assert names(site="liver") == ["Lena Lung"]
    assert names(level="urgent") == ["Hal UrgentOld", "Ivy UrgentNew", "Jo UrgentSeen"]
    assert names(level="next_visit") == ["Mia NextVisit", "Nina Restaging"]
    assert names(search="quiet") == ["Abe Quiet", "Zed Quiet"]
    assert names(search="ZED") == ["Zed Quiet"]
    # Unknown values and other people's teams are ignored, never widen the panel.
    assert len(names(site="spleen", level="bad")) == 11
    assert names(team=people.team_b.pk) == names()
    assert "Bella Patient" not in names(team=people.team_b.pk)


def test_team_filter_for_a_coordinator_of_two_teams(people):
    other = CareTeamFactory(name="Team C")
    people.coordinator_a.care_teams.add(other)
    make_patient(name="Cleo C", care_team=other)
    user = people.coordinator_a
    filters = selectors.panel_filters(teams=teams_for(user), team=other.pk)
    assert [p.name for p in selectors.triage_panel(user=user, filters=filters)] == ["Cleo C"]


def test_panel_page_shows_rows_and_filters(people, client, hand_built_panel):
    client.force_login(people.coordinator_a)
    body = client.get(reverse("care:panel")).content.decode()
    assert body.index("Hal UrgentOld") < body.index("Ivy UrgentNew") < body.index("Abe Quiet")
    assert "Urgent, waiting for a call since" in body
    assert "2 urgent" in body
    assert 'hx-trigger="every 60s"' in body
    assert "htmx" in body  # the script is loaded from this server
    assert "Bella Patient" not in body
    # The coordinator's home page is the same panel.
    home = client.get(reverse("home")).content.decode()
    assert home.index("Hal UrgentOld") < home.index("Abe Quiet")


def test_htmx_refresh_returns_the_rows_alone_with_the_same_filters(people, client):
    make_patient(name="Lena Lung", care_team=people.team_a, sites=["lung"])
    client.force_login(people.coordinator_a)
    response = client.get(reverse("care:panel"), {"site": "lung"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="triage-panel"')
    assert 'hx-get="/patients/?site=lung"' in body
    assert "Lena Lung" in body and "Alice Patient" not in body


def test_panel_rows_show_last_log_appointment_and_restaging(people, client):
    today = timezone.localdate()
    log_day(people.patient_a, today - dt.timedelta(days=2), {"fatigue": 3})
    client.force_login(people.coordinator_a)
    body = client.get(reverse("care:panel")).content.decode()
    assert "2 days ago" in body
    assert "None booked" in body
    assert "Never logged" not in body


@pytest.mark.parametrize("persona,status", [("patient_a", 403), ("anonymous", 302)])
def test_panel_is_for_care_staff(people, client, persona, status):
    user = people.all()[persona]
    if user:
        client.force_login(user)
    response = client.get(reverse("care:panel"))
    assert response.status_code == status
    assert b"Alice Patient" not in response.content


def test_panel_query_count_is_the_same_for_5_and_200_patients(
    people, client, django_assert_num_queries
):
    """Session, user, the session's two-step device, the profiles, their live flags, the
    access-log lock and insert (a list notes each patient once an hour), the teams."""
    coordinator = CoordinatorFactory(teams=[CareTeamFactory(name="Big team")])
    team = coordinator.care_teams.get()

    def grow_to(count: int) -> None:
        while team.patients.count() < count:
            patient = make_patient(care_team=team)
            FlagFactory(patient=patient, rule="red_flag")
            FlagFactory(patient=patient, rule="severe")
            log_day(patient, timezone.localdate(), {"fatigue": 2})

    client.force_login(coordinator)
    grow_to(5)
    with django_assert_num_queries(8) as small:
        assert client.get(reverse("care:panel")).status_code == 200
    grow_to(200)
    with django_assert_num_queries(8) as large:
        response = client.get(reverse("care:panel"))
    assert response.content.decode().count('data-patient="') == 100  # a page
    assert len(small.captured_queries) == len(large.captured_queries)
    with django_assert_num_queries(8):
        response = client.get(reverse("care:panel"), {"page": 2})
    assert response.content.decode().count('data-patient="') == 100


def test_a_big_panel_comes_a_hundred_at_a_time_most_pressing_first(people, client):
    team = people.team_a
    for number in range(120):
        make_patient(name=f"Quiet {number:03d}", care_team=team)
    waiting = make_patient(name="Zara Waiting", care_team=team)
    FlagFactory(patient=waiting, rule="red_flag")
    client.force_login(people.coordinator_a)
    first = client.get(reverse("care:panel"), {"site": "bone"}).content.decode()
    assert first.index("Zara Waiting") < first.index("Alice Patient")  # urgent first, page 1
    assert "Patients 1\u2013100 of 122, most pressing first" in first
    assert 'href="?site=bone&amp;page=2">Next 100</a>' in first
    assert RecordAccess.objects.filter(what="panel").count() == 100  # only the page shown
    second = client.get(reverse("care:panel"), {"site": "bone", "page": 2}).content.decode()
    assert "Patients 101\u2013122 of 122" in second
    assert 'href="?site=bone&amp;page=1">Previous 100</a>' in second
    assert "Zara Waiting" not in second
    assert second.count('data-patient="') == 22
    # A page past the end shows the last one rather than an error.
    past_the_end = client.get(reverse("care:panel"), {"page": 9}).content.decode()
    assert "Patients 101\u2013122" in past_the_end


def test_panel_view_logs_one_access_row_per_patient_shown(people, client, hand_built_panel):
    client.force_login(people.coordinator_a)
    client.get(reverse("care:panel"), {"level": "urgent"}, REMOTE_ADDR="10.1.2.3")
    rows = list(RecordAccess.objects.order_by("patient_id"))
    shown = {hand_built_panel[name].pk for name in ["Hal UrgentOld", "Ivy UrgentNew"]}
    shown.add(hand_built_panel["Jo UrgentSeen"].pk)
    assert {row.patient_id for row in rows} == shown
    assert len(rows) == 3
    assert {row.what for row in rows} == {"panel"}
    assert {row.viewer_id for row in rows} == {people.coordinator_a.pk}
    assert {row.ip_address for row in rows} == {"10.1.2.3"}
    assert all(row.request_id for row in rows)
    assert len({row.request_id for row in rows}) == 1  # one request


def test_tier_labels_cover_every_tier():
    assert set(Tier.LABELS) == set(range(7))


def test_the_api_lists_the_panel_in_the_same_order(people, client, api_client, hand_built_panel):
    client.force_login(people.coordinator_a)
    body = client.get(reverse("care:panel")).content.decode()
    page_ids = [int(pk) for pk in re.findall(r'data-patient="(\d+)"', body)]
    api_client.force_authenticate(people.coordinator_a)
    api_ids = [p["id"] for p in api_client.get("/api/v1/patients/").json()["results"]]
    assert page_ids == api_ids == [p.pk for p in selectors.triage_panel(user=people.coordinator_a)]

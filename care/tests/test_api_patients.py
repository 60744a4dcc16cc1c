"""/api/v1/patients/: the coordinator's panel, enrolment and one patient."""

import datetime as dt
import re

import pytest
from django.core import mail

from accounts.models import PatientProfile, RecordAccess, User
from accounts.tests.factories import CareTeamFactory, CoordinatorFactory, make_patient
from flags.tests.factories import FlagFactory
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db
URL = "/api/v1/patients/"


def test_coordinator_lists_only_their_teams_patients(people, api_client):
    make_patient(name="Zoe Later", care_team=people.team_a)
    api_client.force_authenticate(people.coordinator_a)
    body = api_client.get(URL).json()
    assert body["count"] == 2
    assert [p["name"] for p in body["results"]] == ["Alice Patient", "Zoe Later"]
    first = body["results"][0]
    assert first["id"] == people.patient_a.pk
    assert first["email"] == "patient.a@example.org"
    assert first["sites"] == ["bone"]
    assert first["care_team"] == {"id": people.team_a.pk, "name": "Team A"}


def test_admin_lists_everyone(people, api_client):
    api_client.force_authenticate(people.admin)
    assert api_client.get(URL).json()["count"] == 2


def test_patients_may_not_list_patients(people, api_client):
    api_client.force_authenticate(people.patient_a)
    assert api_client.get(URL).status_code == 403
    assert api_client.get(f"{URL}{people.patient_a.pk}/").status_code == 403


def test_list_query_count_does_not_grow(people, api_client, django_assert_max_num_queries):
    api_client.force_authenticate(people.coordinator_a)
    with django_assert_max_num_queries(4):
        api_client.get(URL)
    for _ in range(20):
        make_patient(care_team=people.team_a)
    with django_assert_max_num_queries(4):
        assert api_client.get(URL).json()["count"] == 21


@pytest.mark.parametrize(
    "persona,status",
    [
        ("coordinator_a", 200),
        ("coordinator_b", 404),
        ("admin", 200),
        ("patient_a", 403),
        ("patient_b", 403),
        ("anonymous", 401),
    ],
)
def test_patient_detail_matrix(people, api_client, persona, status):
    user = people.all()[persona]
    if user is not None:
        api_client.force_authenticate(user)
    response = api_client.get(f"{URL}{people.patient_a.pk}/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["her2_status"] == "unknown"


def test_unknown_patient_id_is_404(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    assert api_client.get(f"{URL}{people.coordinator_a.pk}/").status_code == 404
    assert api_client.get(f"{URL}987654/").status_code == 404


def test_enrolment_creates_patient_and_invitation(
    people, api_client, client, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(people.coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            URL,
            {
                "email": "New.Person@Example.org",
                "name": "New Person",
                "sites": ["liver"],
                "timezone": "America/Los_Angeles",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    user = User.objects.get(pk=body["id"])
    assert user.email == "new.person@example.org"
    assert user.role == "patient"
    assert not user.has_usable_password()
    assert user.patient_profile.care_team == people.team_a
    assert body["care_team"]["name"] == "Team A"
    assert body["sites"] == ["liver"]

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "liver" not in message.body.lower()  # no health details in email
    link = re.search(r"https?://\S+", message.body).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else re.sub(r"https?://[^/]+", "", link)

    # The patient follows the link and chooses a password, then logs in with it.
    page = client.get(path, follow=True)
    assert page.status_code == 200
    assert b"Choose your password" in page.content
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-42", "new_password2": "a-long-new-pass-42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-long-new-pass-42")
    token = api_client.post(
        "/api/v1/auth/token/",
        {"email": "new.person@example.org", "password": "a-long-new-pass-42"},
        format="json",
    )
    assert token.status_code == 200


@pytest.mark.parametrize(
    "body,field",
    [
        ({"email": "patient.b@example.org"}, "email"),
        ({"email": "PATIENT.B@example.org"}, "email"),
        ({"email": "not an email"}, "email"),
        ({"timezone": "Nowhere/Town"}, "timezone"),
        ({"sites": ["kidney"]}, "sites"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_enrolment_is_400_and_creates_nothing(people, api_client, body, field):
    api_client.force_authenticate(people.coordinator_a)
    before = User.objects.count()
    good = {"email": "ok@example.org", "name": "Ok", "sites": [], "timezone": "Europe/London"}
    response = api_client.post(URL, {**good, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == before
    assert not mail.outbox


def test_coordinator_of_two_teams_must_choose_one_of_theirs(people, api_client):
    both = CoordinatorFactory(teams=[people.team_a, people.team_b])
    other = CareTeamFactory(name="Elsewhere")
    api_client.force_authenticate(both)
    good = {"email": "x@example.org", "name": "X", "timezone": "Europe/London"}
    assert api_client.post(URL, good, format="json").status_code == 400
    assert api_client.post(URL, {**good, "care_team": other.pk}, format="json").status_code == 400
    response = api_client.post(URL, {**good, "care_team": people.team_b.pk}, format="json")
    assert response.status_code == 201
    assert PatientProfile.objects.get(pk=response.json()["id"]).care_team == people.team_b


def test_patients_cannot_enrol(people, api_client):
    api_client.force_authenticate(people.patient_a)
    response = api_client.post(
        URL, {"email": "x@example.org", "name": "X", "timezone": "Europe/London"}, format="json"
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()


def test_panel_shows_last_log_next_appointment_and_restaging_due(people, api_client):
    from appointments.models import Appointment
    from appointments.services import appointment_create
    from symptoms.tests.factories import log_days_back

    patient = people.patient_a
    profile = patient.patient_profile
    api_client.force_authenticate(people.coordinator_a)
    body = api_client.get(f"{URL}{patient.pk}/").json()
    assert body["last_log_date"] is None
    assert body["next_appointment"] is None
    assert body["restaging_due"] == str(profile.enrolled_on + dt.timedelta(weeks=12))

    log_days_back(patient, 2, {"fatigue": 3})
    now = dt.datetime.now(dt.UTC)
    booked = appointment_create(
        patient=patient, kind="blood_test", starts_at=now + dt.timedelta(days=5), created_by=None
    )
    scan_at = now - dt.timedelta(days=20)
    Appointment.objects.create(patient=patient, kind="ct", starts_at=scan_at, status="done")

    row = api_client.get(URL).json()["results"][0]
    assert row["last_log_date"] == str(profile.local_today() - dt.timedelta(days=2))
    assert row["next_appointment"].startswith(booked.starts_at.strftime("%Y-%m-%dT%H:%M"))
    scan_day = scan_at.astimezone(profile.zone).date()
    assert row["restaging_due"] == str(scan_day + dt.timedelta(weeks=12))


# --- Triage order, flag counts and the access log (the coordinator's dashboard) -----------------


def test_list_is_in_triage_order_with_flag_counts(people, api_client):

    waiting = make_patient(name="Abe Waiting", care_team=people.team_a)
    soon = make_patient(name="Bo Soon", care_team=people.team_a)
    FlagFactory(
        patient=waiting,
        rule="red_flag",
        age=dt.timedelta(hours=2),
        title="Seizure",
        subject="seizure",
    )
    FlagFactory(patient=waiting, rule="persistent")
    FlagFactory(patient=soon, rule="severe")
    api_client.force_authenticate(people.coordinator_a)
    results = api_client.get(URL).json()["results"]
    assert [p["name"] for p in results] == ["Abe Waiting", "Bo Soon", "Alice Patient"]
    assert results[0]["open_flags"] == {"urgent": 1, "soon": 0, "next_visit": 1}
    assert results[0]["triage"]["tier"] == 0
    assert results[0]["triage"]["top_flag"] == "Red-flag symptom: Seizure (fit)"  # staff words
    assert results[0]["triage"]["urgent_waiting_since"] is not None
    assert results[2]["open_flags"] == {"urgent": 0, "soon": 0, "next_visit": 0}
    assert results[2]["triage"] == {
        "tier": 6,
        "reason": "No flags",
        "top_flag": None,
        "urgent_waiting_since": None,
    }
    only_urgent = api_client.get(URL, {"level": "urgent"}).json()["results"]
    assert [p["name"] for p in only_urgent] == ["Abe Waiting"]


def test_list_and_detail_write_the_access_log(people, api_client):
    make_patient(name="Zoe Later", care_team=people.team_a)
    api_client.force_authenticate(people.coordinator_a)
    api_client.get(URL)
    assert RecordAccess.objects.filter(what="panel").count() == 2
    api_client.get(f"{URL}{people.patient_a.pk}/")
    row = RecordAccess.objects.get(what="record")
    assert (row.patient_id, row.viewer_id) == (people.patient_a.pk, people.coordinator_a.pk)
    api_client.get(f"{URL}{people.patient_b.pk}/")  # another team's patient: 404, no row
    assert RecordAccess.objects.count() == 3


def test_detail_has_recent_logs_and_flags(people, api_client):
    today = people.patient_a.patient_profile.local_today()
    log_day(people.patient_a, today, {"bone_pain": 6})
    log_day(people.patient_a, today - dt.timedelta(days=20), {"bone_pain": 2})
    FlagFactory(patient=people.patient_a, rule="severe", title="Severe bone pain")
    api_client.force_authenticate(people.coordinator_a)
    body = api_client.get(f"{URL}{people.patient_a.pk}/").json()
    assert [log["date"] for log in body["recent_logs"]] == [today.isoformat()]
    assert body["recent_logs"][0]["entries"] == [{"symptom": "bone_pain", "severity": 6}]
    assert [flag["title"] for flag in body["flags"]] == ["Severe bone pain"]
    assert body["open_flags"] == {"urgent": 0, "soon": 1, "next_visit": 0}


def test_detail_lists_each_flags_calls_with_a_constant_query_count(
    people, api_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from flags.models import FlagContact

    def flag_with_calls(rule: str, subject: str) -> None:
        flag = FlagFactory(patient=people.patient_a, rule=rule, subject=subject, level="urgent")
        for outcome in ("no_answer", "reached"):
            FlagContact.objects.create(
                flag=flag, by=people.coordinator_a, at=timezone.now(), outcome=outcome
            )

    flag_with_calls("red_flag", "seizure")
    api_client.force_authenticate(people.coordinator_a)
    url = f"{URL}{people.patient_a.pk}/"
    with CaptureQueriesContext(connection) as one:
        body = api_client.get(url).json()
    assert [call["outcome"] for call in body["flags"][0]["contacts"]] == ["no_answer", "reached"]
    for subject in ("confusion", "vision_change", "coughing_blood", "jaundice"):
        flag_with_calls("red_flag", subject)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = api_client.get(url).json()
    assert len(body["flags"]) == 5
    assert all(len(flag["contacts"]) == 2 for flag in body["flags"])

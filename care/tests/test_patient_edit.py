"""Editing a patient's details: the record's edit page and PATCH /api/v1/patients/{id}/. The same
service as admin validates and saves (all or nothing), re-plans reminders when the zone or the
restaging interval change, and both doors are audited and access-logged."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from accounts import credentials
from accounts.models import PatientProfile, RecordAccess, RecordAccessKind, User
from appointments import reminder_planning as appointment_planning
from followups.services import REMINDER_REPLAN
from notifications.models import Notification, Status
from symptoms import reminder_planning as log_planning

pytestmark = pytest.mark.django_db

# A Monday, 13:00 in London (BST); patient A enrolled on 1 May, restaging every 12 weeks.
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
ENROLLED = dt.date(2026, 5, 1)
API = "/api/v1/patients/{}/"

FULL_FORM = {
    "name": "Alice Patient",
    "phone": "",
    "call_time": "",
    "sites": ["bone"],
    "timezone": "Europe/London",
    "restaging_interval_weeks": "12",
    "hormone_receptor_status": "unknown",
    "her2_status": "unknown",
    "pik3ca_status": "unknown",
    "pd_l1_status": "unknown",
    "current_treatment": "",
    "date_of_birth": "",
    "hospital_number": "",
}


def _edit(patient: User) -> str:
    return reverse("care:patient_edit", args=[patient.pk])


def _record(patient: User) -> str:
    return reverse("care:record", args=[patient.pk])


def _stored(patient: User) -> tuple[dict, str]:
    """The profile row and the name as stored: what a refused change must leave alone."""
    profile = PatientProfile.objects.filter(pk=patient.pk).values().get()
    return profile, User.objects.get(pk=patient.pk).name


def _audit_count(patient: User) -> int:
    profile = PatientProfile.objects.get(pk=patient.pk)
    return (
        LogEntry.objects.get_for_object(profile).count()
        + LogEntry.objects.get_for_object(profile.user).count()
    )


@pytest.fixture
def alice(people) -> User:
    PatientProfile.objects.filter(pk=people.patient_a.pk).update(enrolled_on=ENROLLED)
    return people.patient_a


def _plan(patient: User) -> None:
    profile = PatientProfile.objects.get(pk=patient.pk)
    log_planning.log_reminders_plan(profiles=[profile], now=NOW)
    appointment_planning.restaging_reminders_plan(profiles=[profile], now=NOW)


def _log_nudge_clocks(zone: str) -> set[str]:
    """Local clock times of the planned daily log nudges."""
    planned = Notification.objects.filter(kind="log_reminder", status=Status.PLANNED)
    return {row.due_at.astimezone(ZoneInfo(zone)).strftime("%H:%M") for row in planned}


def _restaging_due_days(status: str) -> set[str]:
    rows = Notification.objects.filter(kind="restaging_reminder", status=status)
    return {row.key.rsplit(":", 1)[1] for row in rows}


# --- The edit page -----------------------------------------------------------------------------


def test_the_record_links_to_the_edit_page_and_shows_what_is_not_recorded(people, client, alice):
    client.force_login(people.coordinator_a)
    body = client.get(_record(alice)).content.decode()
    assert f'href="{_edit(alice)}"' in body
    assert "Edit details" in body
    assert "Not recorded" in body  # treatment, phone, date of birth, hospital number
    assert "HER2 Unknown" in body


def test_the_edit_page_speaks_about_the_patient(people, client, alice):
    client.force_login(people.coordinator_a)
    response = client.get(_edit(alice))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Alice\u2019s details</h1>" in body
    assert "Their time zone now" in body
    assert "Your time zone" not in body
    assert 'value="Alice Patient"' in body
    assert '<option value="Europe/London" selected>' in body


def test_saving_every_field_then_the_record_shows_them(people, client, alice):
    client.force_login(people.coordinator_a)
    data = FULL_FORM | {
        "name": "Alice May Patient",
        "phone": "07911 123456",
        "call_time": "  After 2pm ",
        "sites": ["liver", "bone"],
        "restaging_interval_weeks": "10",
        "hormone_receptor_status": "positive",
        "her2_status": "low",
        "pik3ca_status": "detected",
        "pd_l1_status": "negative",
        "current_treatment": "Letrozole and palbociclib",
        "date_of_birth": "1970-03-04",
        "hospital_number": " RX 123456 ",
    }
    response = client.post(_edit(alice), data)
    assert response.status_code == 302
    assert response["Location"] == _record(alice)
    profile = PatientProfile.objects.select_related("user").get(pk=alice.pk)
    assert profile.user.name == "Alice May Patient"
    assert str(profile.phone) == "+447911123456"  # E.164, whatever spelling came in
    assert profile.call_time == "After 2pm"
    assert profile.sites == ["bone", "liver"]
    assert profile.restaging_interval_weeks == 10
    assert (profile.hormone_receptor_status, profile.her2_status) == ("positive", "low")
    assert (profile.pik3ca_status, profile.pd_l1_status) == ("detected", "negative")
    assert profile.current_treatment == "Letrozole and palbociclib"
    assert profile.date_of_birth == dt.date(1970, 3, 4)
    assert profile.hospital_number == "RX 123456"

    body = client.get(response["Location"]).content.decode()
    assert "Alice&#x27;s details are saved." in body
    profile_section = body.split('id="profile-heading"')[1].split("</section>")[0]
    for text in [
        "Alice May Patient",
        "Bone, Liver",
        "Hormone receptors Positive (ER and/or PR) · HER2 Low · PIK3CA Mutation detected",
        "PD-L1 Negative",
        "Letrozole and palbociclib",
        "Every 10 weeks",
        "+447911123456",
        "best time to call: After 2pm",
        "4 Mar 1970",
        "RX 123456",
    ]:
        assert text in body, text
    assert "Not recorded" not in profile_section
    assert "Unknown" not in profile_section


def test_a_new_zone_or_interval_re_plans_the_reminders(
    people, client, alice, django_capture_on_commit_callbacks
):
    client.force_login(people.coordinator_a)
    with time_machine.travel(NOW, tick=False):
        _plan(alice)
        assert _log_nudge_clocks("Europe/London") == {"19:00"}
        assert _restaging_due_days(Status.PLANNED) == {"20260724"}  # 12 weeks after 1 May
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                _edit(alice),
                FULL_FORM | {"timezone": "America/New_York", "restaging_interval_weeks": "16"},
            )
        assert response.status_code == 302
    assert _log_nudge_clocks("America/New_York") == {"19:00"}  # moved to her new evening
    assert _restaging_due_days(Status.PLANNED) == {"20260821"}  # 16 weeks after 1 May
    assert _restaging_due_days(Status.CANCELLED) == {"20260724"}


def test_a_change_to_neither_zone_nor_interval_plans_nothing_again(
    people, client, alice, django_capture_on_commit_callbacks
):
    client.force_login(people.coordinator_a)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_edit(alice), FULL_FORM | {"current_treatment": "Fulvestrant"})
    assert response.status_code == 302
    assert not [c for c in callbacks if getattr(c, "task_name", "") == REMINDER_REPLAN]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "does not look like a phone number"),
        ({"phone": "not a number"}, "phone", "does not look like a phone number"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "not a time zone we know"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth", "after 1 January 1900"),
        ({"restaging_interval_weeks": "30"}, "restaging_interval_weeks", "less than or equal"),
        ({"sites": ["heart"]}, "sites", "Select a valid choice"),
        ({"her2_status": "maybe"}, "her2_status", "Select a valid choice"),
        ({"name": "  "}, "name", "This field is required"),
        ({"hospital_number": "RX\t1"}, "hospital_number", "on one line"),
    ],
)
def test_bad_answers_save_nothing_and_say_why(people, client, alice, changes, field, message):
    client.force_login(people.coordinator_a)
    before, audits = _stored(alice), _audit_count(alice)
    # Every other answer is a valid change, so a half-save would show.
    data = FULL_FORM | {"name": "Someone Else", "current_treatment": "Letrozole"} | changes
    response = client.post(_edit(alice), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    assert "Nothing is saved yet" in response.content.decode()
    assert _stored(alice) == before
    assert _audit_count(alice) == audits


def test_the_time_zone_search_chooses_the_first_match(people, client, alice):
    client.force_login(people.coordinator_a)
    body = client.get(_edit(alice), {"tz": "auckland"}).content.decode()
    assert '<option value="Pacific/Auckland" selected>' in body
    assert "press Save details" in body
    assert PatientProfile.objects.get(pk=alice.pk).timezone == "Europe/London"  # not saved


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator_a", 200),
        ("admin", 200),
        ("coordinator_b", 404),
        ("patient_a", 403),
        ("patient_b", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_edit_on_the_page(people, client, alice, persona, status):
    user = people.all()[persona]
    if user is not None:
        client.force_login(user)
    before = _stored(alice)
    got = client.get(_edit(alice))
    assert got.status_code == status
    posted = client.post(_edit(alice), FULL_FORM | {"current_treatment": "Fulvestrant"})
    if status == 200:
        assert posted.status_code == 302
        assert PatientProfile.objects.get(pk=alice.pk).current_treatment == "Fulvestrant"
    else:
        assert posted.status_code == status
        assert _stored(alice) == before
    if persona == "anonymous":
        assert got["Location"].startswith(reverse("login"))


def test_the_page_is_audited_and_access_logged(people, client, alice):
    client.force_login(people.coordinator_a)
    assert client.get(_edit(alice)).status_code == 200
    response = client.post(_edit(alice), FULL_FORM | {"name": "Alice B", "her2_status": "low"})
    assert response.status_code == 302
    rows = RecordAccess.objects.filter(patient=alice, viewer=people.coordinator_a)
    assert [(row.what, row.path) for row in rows.order_by("pk")] == [
        (RecordAccessKind.RECORD, _edit(alice)),
        (RecordAccessKind.RECORD, _edit(alice)),
    ]
    profile = PatientProfile.objects.get(pk=alice.pk)
    entry = LogEntry.objects.get_for_object(profile).latest("timestamp")
    assert entry.actor == people.coordinator_a
    assert entry.changes_dict["her2_status"] == ["unknown", "low"]
    name_entry = LogEntry.objects.get_for_object(profile.user).latest("timestamp")
    assert name_entry.actor == people.coordinator_a
    assert name_entry.changes_dict["name"] == ["Alice Patient", "Alice B"]


# --- PATCH /api/v1/patients/{id}/ ----------------------------------------------------------


def test_the_detail_includes_phone_and_call_time(people, api_client, alice):
    PatientProfile.objects.filter(pk=alice.pk).update(phone="+447911123456", call_time="Evenings")
    api_client.force_authenticate(people.coordinator_a)
    body = api_client.get(API.format(alice.pk)).json()
    assert body["phone"] == "+447911123456"
    assert body["call_time"] == "Evenings"
    assert body["date_of_birth"] is None
    assert body["hospital_number"] == ""


def test_patch_changes_the_details_and_returns_the_patient(people, api_client, alice):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.patch(
        API.format(alice.pk),
        {
            "name": "Alice May Patient",
            "phone": "07911 123456",
            "call_time": "Mornings",
            "sites": ["lung", "bone"],
            "her2_status": "positive",
            "hormone_receptor_status": "negative",
            "pik3ca_status": "not_detected",
            "pd_l1_status": "positive",
            "current_treatment": "Trastuzumab deruxtecan",
            "date_of_birth": "1968-11-30",
            "hospital_number": "MRN 42",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == alice.pk
    assert body["name"] == "Alice May Patient"
    assert body["phone"] == "+447911123456"
    assert body["call_time"] == "Mornings"
    assert body["sites"] == ["bone", "lung"]
    assert body["her2_status"] == "positive"
    assert body["pd_l1_status"] == "positive"
    assert body["current_treatment"] == "Trastuzumab deruxtecan"
    assert body["date_of_birth"] == "1968-11-30"
    assert body["hospital_number"] == "MRN 42"
    assert "recent_logs" in body and "flags" in body
    assert str(PatientProfile.objects.get(pk=alice.pk).phone) == "+447911123456"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "someone@example.org"}, "email"),
        ({"care_team": 1}, "care_team"),
        ({"log_reminder_time": "07:00"}, "log_reminder_time"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"restaging_interval_weeks": 2}, "restaging_interval_weeks"),
        ({"sites": ["heart"]}, "sites"),
        ({"her2_status": "maybe"}, "her2_status"),
        ({"call_time": "a\nb"}, "call_time"),
        ({"name": ""}, "name"),
    ],
)
def test_patch_refuses_bad_input_and_saves_nothing(people, api_client, alice, body, field):
    api_client.force_authenticate(people.coordinator_a)
    before, audits = _stored(alice), _audit_count(alice)
    # A valid change beside the bad one: a half-save would show.
    payload = {"current_treatment": "Letrozole", "name": "Someone Else"} | body
    response = api_client.patch(API.format(alice.pk), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _stored(alice) == before
    assert _audit_count(alice) == audits


def test_patch_says_what_is_wrong_with_a_phone_number(people, api_client, alice):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.patch(API.format(alice.pk), {"phone": "12345"}, format="json")
    assert response.status_code == 400
    assert "07911 123456" in response.json()["phone"][0]  # how to write it


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator_a", 200),
        ("admin", 200),
        ("coordinator_b", 404),
        ("patient_a", 403),
        ("patient_b", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_patch(people, api_client, alice, persona, status):
    user = people.all()[persona]
    if user is not None:
        api_client.force_authenticate(user)
    before = _stored(alice)
    response = api_client.patch(API.format(alice.pk), {"her2_status": "low"}, format="json")
    assert response.status_code == status
    if status == 200:
        assert PatientProfile.objects.get(pk=alice.pk).her2_status == "low"
    else:
        assert _stored(alice) == before
        assert "Alice" not in response.content.decode()


def test_patch_of_an_unknown_patient_is_404_before_the_body_is_read(people, api_client):
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.patch(API.format(987654), {"email": "x"}, format="json")
    assert response.status_code == 404


def test_put_is_not_offered(people, api_client, alice):
    api_client.force_authenticate(people.coordinator_a)
    assert api_client.put(API.format(alice.pk), {}, format="json").status_code == 405


def test_patch_re_plans_the_reminders_when_zone_or_interval_change(
    people, api_client, alice, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(people.coordinator_a)
    with time_machine.travel(NOW, tick=False):
        _plan(alice)
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.patch(
                API.format(alice.pk), {"timezone": "Asia/Kolkata"}, format="json"
            )
        assert response.status_code == 200, response.content
        assert _log_nudge_clocks("Asia/Kolkata") == {"19:00"}
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.patch(
                API.format(alice.pk), {"restaging_interval_weeks": 8}, format="json"
            )
        assert response.status_code == 200, response.content
    assert response.json()["restaging_interval_weeks"] == 8
    assert _restaging_due_days(Status.PLANNED) == {"20260626"}  # 8 weeks after 1 May
    assert "20260724" in _restaging_due_days(Status.CANCELLED)


def test_patch_is_audited_and_access_logged(people, api_client, alice):
    token = credentials.api_token_issue(user=people.coordinator_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.patch(API.format(alice.pk), {"pd_l1_status": "positive"}, format="json")
    assert response.status_code == 200
    row = RecordAccess.objects.get(patient=alice)
    assert (row.viewer, row.what, row.path) == (
        people.coordinator_a,
        RecordAccessKind.RECORD,
        API.format(alice.pk),
    )
    entry = LogEntry.objects.get_for_object(PatientProfile.objects.get(pk=alice.pk)).latest(
        "timestamp"
    )
    assert entry.actor == people.coordinator_a
    assert entry.changes_dict["pd_l1_status"] == ["unknown", "positive"]

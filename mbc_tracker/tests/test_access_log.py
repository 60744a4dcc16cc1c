"""The record access log: append-only in the database, read-only in admin, admin's own looks at
patients' records, the patient's "Who has looked at your record", and django-auditlog for
changes. The pages and API of other apps are tested beside them (test_access_log.py there)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import credentials
from accounts.models import PatientProfile, RecordAccess, RecordAccessKind, User
from accounts.selectors import record_viewers
from accounts.services import record_access
from accounts.tests.access_log_helpers import REQUEST_ID, assert_rows, new_rows
from appointments.models import Appointment
from appointments.tests.appointment_factories import book
from flags import services as flags
from flags.models import Flag
from flags.tests.flag_helpers import NOW as FLAG_NOW
from flags.tests.flag_helpers import day
from symptoms.tests.factories import log_day, log_days_back

pytestmark = pytest.mark.django_db


def _row(people, **fields: object) -> RecordAccess:
    values = {
        "viewer": people.coordinator_a,
        "viewer_name": "Ann Nurse",
        "viewer_email": people.coordinator_a.email,
        "viewer_role": "coordinator",
        "patient": people.patient_a,
        "what": RecordAccessKind.RECORD,
        "path": "/patients/1/",
        "request_id": "abc",
        "ip_address": "127.0.0.1",
        **fields,
    }
    return RecordAccess.objects.create(**values)


def _text(response) -> str:
    """The page's visible words, roughly: tags dropped, spaces squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# --- The service --------------------------------------------------------------------------------


def _request(user: User, path: str = "/somewhere/?page=2"):
    request = RequestFactory().get(path, REMOTE_ADDR="127.0.0.1")
    request.user = user
    return request


def test_one_row_per_distinct_patient_in_one_statement(people, django_assert_num_queries) -> None:
    patients = [people.patient_a.pk, people.patient_b.pk, people.patient_a.pk]
    with new_rows() as rows, django_assert_num_queries(1):
        written = record_access(
            request=_request(people.admin), patient_ids=patients, what=RecordAccessKind.PANEL
        )
    assert written == 2
    assert [row.patient_id for row in rows] == sorted({people.patient_a.pk, people.patient_b.pk})
    assert {row.path for row in rows} == {"/somewhere/?page=2"}


@pytest.mark.parametrize("persona", ["patient_a", "patient_b"])
def test_patients_write_nothing(people, persona, django_assert_num_queries) -> None:
    user = people.all()[persona]
    with new_rows() as rows, django_assert_num_queries(0):
        record_access(request=_request(user), patient_ids=[user.pk], what=RecordAccessKind.RECORD)
    assert rows == []


def test_staff_seeing_nobody_write_nothing(people) -> None:
    with new_rows() as rows:
        record_access(
            request=_request(people.coordinator_a), patient_ids=[], what=RecordAccessKind.PANEL
        )
    assert rows == []


# --- Append-only --------------------------------------------------------------------------------


def test_rows_cannot_be_changed_through_a_queryset(people) -> None:
    row = _row(people)
    with pytest.raises(DatabaseError), transaction.atomic():
        RecordAccess.objects.filter(pk=row.pk).update(what=RecordAccessKind.FLAGS)
    row.refresh_from_db()
    assert row.what == RecordAccessKind.RECORD


def test_rows_cannot_be_changed_by_saving(people) -> None:
    row = _row(people)
    row.viewer_name = "Somebody else"
    with pytest.raises(DatabaseError), transaction.atomic():
        row.save()
    row.refresh_from_db()
    assert row.viewer_name == "Ann Nurse"


def test_rows_cannot_be_deleted(people) -> None:
    row = _row(people)
    with pytest.raises(DatabaseError), transaction.atomic():
        RecordAccess.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        RecordAccess.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        row.delete()
    assert RecordAccess.objects.filter(pk=row.pk).exists()


# --- Admin: the log itself, read-only -----------------------------------------------------------


def test_admin_browses_the_log(people, client) -> None:
    row = _row(people, path="/patients/42/timeline/")
    other = _row(people, patient=people.patient_b, path="/patients/43/")
    client.force_login(people.admin)
    response = client.get(reverse("admin:accounts_recordaccess_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert row.path in body and other.path in body
    assert "delete_selected" not in body
    assert response.context["action_form"] is None
    found = client.get(
        reverse("admin:accounts_recordaccess_changelist"), {"q": people.patient_b.email}
    )
    assert other.path in found.content.decode()
    assert row.path not in found.content.decode()
    filtered = client.get(reverse("admin:accounts_recordaccess_changelist"), {"what": "flags"})
    assert filtered.status_code == 200
    assert row.path not in filtered.content.decode()
    detail = client.get(reverse("admin:accounts_recordaccess_change", args=[row.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_admin_has_no_actions_on_the_log(people, rf) -> None:
    request = rf.get("/")
    request.user = people.admin
    model_admin = admin.site._registry[RecordAccess]
    assert model_admin.get_actions(request) == {}
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_admin_cannot_add_change_or_delete_rows(people, client) -> None:
    row = _row(people)
    client.force_login(people.admin)
    assert client.get(reverse("admin:accounts_recordaccess_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:accounts_recordaccess_add"),
            {"viewer_name": "x", "what": "record", "path": "/"},
        ).status_code
        == 403
    )
    change = reverse("admin:accounts_recordaccess_change", args=[row.pk])
    response = client.post(
        change,
        {
            "viewer_name": "Changed",
            "what": "flags",
            "path": "/changed/",
            "request_id": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 403
    delete = reverse("admin:accounts_recordaccess_delete", args=[row.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:accounts_recordaccess_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 400)
    stored = RecordAccess.objects.get(pk=row.pk)
    assert (stored.viewer_label, stored.what, stored.path) == (
        row.viewer_label,
        RecordAccessKind.RECORD,
        row.path,
    )


@pytest.mark.parametrize(
    "persona", ["patient_a", "patient_b", "coordinator_a", "coordinator_b", "anonymous"]
)
def test_only_admins_reach_the_log(people, client, persona) -> None:
    row = _row(people)
    user = people.all()[persona]
    if user is not None:
        client.force_login(user)
    for url in (
        reverse("admin:accounts_recordaccess_changelist"),
        reverse("admin:accounts_recordaccess_change", args=[row.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


# --- Admin: looking at a patient's record is noted ----------------------------------------------


def _admin_change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def _patient_things(people) -> dict[str, object]:
    patient = people.patient_a
    flag_patient = people.patient_b
    log_day(flag_patient, day(0), {"seizure": True}, now=FLAG_NOW)
    flags.evaluate_patient(patient=flag_patient, now=FLAG_NOW)
    return {
        "profile": (patient.patient_profile, patient),
        "user": (patient, patient),
        "daily_log": (log_days_back(patient, 0, {"bone_pain": 4}), patient),
        "flag": (Flag.objects.filter(patient=flag_patient).first(), flag_patient),
        "appointment": (book(patient), patient),
    }


@pytest.mark.parametrize("thing", ["profile", "user", "daily_log", "flag", "appointment"])
def test_admin_opening_a_patients_record_writes_one_row(people, client, thing) -> None:
    obj, patient = _patient_things(people)[thing]
    client.force_login(people.admin)
    url = _admin_change_url(obj)
    with new_rows() as rows:
        response = client.get(url, headers={"X-Request-ID": REQUEST_ID})
    assert response.status_code == 200
    assert_rows(rows, viewer=people.admin, patients=[patient], what="admin", path=url)
    assert rows[0].request_id == REQUEST_ID


def test_staff_user_pages_and_team_lists_write_nothing(people, client) -> None:
    client.force_login(people.admin)
    with new_rows() as rows:
        assert client.get(_admin_change_url(people.coordinator_a)).status_code == 200
        assert client.get(reverse("admin:accounts_careteam_changelist")).status_code == 200
    assert rows == []


def test_saving_a_patient_in_admin_is_audited_not_logged_as_a_look(people, client) -> None:
    profile = people.patient_a.patient_profile
    client.force_login(people.admin)
    with new_rows() as rows:
        response = client.post(
            _admin_change_url(profile),
            {
                "preferred_name": "Ally",
                "care_team": profile.care_team_id,
                "sites": ["bone", "liver"],
                "timezone": profile.timezone,
                "log_reminder_time": "19:00",
                "restaging_interval_weeks": "12",
                "enrolled_on": profile.enrolled_on.isoformat(),
                "hormone_receptor_status": "positive",
                "her2_status": "low",
                "pik3ca_status": "unknown",
                "pd_l1_status": "unknown",
                "current_treatment": "",
                "_save": "Save",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert rows == []
    entry = LogEntry.objects.get_for_object(profile).latest("timestamp")
    assert entry.actor == people.admin
    assert entry.action == LogEntry.Action.UPDATE
    assert "sites" in entry.changes_dict and "preferred_name" in entry.changes_dict


# --- The patient's settings page ----------------------------------------------------------------


def _look(client, user: User, url: str, at: dt.datetime) -> None:
    with time_machine.travel(at, tick=False):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_patient_sees_who_looked_at_their_record_in_their_time(people, client) -> None:
    coordinator = people.coordinator_a
    coordinator.name = "Ann Nurse"
    coordinator.save(update_fields=["name"])
    PatientProfile.objects.filter(pk=people.patient_a.pk).update(timezone="Asia/Tokyo")
    appointment_a = book(people.patient_a, starts_at=dt.datetime(2026, 12, 20, 1, tzinfo=dt.UTC))
    appointment_b = book(people.patient_b, starts_at=dt.datetime(2026, 12, 20, 1, tzinfo=dt.UTC))
    detail = reverse("appointment_detail", args=[appointment_a.pk])
    for at in (
        dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 5, 3, tzinfo=dt.UTC),  # 14:03 in Tokyo
    ):
        _look(client, coordinator, detail, at)
    _look(
        client,
        people.coordinator_b,
        reverse("appointment_detail", args=[appointment_b.pk]),
        dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
    )

    with time_machine.travel(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(people.patient_a)
        response = client.get(reverse("settings"))
    assert response.status_code == 200
    text = _text(response)
    assert "Who has looked at your record" in text
    assert (
        "Ann Nurse (care coordinator) — Looked at your appointments — 3 times, last on Monday "
        "30 November at 14:03"
    ) in text
    assert coordinator.email not in text
    assert people.coordinator_b.get_full_name() not in text  # patient B's viewer, never A's
    body = response.content.decode()
    section = body[body.index('id="record-viewers"') :]
    assert section.index("<h2") < section.index("<ul>") < section.index("<li>")

    with time_machine.travel(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(people.patient_b)
        text_b = _text(client.get(reverse("settings")))
    assert people.coordinator_b.get_full_name() in text_b
    assert "Ann Nurse" not in text_b


def test_patient_with_no_looks_is_told_so(people, client) -> None:
    _row(people, patient=people.patient_b)  # someone else's record
    _row(people, at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))  # long ago
    client.force_login(people.patient_a)
    text = _text(client.get(reverse("settings")))
    assert "Who has looked at your record" in text
    assert "Nobody from your care team has looked at your record in the last 90 days." in text
    assert "Ann Nurse" not in text


def test_one_look_reads_once(people, client) -> None:
    _row(people, what=RecordAccessKind.FLAGS)
    client.force_login(people.patient_a)
    text = _text(client.get(reverse("settings")))
    assert "Ann Nurse (care coordinator) — Looked at your flags — once, today at" in text


@pytest.mark.parametrize("persona", ["coordinator_a", "admin"])
def test_staff_settings_page_has_no_such_section(people, client, persona) -> None:
    user = people.all()[persona]
    _row(people, viewer=user)
    client.force_login(user)
    response = client.get(reverse("settings"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Who has looked at your record" not in body
    assert "record-viewers" not in body


@pytest.mark.parametrize(
    ("name", "email", "role", "label", "words"),
    [
        (
            "Ann Nurse",
            "ann@example.org",
            "coordinator",
            "Ann Nurse <ann@example.org> (Care coordinator)",
            "Ann Nurse (care coordinator)",
        ),
        (
            "",
            "root@example.org",
            "admin",
            "root@example.org <root@example.org> (Administrator)",
            "root@example.org (administrator)",
        ),
    ],
)
def test_viewer_as_staff_and_as_the_patient_read_it(people, name, email, role, label, words):
    row = _row(people, viewer_name=name, viewer_email=email, viewer_role=role)
    assert row.viewer_label == label
    [viewer] = record_viewers(patient_id=people.patient_a.pk)
    assert viewer.who == words


# --- django-auditlog ----------------------------------------------------------------------------


def test_patients_own_settings_changes_are_audited_with_them_as_actor(people, client) -> None:
    client.force_login(people.patient_a)
    response = client.post(
        reverse("settings"),
        {
            "name": "Alice P",
            "preferred_name": "Ally",
            "sites": ["bone", "lung"],
            "timezone": "Europe/London",
            "log_reminder_time": "18:15",
        },
    )
    assert response.status_code == 302
    profile_entry = LogEntry.objects.get_for_object(people.patient_a.patient_profile).latest(
        "timestamp"
    )
    assert profile_entry.actor == people.patient_a
    assert profile_entry.changes_dict["preferred_name"] == ["", "Ally"]
    user_entry = LogEntry.objects.get_for_object(people.patient_a).latest("timestamp")
    assert user_entry.actor == people.patient_a
    assert "name" in user_entry.changes_dict
    assert "password" not in user_entry.changes_dict


def test_user_passwords_and_logins_are_not_audited(people) -> None:
    user = people.patient_a
    before = LogEntry.objects.get_for_object(user).count()
    user.set_password("another long passphrase")
    user.last_login = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    user.save()
    assert LogEntry.objects.get_for_object(user).count() == before


def test_care_team_membership_is_audited(people) -> None:
    people.team_a.coordinators.add(people.coordinator_b)
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(people.team_a),
        object_pk=str(people.team_a.pk),
    )
    assert any("coordinators" in entry.changes_dict for entry in entries)


@pytest.mark.parametrize(
    ("changelist", "patients"),
    [
        ("admin:accounts_patientprofile_changelist", ["patient_a", "patient_b"]),
        ("admin:accounts_user_changelist", ["patient_a", "patient_b"]),  # staff rows: nobody's
        ("admin:flags_flag_changelist", ["patient_a"]),
    ],
)
def test_admin_lists_write_one_row_per_patient_shown(people, client, changelist, patients):
    Flag.objects.create(
        patient=people.patient_a,
        rule="severe",
        level="soon",
        subject="back_pain",
        title="Severe back pain",
        explanation="x",
        advice="y",
        opened_at=FLAG_NOW,
    )
    client.force_login(people.admin)
    url = reverse(changelist)
    with new_rows() as rows:
        assert client.get(url).status_code == 200
    expected = [people.all()[persona] for persona in patients]
    assert_rows(rows, viewer=people.admin, patients=expected, what="admin", path=url)


def test_api_changes_are_audited_with_the_token_user_as_actor(people, api_client) -> None:
    """Token authentication happens inside the view; the actor is still the caller."""
    soon = (timezone.now() + dt.timedelta(days=10)).replace(microsecond=0)
    appointment = book(people.patient_a, location="Riverside", starts_at=soon, now=timezone.now())
    token = credentials.api_token_issue(user=people.coordinator_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.patch(
        f"/api/v1/appointments/{appointment.pk}/", {"location": "Hill Wing"}, format="json"
    )
    assert response.status_code == 200, response.content
    entry = LogEntry.objects.get_for_object(appointment).order_by("-timestamp").first()
    assert entry.actor == people.coordinator_a
    assert "Hill Wing" in str(entry.changes)
    # Cancelling is audited too (a saved change, not a silent update), with its actor.
    assert api_client.post(f"/api/v1/appointments/{appointment.pk}/cancel/").status_code == 200
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"
    entry = LogEntry.objects.get_for_object(appointment).order_by("-timestamp").first()
    assert entry.actor == people.coordinator_a
    assert "cancelled" in str(entry.changes)

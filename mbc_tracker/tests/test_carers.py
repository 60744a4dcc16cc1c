"""A carer uses their patient's own pages and API, as far as the rights the patient gave go: who
entered each log, the urgent advice, the access log, their own home and settings, and a
revocation that works on the very next request. (Which URL answers whom: the permission matrix.)
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import CarerLink, RecordAccess, RecordAccessKind
from accounts.tests.factories import make_carer
from care.presenters import _timeline
from flags import services as flags
from flags.tests.flag_helpers import NOW, day, live
from notifications.models import Channel, Notification
from symptoms.models import DailyLog
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

LOG = reverse("log")
API_LOGS = "/api/v1/logs/"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def bob(people):
    """Alice's carer, with every right."""
    return make_carer(people.patient_a, email="bob@example.org", name="Bob Carer")


def revoke(carer) -> None:
    CarerLink.objects.filter(carer=carer).update(revoked_at=timezone.now())


def today(people) -> dt.date:
    return people.patient_a.patient_profile.local_today()


# --- Entered by -----------------------------------------------------------------------------


def test_a_carer_logs_through_the_web_and_the_log_says_who(people, client, bob):
    client.force_login(bob)
    data = {"chosen": ["bone_pain"], "bone_pain": "5", "fever": "", "notes": "", "q": ""}
    assert client.post(LOG, data).status_code == 302
    log = DailyLog.objects.get(patient=people.patient_a, date=today(people))
    assert log.entered_by == bob
    assert not DailyLog.objects.filter(patient=bob).exists()
    # Bob sees he entered it; Alice sees her carer did, and when, in her time.
    assert "You entered this at 10:00." in client.get(LOG).content.decode()
    client.force_login(people.patient_a)
    page = client.get(LOG).content.decode()
    assert "Entered by Bob, your carer, at 10:00." in page
    history = client.get(reverse("history")).content.decode()
    assert "Entered by Bob, your carer:" in history


def test_the_patients_own_save_takes_the_log_back(people, client, bob):
    client.force_login(bob)
    client.post(reverse("log_usual", args=[today(people)]))
    assert DailyLog.objects.get(patient=people.patient_a).entered_by == bob
    client.force_login(people.patient_a)
    data = {"chosen": ["fatigue"], "fatigue": "2", "fever": "", "notes": "", "q": ""}
    client.post(LOG, data)
    log = DailyLog.objects.get(patient=people.patient_a)  # replaced by the hand-written upsert
    assert log.entered_by == people.patient_a
    assert "Entered by" not in client.get(LOG).content.decode()


def test_a_carer_logs_through_the_api_and_the_log_says_who(people, api_client, bob):
    api_client.force_authenticate(bob)
    body = {"date": str(today(people)), "entries": [{"symptom": "seizure", "present": True}]}
    response = api_client.post(API_LOGS, body, format="json")
    assert response.status_code == 201, response.json()
    shown = response.json()
    assert shown["entered_by"] == {"id": bob.pk, "name": "Bob Carer", "role": "carer"}
    # The urgent advice of the save comes back to the carer, as it would to the patient.
    assert [flag["level"] for flag in shown["flags"]] == ["urgent"]
    assert DailyLog.objects.get(patient=people.patient_a).entered_by == bob
    # The patient reads the same log, and who entered it.
    api_client.force_authenticate(people.patient_a)
    (listed,) = api_client.get(API_LOGS).json()["results"]
    assert listed["entered_by"]["role"] == "carer"
    # The patient's own save over it: entered_by is null again (their own log).
    response = api_client.post(API_LOGS, {**body, "entries": []}, format="json")
    assert response.status_code == 200 and response.json()["entered_by"] is None


def test_the_care_record_timeline_names_the_carer(people, bob):
    log, _ = log_day(people.patient_a, day(0), {"bone_pain": 5}, now=NOW), None
    DailyLog.objects.filter(pk=log.pk).update(entered_by=bob)
    logs = list(DailyLog.objects.filter(pk=log.pk).select_related("entered_by"))
    (timeline_day,) = _timeline(logs, day(0))
    assert timeline_day.entered_by == "Bob Carer (carer)"


def test_a_record_only_carer_cannot_log(people, client, api_client):
    looker = make_carer(people.patient_a, rights=("record",))
    client.force_login(looker)
    assert client.get(LOG).url == reverse("home")
    api_client.force_authenticate(looker)
    body = {"date": str(today(people)), "entries": []}
    assert api_client.post(API_LOGS, body, format="json").status_code == 403
    assert api_client.get(API_LOGS).status_code == 200  # reading, with the record right
    assert not DailyLog.objects.exists()


# --- Revocation: at once ------------------------------------------------------------------------


def test_revocation_works_on_the_very_next_web_request(people, client, bob):
    client.force_login(bob)
    assert client.get(reverse("history")).status_code == 200
    revoke(bob)
    response = client.get(reverse("history"))
    assert response.status_code == 302 and response.url == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "Your access has ended" in home
    assert "Alice" not in home


def test_revocation_works_on_the_very_next_token_request(people, client, bob):
    token = client.post(
        "/api/v1/auth/token/",
        {"email": "bob@example.org", "password": "correct horse battery staple"},
        content_type="application/json",
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get(API_LOGS, **auth).status_code == 200
    revoke(bob)
    assert client.get(API_LOGS, **auth).status_code == 403
    me = client.get("/api/v1/me/", **auth).json()
    assert (me["role"], me["patient"], me["caring_for"]) == ("carer", None, None)


# --- Who am I -----------------------------------------------------------------------------------


def test_me_says_whom_a_carer_helps_and_with_what(people, api_client):
    limited = make_carer(people.patient_a, rights=("log", "appointments"))
    api_client.force_authenticate(limited)
    body = api_client.get("/api/v1/me/").json()
    assert body["role"] == "carer" and body["patient"] is None
    assert body["caring_for"] == {
        "id": people.patient_a.pk,
        "name": "Alice Patient",
        "rights": ["log", "appointments"],
    }


def test_another_patients_things_are_not_found_for_a_carer(people, api_client, bob):
    bellas = log_day(people.patient_b, day(-1), {"fatigue": 3}, now=NOW)
    api_client.force_authenticate(bob)
    assert api_client.get(f"{API_LOGS}{bellas.date}/").status_code == 404
    assert api_client.get(f"/api/v1/flags/?patient={people.patient_b.pk}").status_code == 404
    assert api_client.get("/api/v1/patients/").status_code == 403  # not for the role


# --- Pages: the header, the navigation, home and settings ---------------------------------------


def test_every_page_says_whom_the_carer_helps_and_shows_only_their_rights(people, client):
    logger = make_carer(people.patient_a, rights=("log",))
    client.force_login(logger)
    page = client.get(reverse("home")).content.decode()
    assert "You are helping Alice" in page
    nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
    assert reverse("log") in nav
    assert reverse("history") not in nav and reverse("appointment_list") not in nav


def test_settings_show_the_carer_only_their_own_account(people, client, bob):
    client.force_login(bob)
    page = client.get(reverse("settings")).content.decode()
    assert "Change your password" in page and "Sign out on all your devices" in page
    for patients_part in ("Who has looked at your record", "calendar-address", "record-export"):
        assert patients_part not in page
    assert "Alice" in page  # only in the header: "You are helping Alice"
    assert page.count("Alice") == 1


def test_the_carers_home_shows_today_the_ways_in_and_the_latest_urgent_advice(people, client, bob):
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    client.force_login(bob)
    page = client.get(reverse("home")).content.decode()
    assert "You are helping Alice" in page
    assert "Today is saved" in page
    assert "The latest urgent advice" in page
    assert 'class="urgent-banner' in page  # the same banner as the patient's, with the numbers
    for name in ("log", "history", "raise_with_team", "appointment_list"):
        assert reverse(name) in page


def test_an_appointments_only_carer_sees_no_advice_banner(people, client):
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    diary = make_carer(people.patient_a, rights=("appointments",))
    client.force_login(diary)
    page = client.get(reverse("appointment_list")).content.decode()
    assert 'class="urgent-banner' not in page


def test_a_record_only_carer_sees_advice_but_cannot_answer_it(people, client):
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    looker = make_carer(people.patient_a, rights=("record",))
    client.force_login(looker)
    page = client.get(reverse("history")).content.decode()
    assert 'class="urgent-banner' in page and 'class="urgent-answer"' not in page


def test_a_carer_who_logs_may_answer_urgent_advice_for_the_patient(people, client, bob):
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    (flag,) = live(people.patient_a, "red_flag")
    client.force_login(bob)
    client.post(reverse("flag_respond", args=[flag.pk]), {"response": "called_team", "next": "/"})
    flag.refresh_from_db()
    assert flag.patient_response == "called_team"


# --- Urgent advice reaches the carer ------------------------------------------------------------


def test_urgent_advice_reaches_each_active_carer_once_in_their_language(people, monkeypatch, bob):
    make_carer(people.patient_a, rights=("log",), email="logger@example.org")
    make_carer(people.patient_a, rights=("appointments",), email="diary@example.org")
    make_carer(people.patient_a, revoked=True, email="gone@example.org")
    make_carer(people.patient_b, email="bellas@example.org")
    languages = []
    from flags.services import alerts

    real = alerts.in_language_of

    def spy(person):
        languages.append(person.email)
        return real(person)

    monkeypatch.setattr(alerts, "in_language_of", spy)
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW + dt.timedelta(minutes=5))
    (flag,) = live(people.patient_a, "red_flag")
    rows = Notification.objects.filter(key__contains=":carer:")
    reached = {row.recipient.email for row in rows}
    assert reached == {"bob@example.org", "logger@example.org"}  # not the diary, the revoked
    assert {row.key for row in rows} == {
        f"flag:{flag.pk}:carer:{bob.pk}",
        f"flag:{flag.pk}:carer:{CarerLink.objects.get(carer__email='logger@example.org').carer_id}",
    }
    in_app = rows.filter(recipient=bob, channel=Channel.IN_APP).get()  # exactly once
    assert rows.filter(recipient=bob, channel=Channel.EMAIL).count() == 1
    assert in_app.title == "Urgent advice for the person you help"
    assert "seizure" not in (in_app.title + in_app.body).lower()  # lock-screen safe
    assert "24-hour line" in in_app.body and in_app.link == "/"
    assert set(languages) >= {"bob@example.org", "logger@example.org"}


def test_a_revoked_carer_gets_no_urgent_advice(people, bob):
    revoke(bob)
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    assert not Notification.objects.filter(recipient=bob).exists()


def test_the_carers_message_centre_is_their_own(people, client, bob):
    log_day(people.patient_a, day(0), {"seizure": True}, now=NOW)
    flags.evaluate_patient(patient=people.patient_a, now=NOW)
    client.force_login(bob)
    page = client.get(reverse("notification_list")).content.decode()
    assert "Urgent advice for the person you help" in page
    assert "Has your care team called you?" not in page  # the patient's own, never shown


# --- The access log -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "kind"),
    [
        ("log", RecordAccessKind.LOG),
        ("history", RecordAccessKind.HISTORY),
        ("raise_with_team", RecordAccessKind.FLAGS),
        ("visit_summary", RecordAccessKind.FLAGS),
        ("appointment_list", RecordAccessKind.APPOINTMENTS),
    ],
)
def test_each_carer_look_is_noted_and_the_patients_own_are_not(people, client, bob, url_name, kind):
    client.force_login(people.patient_a)
    assert client.get(reverse(url_name)).status_code == 200
    assert not RecordAccess.objects.exists()
    client.force_login(bob)
    client.get(reverse(url_name))
    client.get(reverse(url_name))  # every look, not once an hour
    rows = RecordAccess.objects.filter(viewer=bob)
    assert rows.count() == 2
    assert {(row.patient_id, row.viewer_role, row.what) for row in rows} == {
        (people.patient_a.pk, "carer", kind)
    }


def test_api_looks_are_noted_too(people, api_client, bob):
    api_client.force_authenticate(bob)
    api_client.get(API_LOGS)
    api_client.get("/api/v1/flags/")
    kinds = set(RecordAccess.objects.filter(viewer=bob).values_list("what", flat=True))
    assert kinds == {RecordAccessKind.LOG, RecordAccessKind.FLAGS}


def test_the_patient_reads_the_carers_looks_in_their_own_words(people, client, bob):
    client.force_login(bob)
    client.get(reverse("history"))
    client.force_login(people.patient_a)
    page = client.get(reverse("settings")).content.decode()
    assert "Bob Carer (your carer)" in page
    assert "Looked at your symptom history" in page

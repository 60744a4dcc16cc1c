"""The nurse's call from the care pages (CLINICAL.md, "The urgent loop"): the one-tap call link
beside urgent flags on the panel and the record, and call attempts recorded from the record (a
plain form, POST then redirect), listed under the flag and in the timeline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import RecordAccess
from accounts.tests.factories import make_patient
from care.tests.test_flag_messages_cancelled import ASKED, STILL_WAITING, coming_up, urgent_flag
from flags import services
from flags.models import FlagContact, FlagStatus
from flags.selectors import flag_staff_title
from flags.tests.factories import FlagFactory
from notifications.models import Notification, Status

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def record(client: Client, patient) -> str:
    response = client.get(reverse("care:record", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def flag_block(page: str, flag) -> str:
    """The record's item for one flag."""
    rest = page.split(f'id="flag-{flag.pk}"', 1)[1]
    return re.split(r'class="flag-item|</section>', rest, maxsplit=1)[0]


def contact_url(flag) -> str:
    return reverse("care:flag_contact", args=[flag.patient_id, flag.pk])


@pytest.fixture
def kolkata(people):
    """Alice, in India, with a number and a best time to call, and an urgent flag."""
    profile = people.patient_a.patient_profile
    profile.timezone = "Asia/Kolkata"
    profile.phone = "+919876543210"
    profile.call_time = "after 2pm"
    profile.save()
    return FlagFactory(patient=people.patient_a, rule="red_flag", title="Possible seizure")


# --- The call link ---------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 12, 2, 8, 35, tzinfo=dt.UTC), tick=False)
def test_call_link_on_the_panel_beside_urgent_flags_only(people, kolkata):
    FlagFactory(patient=people.patient_a, rule="severe")
    quiet = FlagFactory(
        patient=make_patient(name="Sam Soon", care_team=people.team_a, phone="+447911123456"),
        rule="severe",
    )
    page = signed_in(people.coordinator_a).get(reverse("care:panel")).content.decode()
    alice = page.split(f'data-patient="{people.patient_a.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'href="tel:+919876543210"' in alice
    assert "Call +91 98765 43210" in alice
    assert "Local time 14:05 (Asia/Kolkata)" in alice  # 08:35 UTC is 14:05 in Kolkata
    assert "best time to call: after 2pm" in alice
    sam = page.split(f'data-patient="{quiet.patient_id}"', 1)[1].split("</tr>", 1)[0]
    assert "tel:" not in sam  # a soon flag has no call link


@time_machine.travel(dt.datetime(2026, 12, 2, 8, 35, tzinfo=dt.UTC), tick=False)
def test_call_link_on_the_record_beside_the_urgent_flag(people, kolkata):
    severe = FlagFactory(patient=people.patient_a, rule="severe", title="Severe back pain")
    page = record(signed_in(people.coordinator_a), people.patient_a)
    seizure = flag_block(page, kolkata)
    assert 'href="tel:+919876543210"' in seizure
    assert "Local time 14:05 (Asia/Kolkata) · best time to call: after 2pm" in seizure
    assert "tel:" not in flag_block(page, severe)
    # The profile gives the number too.
    assert page.count('href="tel:+919876543210"') == 2


def test_no_phone_says_so_and_points_to_where_to_add_it(people):
    FlagFactory(patient=people.patient_a, rule="red_flag")
    client = signed_in(people.coordinator_a)
    profile_link = reverse("care:patient_edit", args=[people.patient_a.pk]) + "#id_phone"
    panel = client.get(reverse("care:panel")).content.decode()
    page = record(client, people.patient_a)
    for body in (panel, page):
        assert "No phone number recorded." in body
        assert f'href="{profile_link}"' in body
        assert "call-button" not in body


def test_the_panel_query_count_stays_the_same_with_call_links(people, django_assert_num_queries):
    """Session, user, the session's two-step device, the profiles, their live flags, the
    access-log lock and insert, the teams."""
    client = signed_in(people.coordinator_a)
    with django_assert_num_queries(8):
        client.get(reverse("care:panel"))
    for number in range(20):
        patient = make_patient(care_team=people.team_a, phone="+447911123456", call_time="mornings")
        FlagFactory(patient=patient, rule="red_flag", title=f"Urgent {number}")
    client.get(reverse("care:panel"))  # the staff titles read the symptom catalogue, cached
    with django_assert_num_queries(8):
        body = client.get(reverse("care:panel")).content.decode()
    assert body.count('href="tel:+447911123456"') == 20


# --- Recording calls from the record ---------------------------------------------------------


def test_record_a_call_without_javascript(people, kolkata):
    client = signed_in(people.coordinator_a)
    page = record(client, people.patient_a)
    form = page.split(f'action="{contact_url(kolkata)}"', 1)[1].split("</form>", 1)[0]
    assert set(re.findall(r'name="outcome" value="(\w+)"', form)) == {
        "reached",
        "no_answer",
        "left_message",
        "sent_to_emergency",
        "advised",
    }
    assert "Record the call" in form and 'name="note"' in form
    response = client.post(contact_url(kolkata), {"outcome": "no_answer", "note": ""})
    assert response.status_code == 302
    assert response.url.endswith(f"#flag-{kolkata.pk}")
    kolkata.refresh_from_db()
    assert kolkata.status == FlagStatus.ACKNOWLEDGED
    assert kolkata.acknowledged_by == people.coordinator_a
    page = client.get(response.url).content.decode()
    title = flag_staff_title(kolkata.rule, kolkata.subject)
    assert f"Call about {title} for Alice Patient recorded: no answer." in page
    assert "Calls about this flag" in page


def test_attempts_show_under_the_flag_beside_the_patients_answer(people, kolkata):
    services.flag_respond(flag=kolkata, by=people.patient_a, response="called_team")
    client = signed_in(people.coordinator_a)
    client.post(contact_url(kolkata), {"outcome": "no_answer"})
    client.post(contact_url(kolkata), {"outcome": "reached", "note": "Going to A&E with her son"})
    page = record(client, people.patient_a)
    flag_html = flag_block(page, kolkata)
    assert "answered “I have called my care team”" in flag_html
    calls = flag_html.split("Calls about this flag", 1)[1]
    assert calls.index("No answer") < calls.index("Reached the patient")
    assert "Going to A&amp;E with her son" in calls
    assert people.coordinator_a.get_full_name() in calls
    # ...and in the timeline, on the day they were made.
    timeline = page.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    title = flag_staff_title(kolkata.rule, kolkata.subject)
    assert f"Call about {title}: No answer" in timeline
    assert f"Call about {title}: Reached the patient" in timeline
    assert "No log this day." in timeline


def test_form_errors_are_shown_kindly_and_nothing_is_saved(people, kolkata):
    client = signed_in(people.coordinator_a)
    title = flag_staff_title(kolkata.rule, kolkata.subject)  # staff words, not the patient's
    response = client.post(contact_url(kolkata), {"note": "Rang"}, follow=True)
    assert f"{title}: Please choose how the call went." in response.content.decode()
    response = client.post(contact_url(kolkata), {"outcome": "phoned"}, follow=True)
    assert f"{title}: Select a valid choice" in response.content.decode()
    assert not FlagContact.objects.exists()
    kolkata.refresh_from_db()
    assert kolkata.status == FlagStatus.OPEN


def test_a_resolved_flag_refuses_a_call_on_the_record(people, kolkata):
    services.flag_resolve(flag=kolkata, by=people.coordinator_a, note="Seen")
    response = signed_in(people.coordinator_a).post(
        contact_url(kolkata), {"outcome": "reached"}, follow=True
    )
    assert "This flag is already resolved" in response.content.decode()
    assert not FlagContact.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("coordinator_b", 404), ("patient_a", 403), ("admin", 403)]
)
def test_only_the_patients_coordinators_record_calls(people, kolkata, persona, status):
    response = signed_in(people.all()[persona]).post(contact_url(kolkata), {"outcome": "reached"})
    assert response.status_code == status
    assert not FlagContact.objects.exists()


def test_recording_a_call_is_noted_in_the_access_log(people, kolkata):
    signed_in(people.coordinator_a).post(contact_url(kolkata), {"outcome": "reached"})
    assert RecordAccess.objects.filter(patient=people.patient_a, what="flags").count() == 1


def test_the_record_keeps_a_constant_query_count_with_calls(
    people, kolkata, django_assert_max_num_queries
):
    client = signed_in(people.coordinator_a)
    with django_assert_max_num_queries(25) as small:
        record(client, people.patient_a)
    for number in range(6):
        flag = FlagFactory(patient=people.patient_a, rule="red_flag", subject=f"s{number}")
        for outcome in ("no_answer", "left_message", "reached"):
            services.flag_contact_record(flag=flag, by=people.coordinator_a, outcome=outcome)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = record(client, people.patient_a)
    assert page.count("Reached the patient") >= 12  # under each flag and in the timeline
    print(f"record: {len(small.captured_queries)} queries with 0 or 18 calls")


# --- Escalations -----------------------------------------------------------------------------


@pytest.mark.parametrize("door", ["web", "api"])
def test_the_first_call_cancels_the_escalations(people, api_client, door):
    flag = urgent_flag(people)
    assert ASKED in coming_up(people.patient_a)
    if door == "web":
        assert (
            signed_in(people.coordinator_a)
            .post(contact_url(flag), {"outcome": "no_answer"})
            .status_code
            == 302
        )
    else:
        api_client.force_authenticate(people.coordinator_a)
        response = api_client.post(
            f"/api/v1/flags/{flag.pk}/contacts/", {"outcome": "no_answer"}, format="json"
        )
        assert response.status_code == 201
    escalations = Notification.objects.filter(key__startswith=f"flag:{flag.pk}:escalation:")
    assert escalations.exists()
    assert set(escalations.values_list("status", flat=True)) == {Status.CANCELLED}
    assert ASKED not in coming_up(people.patient_a)
    assert STILL_WAITING not in coming_up(people.coordinator_a)
    # The urgent alert itself stays: the flag is not dealt with yet.
    urgent = Notification.objects.filter(key__startswith=f"flag:{flag.pk}:urgent:")
    assert Status.CANCELLED not in set(urgent.values_list("status", flat=True))

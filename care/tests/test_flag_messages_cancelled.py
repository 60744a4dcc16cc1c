"""CLINICAL.md, "The urgent loop": messages that will not be sent are never shown as coming.
Once a coordinator acknowledges an urgent flag (on the record page or through the API), its
escalations ("Still waiting", and the patient's "Has your care team called you?") are cancelled
at once; once they resolve it, every alert about it still pending is. The patient's message
centre and the notifications API stop listing them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from flags import services as flags
from flags.models import FlagStatus
from flags.tests.flag_helpers import live
from notifications.models import Notification, Status
from symptoms.tests.factories import log_day

pytestmark = pytest.mark.django_db

ASKED = "Has your care team called you?"
STILL_WAITING = "Still waiting: a patient needs a call"


def urgent_flag(people):
    patient = people.patient_a
    log_day(patient, patient.patient_profile.local_today(), {"seizure": True})
    flags.evaluate_patient(patient=patient)
    (flag,) = live(patient, "red_flag")
    return flag


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def coming_up(user) -> str:
    """The "Coming up" part of the person's message centre."""
    page = signed_in(user).get(reverse("notification_list")).content.decode()
    return page.split('id="upcoming-heading"', 1)[1]


def api_planned_titles(user, api_client) -> set[str]:
    api_client.force_authenticate(user)
    rows = api_client.get("/api/v1/notifications/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    return {row["title"] for row in rows if row["status"] != "sent"}


def acknowledge_on_the_web(people, flag) -> None:
    url = reverse("care:flag_acknowledge", args=[people.patient_a.pk, flag.pk])
    assert signed_in(people.coordinator_a).post(url, {"note": "Called."}).status_code == 302


def acknowledge_by_api(people, flag, api_client) -> None:
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(
        f"/api/v1/flags/{flag.pk}/acknowledge/", {"note": "Called."}, format="json"
    )
    assert response.status_code == 200, response.content


def resolve_on_the_web(people, flag) -> None:
    url = reverse("care:flag_resolve", args=[people.patient_a.pk, flag.pk])
    assert signed_in(people.coordinator_a).post(url, {"note": "Seen in A&E."}).status_code == 302


def resolve_by_api(people, flag, api_client) -> None:
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(
        f"/api/v1/flags/{flag.pk}/resolve/", {"note": "Seen in A&E."}, format="json"
    )
    assert response.status_code == 200, response.content


def test_before_anyone_acts_the_patient_is_told_the_question_is_coming(people, api_client):
    urgent_flag(people)
    assert ASKED in coming_up(people.patient_a)
    assert ASKED in api_planned_titles(people.patient_a, api_client)
    assert STILL_WAITING in coming_up(people.coordinator_a)


@pytest.mark.parametrize("door", ["web", "api"])
def test_acknowledging_cancels_the_escalations_at_once(people, api_client, door):
    flag = urgent_flag(people)
    if door == "web":
        acknowledge_on_the_web(people, flag)
    else:
        acknowledge_by_api(people, flag, api_client)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACKNOWLEDGED

    escalations = Notification.objects.filter(key__startswith=f"flag:{flag.pk}:escalation:")
    assert escalations.count() == 4  # the coordinator and the patient, email and in-app each
    assert set(escalations.values_list("status", flat=True)) == {Status.CANCELLED}
    assert ASKED not in coming_up(people.patient_a)
    assert ASKED not in api_planned_titles(people.patient_a, api_client)
    assert STILL_WAITING not in coming_up(people.coordinator_a)
    # The alert that asks for the call itself stays: the flag is not dealt with yet.
    urgent = Notification.objects.filter(key__startswith=f"flag:{flag.pk}:urgent:")
    assert Status.CANCELLED not in set(urgent.values_list("status", flat=True))


@pytest.mark.parametrize("door", ["web", "api"])
@pytest.mark.parametrize("acknowledged_first", [False, True])
def test_resolving_cancels_every_alert_still_pending(people, api_client, door, acknowledged_first):
    flag = urgent_flag(people)
    if acknowledged_first:
        flags.flag_acknowledge(flag=flag, by=people.coordinator_a)
    if door == "web":
        resolve_on_the_web(people, flag)
    else:
        resolve_by_api(people, flag, api_client)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED

    about_flag = Notification.objects.filter(subject_type="flag", subject_id=flag.pk)
    assert set(about_flag.values_list("status", flat=True)) == {Status.CANCELLED}
    assert ASKED not in coming_up(people.patient_a)
    assert ASKED not in api_planned_titles(people.patient_a, api_client)
    assert STILL_WAITING not in coming_up(people.coordinator_a)


def test_a_refused_resolution_cancels_nothing(people, api_client):
    flag = urgent_flag(people)
    api_client.force_authenticate(people.coordinator_a)
    response = api_client.post(f"/api/v1/flags/{flag.pk}/resolve/", {"note": "  "}, format="json")
    assert response.status_code == 400
    about_flag = Notification.objects.filter(subject_type="flag", subject_id=flag.pk)
    assert Status.CANCELLED not in set(about_flag.values_list("status", flat=True))
    assert ASKED in coming_up(people.patient_a)


def test_a_message_already_sent_stays_history(people):
    flag = urgent_flag(people)
    sent = Notification.objects.filter(key__startswith=f"flag:{flag.pk}:urgent:")
    sent.update(status=Status.SENT, sent_at=timezone.now())
    flags.flag_resolve(flag=flag, by=people.coordinator_a, note="Dealt with.")
    assert set(sent.values_list("status", flat=True)) == {Status.SENT}

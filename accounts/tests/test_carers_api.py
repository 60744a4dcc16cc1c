"""Carers through the API: GET/POST /api/v1/carers/, PATCH/DELETE /api/v1/carers/{id}/, for every
role; bad input answers 400 in DRF's body and saves nothing; another patient's link is 404."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import carers
from accounts.models import CarerLink, User

pytestmark = pytest.mark.django_db

LIST = reverse("api-carers")
BODY = {"name": "Carol Carer", "email": "carol@example.org", "rights": ["log", "record"]}


def detail(link: CarerLink) -> str:
    return reverse("api-carer-detail", args=[link.pk])


def as_(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def link_for(people, *, patient=None, email="carol@example.org") -> CarerLink:
    patient = patient or people.patient_a
    return carers.carer_invite(
        patient=patient, email=email, name="Carol Carer", rights=["log"], by=patient
    )


def test_the_patient_lists_and_invites_their_own(people, django_capture_on_commit_callbacks):
    client = as_(people.patient_a)
    assert client.get(LIST).json() == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, BODY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["patient"] == people.patient_a.pk
    assert body["name"] == "Carol Carer" and body["email"] == "carol@example.org"
    assert body["rights"] == ["log", "record"]
    assert body["active"] is True and body["signed_in"] is False and body["revoked"] is None
    assert len(mail.outbox) == 1
    assert [row["id"] for row in client.get(LIST).json()] == [body["id"]]
    link_for(people, patient=people.patient_b, email="bo@example.org")
    assert len(client.get(LIST).json()) == 1  # never another patient's


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "rights": []}, "rights"),
        ({**BODY, "rights": ["log", "everything"]}, "rights"),
        ({**BODY, "email": "patient.b@example.org"}, "email"),
        ({**BODY, "email": "nope"}, "email"),
        ({**BODY, "name": 7}, "name"),
        ({"email": "carol@example.org", "rights": ["log"]}, "name"),
    ],
)
def test_bad_invitations_are_400_and_save_nothing(people, body, field):
    response = as_(people.patient_a).post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not CarerLink.objects.exists()
    assert not User.objects.filter(email="carol@example.org").exists()


def test_too_many_carers_is_a_400_for_the_whole(people):
    for number in range(carers.MAX_ACTIVE_CARERS):
        link_for(people, email=f"c{number}@example.org")
    response = as_(people.patient_a).post(LIST, BODY, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_staff_name_the_patient_and_give_the_patients_word(people):
    client = as_(people.coordinator_a)
    assert client.get(LIST).status_code == 400
    link_for(people)
    listed = client.get(LIST, {"patient": people.patient_a.pk})
    assert listed.status_code == 200 and len(listed.json()) == 1
    body = {**BODY, "email": "dan@example.org", "patient": people.patient_a.pk}
    refused = client.post(LIST, body, format="json")
    assert refused.status_code == 400 and "patients_word" in refused.json()
    made = client.post(LIST, {**body, "patients_word": "Asked in clinic"}, format="json")
    assert made.status_code == 201
    assert made.json()["patients_word"] == "Asked in clinic"
    assert client.post(LIST, {**BODY, "email": "x@example.org"}, format="json").status_code == 400


@pytest.mark.parametrize("persona", ["coordinator_b"])
def test_staff_of_another_team_get_404(people, persona):
    link = link_for(people)
    client = as_(getattr(people, persona))
    assert client.get(LIST, {"patient": people.patient_a.pk}).status_code == 404
    body = {**BODY, "email": "dan@example.org", "patient": people.patient_a.pk}
    assert client.post(LIST, {**body, "patients_word": "x"}, format="json").status_code == 404
    assert client.patch(detail(link), {"rights": ["record"]}, format="json").status_code == 404
    assert client.delete(detail(link)).status_code == 404
    link.refresh_from_db()
    assert link.is_active and link.can_log and CarerLink.objects.count() == 1


def test_the_admin_sees_any_patients_carers(people):
    link_for(people)
    response = as_(people.admin).get(LIST, {"patient": people.patient_a.pk})
    assert response.status_code == 200 and len(response.json()) == 1


def test_another_patients_link_is_404(people):
    theirs = link_for(people, patient=people.patient_b)
    client = as_(people.patient_a)
    assert client.patch(detail(theirs), {"rights": ["record"]}, format="json").status_code == 404
    assert client.delete(detail(theirs)).status_code == 404
    assert client.delete(reverse("api-carer-detail", args=[99999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.can_log


def test_the_patient_changes_rights_and_revokes(people):
    link = link_for(people)
    client = as_(people.patient_a)
    changed = client.patch(detail(link), {"rights": ["appointments"]}, format="json")
    assert changed.status_code == 200 and changed.json()["rights"] == ["appointments"]
    refused = client.patch(detail(link), {"rights": []}, format="json")
    assert refused.status_code == 400 and "rights" in refused.json()
    link.refresh_from_db()
    assert link.can_view_appointments and not link.can_log
    assert client.delete(detail(link)).status_code == 204
    link.refresh_from_db()
    assert not link.is_active
    listed = client.get(LIST).json()
    assert listed[0]["active"] is False and listed[0]["revoked"] is not None
    again = client.patch(detail(link), {"rights": ["log"]}, format="json")
    assert again.status_code == 400 and "non_field_errors" in again.json()
    assert client.delete(detail(link)).status_code == 204  # already revoked: nothing changes


def test_staff_change_rights_on_the_patients_word(people):
    link = link_for(people)
    client = as_(people.coordinator_a)
    refused = client.patch(detail(link), {"rights": ["record"]}, format="json")
    assert refused.status_code == 400 and "patients_word" in refused.json()
    done = client.patch(
        detail(link), {"rights": ["record"], "patients_word": "Rang today"}, format="json"
    )
    assert done.status_code == 200 and done.json()["rights"] == ["record"]
    assert client.delete(detail(link)).status_code == 204


def test_carers_and_anonymous_are_refused(people):
    link = link_for(people)
    carer = as_(link.carer)
    assert carer.get(LIST).status_code == 403
    assert carer.post(LIST, {**BODY, "email": "x@example.org"}, format="json").status_code == 403
    assert carer.patch(detail(link), {"rights": ["record"]}, format="json").status_code == 403
    assert carer.delete(detail(link)).status_code == 403
    nobody = as_(None)
    assert nobody.get(LIST).status_code == 401
    assert nobody.delete(detail(link)).status_code == 401
    link.refresh_from_db()
    assert link.is_active and link.can_log


def test_revoking_through_the_api_ends_the_carers_token(people):
    from accounts import credentials

    link = link_for(people)
    key = credentials.api_token_issue(user=link.carer).key
    carer = APIClient()
    carer.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert carer.get(reverse("api-me")).status_code == 200
    assert as_(people.patient_a).delete(detail(link)).status_code == 204
    assert carer.get(reverse("api-me")).status_code == 401


def test_the_schema_documents_the_carer_endpoints(people, client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/carers/"])
    assert {"patch", "delete"} <= set(schema["paths"]["/api/v1/carers/{id}/"])

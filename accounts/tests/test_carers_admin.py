"""Carer links in Django admin: listed with their rights and state, revoked through the service
(the carer signed out at once), never added or deleted here."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts import carers
from accounts.models import CarerLink

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_carerlink_changelist")


def link_for(people, email="carol@example.org", rights=("log", "appointments")) -> CarerLink:
    return carers.carer_invite(
        patient=people.patient_a,
        email=email,
        name="Carol Carer",
        rights=rights,
        by=people.patient_a,
    )


def test_the_list_shows_patient_carer_rights_and_state(people, client):
    active = link_for(people)
    revoked = link_for(people, email="dan@example.org", rights=("record",))
    carers.carer_revoke(link=revoked, by=people.patient_a)
    client.force_login(people.admin)
    html = client.get(CHANGELIST).content.decode()
    assert "Alice Patient" in html and "carol@example.org" in html
    assert "log, appointments" in html and "Active" in html and "Revoked" in html
    only_active = client.get(CHANGELIST, {"access": "active"}).content.decode()
    assert "carol@example.org" in only_active and "dan@example.org" not in only_active
    page = client.get(reverse("admin:accounts_carerlink_change", args=[active.pk]))
    assert page.status_code == 200


def test_revoking_in_admin_goes_through_the_service(people, client):
    link = link_for(people)
    carer_web = Client()
    carer_web.force_login(link.carer)
    assert carer_web.get(reverse("home")).status_code == 200
    client.force_login(people.admin)
    response = client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [link.pk]}, follow=True
    )
    assert response.status_code == 200 and "Revoked 1 carer" in response.content.decode()
    link.refresh_from_db()
    assert not link.is_active and link.revoked_by == people.admin
    assert carer_web.get(reverse("home")).status_code == 302  # signed out at once


def test_no_adding_or_deleting_in_admin(people, client):
    link = link_for(people)
    model_admin = admin.site._registry[CarerLink]
    request = type("R", (), {"user": people.admin, "method": "GET", "GET": {}})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, link)
    client.force_login(people.admin)
    assert "delete_selected" not in client.get(CHANGELIST).content.decode()
    response = client.post(
        reverse("admin:accounts_carerlink_delete", args=[link.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert CarerLink.objects.filter(pk=link.pk).exists()

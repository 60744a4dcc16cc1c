"""Carers on the web: the patient's "People who help you" on their settings page, the care
team's section on the record, each action a plain POST form on its own address (no JavaScript),
another person's link not found; and a carer accepting the invitation and signing in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import carers
from accounts.models import CarerLink, User
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and good password 42"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def link_for(people, *, patient=None, email="carol@example.org", rights=("log",)) -> CarerLink:
    patient = patient or people.patient_a
    return carers.carer_invite(
        patient=patient, email=email, name="Carol Carer", rights=rights, by=patient
    )


INVITE = {"name": "Carol Carer", "email": "carol@example.org", "can_log": "on"}


# --- The patient's settings page -----------------------------------------------------------------


def test_the_settings_page_lists_carers_with_their_rights_and_an_invite_form(people):
    link = link_for(people, rights=["log", "appointments"])
    html = signed_in(people.patient_a).get(reverse("settings")).content.decode()
    assert "People who help you" in html
    assert "Carol Carer" in html and "carol@example.org" in html
    assert "Fill in the daily log for you" in html and "See your appointments" in html
    assert "invited, has not signed in yet" in html
    assert reverse("carer_rights", args=[link.pk]) in html
    assert reverse("carer_revoke", args=[link.pk]) in html
    assert f'action="{reverse("carer_invite")}"' in html
    for field in ("can_log", "can_view_record", "can_view_appointments"):
        assert f'name="{field}"' in html
    assert "patients_word" not in html  # the patient's own action is their word
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # the invite form's ids do not clash with the settings form's


def test_a_revoked_carer_is_not_listed(people):
    link = link_for(people)
    carers.carer_revoke(link=link, by=people.patient_a)
    html = signed_in(people.patient_a).get(reverse("settings")).content.decode()
    assert "Carol Carer" not in html and "Nobody helps you with MBC Tracker yet." in html


def test_staff_and_carers_get_no_carer_section_on_their_own_settings(people):
    carer = link_for(people).carer
    for user in (people.coordinator_a, people.admin, carer):
        html = signed_in(user).get(reverse("settings")).content.decode()
        assert "People who help you" not in html


def test_the_patient_invites_without_javascript(people, django_capture_on_commit_callbacks):
    client = signed_in(people.patient_a)
    assert client.get(reverse("carer_invite")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("carer_invite"), {**INVITE, "can_view_record": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("settings") + "#carers"
    link = CarerLink.objects.get(patient=people.patient_a)
    assert (link.can_log, link.can_view_record, link.can_view_appointments) == (True, True, False)
    assert len(mail.outbox) == 1
    page = client.get(response["Location"]).content.decode()
    assert "We have emailed Carol Carer an invitation." in page


@pytest.mark.parametrize(
    ("data", "field_text"),
    [
        ({"name": "Carol", "email": "carol@example.org"}, "Choose at least one thing they can do."),
        ({**INVITE, "email": "patient.b@example.org"}, "Someone is already registered"),
        ({**INVITE, "email": "not-an-address"}, "valid email address"),
        ({**INVITE, "name": ""}, "This field is required."),
    ],
)
def test_a_bad_invitation_shows_the_form_again_and_saves_nothing(people, data, field_text):
    response = signed_in(people.patient_a).post(reverse("carer_invite"), data)
    assert response.status_code == 200
    assert field_text in response.content.decode()
    assert not CarerLink.objects.exists()
    assert mail.outbox == []


def test_the_patient_changes_rights(people):
    link = link_for(people, rights=["log"])
    client = signed_in(people.patient_a)
    page = client.get(reverse("carer_rights", args=[link.pk])).content.decode()
    assert re.search(r'name="can_log"[^>]*checked', page)
    response = client.post(reverse("carer_rights", args=[link.pk]), {"can_view_appointments": "on"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.can_log, link.can_view_record, link.can_view_appointments) == (
        False,
        False,
        True,
    )


def test_every_problem_of_an_invitation_is_shown_at_once(people):
    response = signed_in(people.patient_a).post(reverse("carer_invite"), {"name": "Carol"})
    html = response.content.decode()
    assert "Choose at least one thing they can do." in html
    assert "This field is required." in html  # the email address
    assert not CarerLink.objects.exists()


def test_rights_with_nothing_ticked_are_refused_and_unchanged(people):
    link = link_for(people, rights=["log"])
    response = signed_in(people.patient_a).post(reverse("carer_rights", args=[link.pk]), {})
    assert response.status_code == 200
    assert "Choose at least one thing they can do." in response.content.decode()
    link.refresh_from_db()
    assert link.can_log


def test_the_patient_revokes_after_a_confirmation_step(people):
    link = link_for(people)
    client = signed_in(people.patient_a)
    page = client.get(reverse("carer_revoke", args=[link.pk]))
    assert page.status_code == 200 and "Stop access for Carol Carer?" in page.content.decode()
    link.refresh_from_db()
    assert link.is_active  # looking at the question changes nothing
    response = client.post(reverse("carer_revoke", args=[link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert not link.is_active and link.revoked_by == people.patient_a


@pytest.mark.parametrize("name", ["carer_rights", "carer_revoke"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_patients_carer_is_not_found(people, name, method):
    theirs = link_for(people, patient=people.patient_b)
    response = getattr(signed_in(people.patient_a), method)(reverse(name, args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.can_log


@pytest.mark.parametrize("name", ["carer_rights", "carer_revoke"])
def test_a_revoked_or_missing_link_is_not_found(people, name):
    link = link_for(people)
    carers.carer_revoke(link=link, by=people.patient_a)
    client = signed_in(people.patient_a)
    assert client.get(reverse(name, args=[link.pk])).status_code == 404
    assert client.get(reverse(name, args=[link.pk + 1000])).status_code == 404


@pytest.mark.parametrize("persona", ["coordinator_a", "admin", "carer"])
def test_the_patients_carer_pages_are_for_patients_only(people, persona):
    link = link_for(people)
    user = link.carer if persona == "carer" else getattr(people, persona)
    client = signed_in(user)
    for url in (
        reverse("carer_invite"),
        reverse("carer_rights", args=[link.pk]),
        reverse("carer_revoke", args=[link.pk]),
    ):
        response = client.post(url, {**INVITE, "email": "new@example.org"})
        assert response.status_code == 302 and response["Location"] == reverse("home")
    link.refresh_from_db()
    assert link.is_active
    assert CarerLink.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(people):
    response = Client().post(reverse("carer_invite"), INVITE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not CarerLink.objects.exists()


# --- The care team, on the record ----------------------------------------------------------------


def test_the_record_lists_the_carers_and_offers_an_invitation_on_the_patients_word(people):
    link_for(people, rights=["record"])
    html = signed_in(people.coordinator_a).get(reverse("care:record", args=[people.patient_a.pk]))
    html = html.content.decode()
    assert 'id="carers"' in html and "Carol Carer" in html
    assert "See their symptom history, flags and advice" in html
    assert "What the patient asked" in html and 'name="patients_word"' in html
    assert reverse("patient_carer_invite", args=[people.patient_a.pk]) in html


def test_a_coordinator_invites_on_the_patients_word(people, django_capture_on_commit_callbacks):
    client = signed_in(people.coordinator_a)
    url = reverse("patient_carer_invite", args=[people.patient_a.pk])
    refused = client.post(url, INVITE)
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert not CarerLink.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**INVITE, "patients_word": "Asked by phone today"})
    assert response.status_code == 302
    assert response["Location"] == reverse("care:record", args=[people.patient_a.pk]) + "#carers"
    link = CarerLink.objects.get()
    assert link.patient == people.patient_a and link.patients_word == "Asked by phone today"
    assert len(mail.outbox) == 1


def test_a_coordinator_revokes_after_a_confirmation_step(people):
    link = link_for(people)
    client = signed_in(people.coordinator_a)
    url = reverse("patient_carer_revoke", args=[people.patient_a.pk, link.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == people.coordinator_a


def test_another_team_gets_not_found_and_changes_nothing(people):
    link = link_for(people)
    client = signed_in(people.coordinator_b)
    patient = people.patient_a.pk
    invite = reverse("patient_carer_invite", args=[patient])
    revoke = reverse("patient_carer_revoke", args=[patient, link.pk])
    assert client.get(invite).status_code == 404
    assert client.post(invite, {**INVITE, "patients_word": "x"}).status_code == 404
    assert client.get(revoke).status_code == 404
    assert client.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.is_active and CarerLink.objects.count() == 1


def test_a_link_is_found_only_under_its_own_patient(people):
    theirs = link_for(people, patient=people.patient_b)
    client = signed_in(people.admin)
    wrong = reverse("patient_carer_revoke", args=[people.patient_a.pk, theirs.pk])
    assert client.post(wrong).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_patients_may_not_use_the_care_teams_carer_pages(people):
    client = signed_in(people.patient_a)
    response = client.post(
        reverse("patient_carer_invite", args=[people.patient_a.pk]),
        {**INVITE, "patients_word": "x"},
    )
    assert response.status_code == 403
    assert not CarerLink.objects.exists()


# --- Accepting -----------------------------------------------------------------------------------


def test_a_carer_accepts_the_invitation_and_lands_signed_in_at_home(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = link_for(people)
    [email] = mail.outbox
    url = re.search(r"https?://\S+/accounts/reset/\S+/", email.body).group(0)
    client = Client()
    page = client.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]), follow=True)
    assert page.status_code == 200
    set_password = page.redirect_chain[-1][0]
    response = client.post(
        set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.wsgi_request.user == link.carer


def test_a_patient_setting_their_password_still_sees_the_done_page(people):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = people.patient_a
    url = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    client = Client()
    page = client.get(url, follow=True)
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_reset_complete")


def test_a_carer_signs_in_with_the_form_and_no_second_step(people):
    carer = link_for(people).carer
    carer.set_password(PASSWORD)
    carer.save()
    client = Client()
    response = client.post(reverse("login"), {"username": carer.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200  # not the two-step pages


def test_a_carer_gets_an_api_token_without_a_code(people, api_client):
    carer = link_for(people).carer
    carer.set_password(PASSWORD)
    carer.save()
    response = api_client.post(
        reverse("api-token"), {"email": carer.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api_client.get(reverse("api-me"))
    assert me.status_code == 200 and me.json()["role"] == "carer"
    assert User.objects.get(pk=carer.pk).role == "carer"


def test_the_carer_pages_in_spanish_have_no_english_left(people):
    from mbc_tracker.tests.english import english_left

    link = link_for(people, rights=["log", "record", "appointments"])
    client = signed_in(people.patient_a)
    allowed = ("MBC Tracker", "Carol Carer", "carol@example.org")
    settings_page = client.get(reverse("settings"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    section = settings_page[
        settings_page.index('id="carers"') : settings_page.index(
            "</section>", settings_page.index('id="carers"')
        )
    ]
    assert english_left(section, allowed=allowed) == []
    for url in (
        reverse("carer_invite"),
        reverse("carer_rights", args=[link.pk]),
        reverse("carer_revoke", args=[link.pk]),
    ):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        assert english_left(main, allowed=allowed) == [], url


def test_a_carer_whose_link_expired_asks_for_a_new_one_on_the_sign_in_page(people):
    link_for(people)
    response = Client().post(reverse("password_reset"), {"email": "carol@example.org"})
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["carol@example.org"] and "/accounts/reset/" in email.body


def test_each_action_on_the_web_is_audited_as_the_person_who_did_it(people):
    from auditlog.models import LogEntry

    client = signed_in(people.patient_a)
    client.post(reverse("carer_invite"), INVITE)
    link = CarerLink.objects.get()
    client.post(reverse("carer_rights", args=[link.pk]), {"can_view_record": "on"})
    signed_in(people.coordinator_a).post(
        reverse("patient_carer_revoke", args=[people.patient_a.pk, link.pk])
    )
    entries = list(LogEntry.objects.get_for_object(link).order_by("timestamp", "pk"))
    assert [entry.actor for entry in entries] == [
        people.patient_a,
        people.patient_a,
        people.coordinator_a,
    ]

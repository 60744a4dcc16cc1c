"""Carers, the services: inviting (by the patient, or by their care team on the patient's word),
what is refused, inviting again after a revocation, changing rights and revoking (at once, with
sessions and API tokens ended), each audited; and the invitation email in the carer's language."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts import access, carers, credentials
from accounts.models import CarerLink, Role, User
from accounts.tests.factories import CoordinatorFactory, make_patient
from mbc_tracker.tests.english import english_left

pytestmark = pytest.mark.django_db


def invite(people, *, by=None, email="carol@example.org", rights=("log",), **kwargs) -> CarerLink:
    kwargs.setdefault("name", "Carol Carer")
    return carers.carer_invite(
        patient=people.patient_a,
        email=email,
        rights=rights,
        by=by or people.patient_a,
        **kwargs,
    )


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- Inviting ------------------------------------------------------------------------------------


def test_a_patient_invites_a_carer_who_gets_their_own_account_and_an_email(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = invite(people, email=" Carol@Example.org ", rights=["log", "appointments"])
    carer = link.carer
    assert carer.role == Role.CARER and carer.email == "carol@example.org"
    assert carer.name == "Carol Carer"
    assert not carer.has_usable_password() and not carer.is_staff
    assert (link.patient, link.invited_by, link.patients_word) == (
        people.patient_a,
        people.patient_a,
        "",
    )
    assert (link.can_log, link.can_view_record, link.can_view_appointments) == (True, False, True)
    assert access.acting_profile(carer, "log") == people.patient_a.patient_profile
    assert access.acting_profile(carer, "record") is None

    [email] = mail.outbox
    assert email.to == ["carol@example.org"]
    assert email.subject == "Alice Patient asked you to help with MBC Tracker"
    assert "Alice Patient has asked you to help them" in email.body
    assert "fill in the daily symptom log on their behalf" in email.body
    assert "see their appointments" in email.body
    assert "symptom history" not in email.body  # not a right they were given
    assert "/accounts/reset/" in email.body and "carol@example.org" in email.body


def test_a_coordinator_invites_only_on_the_patients_word(
    people, django_capture_on_commit_callbacks
):
    refused = errors_of(lambda: invite(people, by=people.coordinator_a))
    assert "patients_word" in refused
    assert not User.objects.filter(email="carol@example.org").exists()
    with django_capture_on_commit_callbacks(execute=True):
        link = invite(
            people, by=people.coordinator_a, patients_word="  Asked by phone   on 3 March "
        )
    assert link.patients_word == "Asked by phone on 3 March"
    assert link.invited_by == people.coordinator_a
    [email] = mail.outbox
    assert "from the care team of Alice Patient" in email.body


def test_an_administrator_invites_on_the_patients_word_too(people):
    assert "patients_word" in errors_of(lambda: invite(people, by=people.admin))
    link = invite(people, by=people.admin, patients_word="Asked in clinic")
    assert link.invited_by == people.admin


@pytest.mark.parametrize("persona", ["patient_b", "coordinator_b"])
def test_nobody_else_invites(people, persona):
    with pytest.raises(PermissionDenied):
        invite(people, by=getattr(people, persona), patients_word="Asked")
    assert not CarerLink.objects.exists()


def test_a_carer_cannot_invite_for_their_patient(people):
    link = invite(people)
    with pytest.raises(PermissionDenied):
        invite(people, by=link.carer, email="dan@example.org")


def test_every_problem_is_told_at_once_and_nothing_is_saved(people):
    found = errors_of(
        lambda: invite(
            people, by=people.coordinator_a, name=" ", email="", rights=[], patients_word=""
        )
    )
    assert set(found) == {"name", "email", "rights", "patients_word"}
    assert not CarerLink.objects.exists()
    assert not User.objects.filter(role=Role.CARER).exists()


def test_unknown_rights_are_refused(people):
    assert "rights" in errors_of(lambda: invite(people, rights=["log", "everything"]))


def test_a_bad_email_address_is_refused_and_nothing_saved(people):
    assert "email" in errors_of(lambda: invite(people, email="not an address"))
    assert not User.objects.filter(role=Role.CARER).exists()


@pytest.mark.parametrize(
    "email", ["patient.a@example.org", "PATIENT.B@example.org", "coord.a@example.org"]
)
def test_an_email_address_already_registered_is_refused(people, email):
    found = errors_of(lambda: invite(people, email=email))
    assert found == {"email": ["Someone is already registered with this email address."]}


def test_another_patients_carer_cannot_be_invited(people):
    carers.carer_invite(
        patient=people.patient_b,
        email="carol@example.org",
        name="Carol",
        rights=["log"],
        by=people.patient_b,
    )
    assert "email" in errors_of(lambda: invite(people))
    assert CarerLink.objects.count() == 1


def test_a_carer_who_already_helps_is_not_invited_twice(people):
    invite(people)
    assert "email" in errors_of(lambda: invite(people, email="CAROL@example.org"))


def test_at_most_five_carers_at_once(people):
    for number in range(carers.MAX_ACTIVE_CARERS):
        invite(people, email=f"carer{number}@example.org")
    found = errors_of(lambda: invite(people, email="one.more@example.org"))
    assert NON_FIELD_ERRORS in found
    assert not User.objects.filter(email="one.more@example.org").exists()
    # A revoked carer makes room again.
    first = CarerLink.objects.filter(patient=people.patient_a).first()
    carers.carer_revoke(link=first, by=people.patient_a)
    invite(people, email="one.more@example.org")


def test_inviting_a_revoked_carer_again_opens_the_same_link_with_the_new_rights(
    people, django_capture_on_commit_callbacks
):
    link = invite(people, rights=["log"])
    carers.carer_revoke(link=link, by=people.patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        again = invite(
            people,
            by=people.coordinator_a,
            rights=["record"],
            patients_word="Asked again at clinic",
        )
    assert again.pk == link.pk and again.carer_id == link.carer_id
    again.refresh_from_db()
    assert again.is_active and again.revoked_by is None
    assert (again.can_log, again.can_view_record) == (False, True)
    assert again.invited_by == people.coordinator_a
    assert access.acting_profile(again.carer, "record") == people.patient_a.patient_profile
    assert len(mail.outbox) == 1


def test_a_carer_with_a_password_invited_again_is_told_to_sign_in(
    people, django_capture_on_commit_callbacks
):
    link = invite(people)
    link.carer.set_password("a long and good password")
    link.carer.save()
    carers.carer_revoke(link=link, by=people.patient_a)
    with django_capture_on_commit_callbacks(execute=True):
        invite(people)
    [email] = mail.outbox
    assert "/accounts/reset/" not in email.body
    assert "Sign in with this email address (carol@example.org)" in email.body


def test_no_email_once_the_link_is_revoked_before_sending(people):
    link = invite(people)
    carers.carer_revoke(link=link, by=people.patient_a)
    carers.carer_invitation_send(link=link)
    assert mail.outbox == []


def test_only_patients_have_carers(people):
    found = errors_of(
        lambda: carers.carer_invite(
            patient=people.coordinator_a,
            email="x@example.org",
            name="X",
            rights=["log"],
            by=people.admin,
            patients_word="Asked",
        )
    )
    assert "patient" in found


# --- Rights --------------------------------------------------------------------------------------


def test_the_patient_changes_rights_effective_at_once(people):
    link = invite(people, rights=["log"])
    carers.carer_rights_update(link=link, rights=["record", "appointments"], by=people.patient_a)
    link.refresh_from_db()
    assert (link.can_log, link.can_view_record, link.can_view_appointments) == (False, True, True)
    assert access.acting_profile(link.carer, "log") is None
    assert access.acting_profile(link.carer, "appointments") is not None


def test_rights_need_at_least_one_and_a_revoked_link_is_not_changed(people):
    link = invite(people, rights=["log"])
    assert "rights" in errors_of(
        lambda: carers.carer_rights_update(link=link, rights=[], by=people.patient_a)
    )
    link.refresh_from_db()
    assert link.can_log
    carers.carer_revoke(link=link, by=people.patient_a)
    found = errors_of(
        lambda: carers.carer_rights_update(link=link, rights=["record"], by=people.patient_a)
    )
    assert NON_FIELD_ERRORS in found


def test_staff_change_rights_on_the_patients_word_only(people):
    link = invite(people)
    assert "patients_word" in errors_of(
        lambda: carers.carer_rights_update(link=link, rights=["record"], by=people.coordinator_a)
    )
    carers.carer_rights_update(
        link=link, rights=["record"], by=people.coordinator_a, patients_word="Rang today"
    )
    link.refresh_from_db()
    assert link.can_view_record and not link.can_log and link.patients_word == "Rang today"
    with pytest.raises(PermissionDenied):
        carers.carer_rights_update(
            link=link, rights=["log"], by=people.coordinator_b, patients_word="x"
        )


# --- Revoking ------------------------------------------------------------------------------------


def test_revoking_ends_the_carers_sessions_and_tokens_at_once(people):
    link = invite(people, rights=["log", "record"])
    carer = link.carer
    carer.set_password("a long and good password")
    carer.save()
    web = Client()
    web.force_login(carer)
    assert web.get(reverse("settings")).status_code == 200
    key = credentials.api_token_issue(user=carer, device="phone").key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("api-me")).status_code == 200

    carers.carer_revoke(link=link, by=people.patient_a)

    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == people.patient_a
    assert access.carer_link(carer) is None and access.acting_profile(carer) is None
    page = web.get(reverse("settings"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
    assert api.get(reverse("api-me")).status_code == 401
    # Their own account is still theirs (a later invitation opens the link again).
    carer.refresh_from_db()
    assert carer.is_active


def test_revoking_twice_changes_nothing(people):
    link = invite(people)
    first = carers.carer_revoke(link=link, by=people.patient_a)
    second = carers.carer_revoke(link=link, by=people.coordinator_a)
    assert second.revoked_at == first.revoked_at and second.revoked_by == people.patient_a


@pytest.mark.parametrize("persona", ["patient_a", "coordinator_a", "admin"])
def test_the_patient_and_their_team_revoke(people, persona):
    link = invite(people)
    carers.carer_revoke(link=link, by=getattr(people, persona))
    link.refresh_from_db()
    assert not link.is_active


@pytest.mark.parametrize("persona", ["patient_b", "coordinator_b"])
def test_nobody_else_revokes(people, persona):
    link = invite(people)
    with pytest.raises(PermissionDenied):
        carers.carer_revoke(link=link, by=getattr(people, persona))
    link.refresh_from_db()
    assert link.is_active


def test_a_coordinator_of_another_team_who_joins_may_then_revoke(people):
    link = invite(people)
    late = CoordinatorFactory(teams=[people.team_a])
    carers.carer_revoke(link=link, by=late)
    link.refresh_from_db()
    assert not link.is_active


# --- Audit ---------------------------------------------------------------------------------------


def test_invite_rights_and_revoke_are_in_the_audit_trail(people):
    link = invite(people)
    carers.carer_rights_update(link=link, rights=["record"], by=people.patient_a)
    carers.carer_revoke(link=link, by=people.patient_a)
    entries = LogEntry.objects.get_for_object(link).order_by("timestamp", "pk")
    actions = [entry.action for entry in entries]
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.UPDATE]
    assert "can_log" in entries[1].changes_dict
    assert "revoked_at" in entries[2].changes_dict


# --- The email in the carer's language -----------------------------------------------------------


def test_the_invitation_is_written_in_the_carers_language(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    """Whatever the inviter's language, the email is made in the carer's."""
    seen = []
    render = carers.render_to_string

    def spy(*args, **kwargs):
        seen.append(translation.get_language())
        return render(*args, **kwargs)

    monkeypatch.setattr(carers, "render_to_string", spy)
    monkeypatch.setattr("lib.i18n.language_of", lambda person: "es")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invite(people)
    assert seen == ["es"]


def test_the_invitation_is_in_the_carers_language(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("lib.i18n.language_of", lambda person: "es")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invite(people, rights=["log", "record", "appointments"])
    [email] = mail.outbox
    assert "Alice Patient" in email.subject
    assert "asked you to help" not in email.subject
    body = email.body
    assert "MBC Tracker" in body and "Alice Patient" in body
    assert "Hello" not in body and "With your account" not in body
    assert (
        english_left(
            "<p>" + body.replace("\n\n", "</p><p>") + "</p>",
            allowed=("MBC Tracker", "Alice Patient", "Carol", "carol@example.org"),
        )
        == []
    )


def test_the_invitation_in_english_by_default(people, django_capture_on_commit_callbacks):
    patient = make_patient(email="eve@example.org", name="Eve Patient")
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        carers.carer_invite(
            patient=patient, email="fay@example.org", name="Fay", rights=["log"], by=patient
        )
    [email] = mail.outbox
    assert email.subject == "Eve Patient asked you to help with MBC Tracker"
    assert email.body.startswith("Hello Fay,")

"""Writes for accounts. Keyword-only, typed, atomic; views, API, admin and commands call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_guid import get_guid

from accounts import access, selectors
from accounts.models import (
    CareTeam,
    PatientProfile,
    RecordAccess,
    RecordAccessKind,
    Role,
    User,
)
from accounts.validators import normalise_phone, normalise_sites, validate_name
from followups.services import after_commit, request_flag_evaluation, request_reminder_replan
from lib.i18n import in_language_of, offered

_UNSET = object()
INVITATION_TASK = "accounts.tasks.send_invitation"  # by name: the task module imports this one


def new_email(email: str) -> str:
    """The login email for a new person, normalised; one already registered is refused (every
    door that creates people asks this, so the rule and its words live here once)."""
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("Someone is already registered with this email address.")}
        )
    return email


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    password: str | None = None,
    name: str = "",
) -> User:
    """Create a login. Administrators get staff access; nobody else does."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    email = new_email(email)
    is_admin = role == Role.ADMIN
    user = User(email=email, name=name.strip(), role=role, is_staff=is_admin, is_superuser=is_admin)
    user.set_password(password)  # None gives an unusable password: the user sets one by link.
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def care_team_get_or_create(*, name: str) -> CareTeam:
    name = name.strip()
    try:
        validate_name(name)
    except ValidationError as error:
        raise ValidationError({"team": error.messages}) from None
    team, _created = CareTeam.objects.get_or_create(name=name)
    return team


@transaction.atomic
def coordinator_join_team(*, coordinator: User, team: CareTeam) -> None:
    if coordinator.role != Role.COORDINATOR:
        raise ValidationError({"team": _("Only care coordinators join care teams.")})
    team.coordinators.add(coordinator)


@transaction.atomic
def patient_enrol(
    *,
    email: str,
    name: str,
    care_team: CareTeam,
    timezone: str,
    sites: Iterable[str] = (),
    password: str | None = None,
    invite: bool = True,
    **profile_fields: object,
) -> User:
    """Enrol a patient in a care team: login, profile and team in one step.

    Without a password the patient gets an unusable one and, with ``invite``, an email (sent after
    the transaction commits) with a link to choose their own.
    """
    user = user_create(email=email, role=Role.PATIENT, password=password, name=name)
    profile = PatientProfile(
        user=user,
        care_team=care_team,
        timezone=timezone,
        sites=normalise_sites(list(sites)),
        **profile_fields,
    )
    profile.full_clean()
    profile.save()
    if invite:
        after_commit(INVITATION_TASK, user.pk)
    return user


@transaction.atomic
def account_update(
    *,
    user: User,
    name: object = _UNSET,
    preferred_name: object = _UNSET,
    sites: object = _UNSET,
    timezone: object = _UNSET,
    log_reminder_time: object = _UNSET,
    phone: object = _UNSET,
    call_time: object = _UNSET,
    language: object = _UNSET,
) -> User:
    """Change what a person may change about themself. Patient fields need a patient."""
    if language is not _UNSET:
        language_set(user=user, language=language)
    patient_changes = {
        key: value
        for key, value in {
            "preferred_name": preferred_name,
            "sites": sites,
            "timezone": timezone,
            "log_reminder_time": log_reminder_time,
            "phone": phone,
            "call_time": call_time,
        }.items()
        if value is not _UNSET
    }
    if name is not _UNSET:
        user.name = str(name).strip()
        user.full_clean(exclude=["password"])
        user.save(update_fields=["name"])
    if patient_changes:
        profile = PatientProfile.objects.filter(user=user).first()
        if profile is None:
            raise ValidationError(
                dict.fromkeys(patient_changes, _("Only patients have this setting."))
            )
        user.patient_profile = patient_profile_update(profile=profile, **patient_changes)
    return user


def language_set(*, user: User, language: object) -> User:
    """The language a person reads the site in, whatever their role: a code the site offers
    ("en", "es"), or blank (None or "") to follow their browser. Pages and the API alike."""
    chosen = "" if language is None else str(language).strip()
    if chosen and not offered(chosen):
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        raise ValidationError(
            {
                "language": _(
                    "We do not offer “%(language)s”. Choose one of: %(codes)s, or leave it "
                    "empty to follow your browser."
                )
                % {"language": chosen[:20], "codes": codes}
            }
        )
    if user.language != chosen:
        user.language = chosen
        user.save(update_fields=["language"])
        if user.role == Role.PATIENT:
            # Reminders already planned were worded in the old language: plan them again.
            request_reminder_replan(user.pk)
    return user


# What changes a patient's clock or what the flag rules read about them.
_REPLAN_FIELDS = {"timezone", "log_reminder_time", "restaging_interval_weeks", "enrolled_on"}
_EVALUATE_FIELDS = {"timezone", "sites", "restaging_interval_weeks", "enrolled_on"}
_TRIMMED_FIELDS = {"call_time", "hospital_number"}
# Dates checked against a window that moves with the clock (accounts.validators). One stored
# before the check existed, or since left behind by the clock, is kept as it is when something
# else changes: a patient must never be stuck on a date they cannot see or change.
DATE_WINDOW_FIELDS = ("date_of_birth", "enrolled_on")


@transaction.atomic
def patient_profile_update(*, profile: PatientProfile, **changes: object) -> PatientProfile:
    """Change a patient's profile: their own settings, or what their care team records (admin).
    Validated as a whole, saved only if valid. Once it commits, their reminders are
    planned again if their clock changed, and their flags evaluated again if what the rules read
    changed."""
    profile = PatientProfile.objects.select_for_update().get(pk=profile.pk)
    unknown = set(changes) - {field.name for field in PatientProfile._meta.concrete_fields}
    if unknown or "user" in changes:
        refused = sorted(unknown | ({"user"} & set(changes)))
        raise ValidationError(dict.fromkeys(refused, _("This cannot be changed.")))
    if "sites" in changes:
        changes["sites"] = normalise_sites(list(changes["sites"]))  # type: ignore[call-overload]
    if "phone" in changes:  # any usual spelling in, E.164 out; one clear message if not a number
        try:
            changes["phone"] = normalise_phone(changes["phone"])
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
    for key in _TRIMMED_FIELDS & set(changes):
        changes[key] = str(changes[key] or "").strip()
    changed = {key for key, value in changes.items() if getattr(profile, key) != value}
    for key, value in changes.items():
        setattr(profile, key, value)
    profile.full_clean(exclude=[name for name in DATE_WINDOW_FIELDS if name not in changed])
    profile.save()
    if changed & _REPLAN_FIELDS:
        request_reminder_replan(profile.pk)
    if changed & _EVALUATE_FIELDS:
        request_flag_evaluation(profile.pk)
    return profile


# What a patient's care team records about them, on the record page and the patients API.
PATIENT_DETAILS_FIELDS = (
    "phone",
    "call_time",
    "sites",
    "timezone",
    "restaging_interval_weeks",
    "hormone_receptor_status",
    "her2_status",
    "pik3ca_status",
    "pd_l1_status",
    "current_treatment",
    "date_of_birth",
    "hospital_number",
)


@transaction.atomic
def patient_details_update(
    *, profile: PatientProfile, name: object = _UNSET, **changes: object
) -> PatientProfile:
    """A member of the care team changes a patient's details: their name and the profile
    fields above. All or nothing: every error is reported at once and nothing is saved unless
    everything is valid. Reminders and flags follow as for ``patient_profile_update``."""
    refused = sorted(set(changes) - set(PATIENT_DETAILS_FIELDS))
    if refused:
        raise ValidationError(dict.fromkeys(refused, _("This cannot be changed here.")))
    errors: dict[str, list[str]] = {}
    user = profile.user
    old_name = user.name
    if name is not _UNSET:
        user.name = str(name or "").strip()
        if not user.name:
            errors["name"] = [_("Please write the patient's full name.")]
        else:
            try:
                user.full_clean(exclude=["password"])
            except ValidationError as error:
                errors.update(error.message_dict)
    try:
        with transaction.atomic():  # a savepoint: the profile is validated even if the name is not
            profile = patient_profile_update(profile=profile, **changes)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        user.name = old_name  # the caller's copy stays as stored
        raise ValidationError(errors)  # the outer transaction rolls back anything written
    if name is not _UNSET:
        user.save(update_fields=["name"])
    profile.user = user
    return profile


def enrolment_team(*, by: User, team: CareTeam | None) -> CareTeam:
    """Which care team a patient enrolled by ``by`` joins: the one they name, if it is one of
    theirs (any team, for administrators); with none named, their only team."""
    teams = list(selectors.teams_for(by))
    if team is None:
        if len(teams) != 1:
            raise ValidationError(
                {"care_team": _("Choose which of your care teams this patient joins.")}
            )
        return teams[0]
    if team not in teams:
        raise ValidationError({"care_team": _("This is not one of your teams.")})
    return team


def invitation_link(*, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def invitation_send(*, user: User) -> None:
    """Email a new patient a link to choose a password. No health details in the message."""
    if user.has_usable_password() or not user.is_active:
        return  # They have already set a password, or their account was closed.
    context = {
        "user": user,
        "link": invitation_link(user=user),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    with in_language_of(user):  # sent by a task: in the invited person's language
        subject = _("Your MBC Tracker account is ready")
        message = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[user.email])


# --- The record access log -----------------------------------------------------------------------


def record_access(
    *, request: HttpRequest, patient_ids: Iterable[int], what: str, listing: bool = False
) -> int:
    """Note that the member of staff behind ``request`` looked at these patients' records: one
    append-only row per patient, written in one statement. A carer's looks at their patient's
    record are noted too (only that patient's). Patients reading their own record and anonymous
    visitors write nothing. Returns the number of rows written.

    ``listing``: the look is a list naming many patients (the panel and its one-minute refresh,
    a list page of the API or admin). A list notes each patient at most once an hour (the clock
    hour, UTC) per viewer and list (the kind of look and the address with its query), so a page
    left open does not write a row per patient per refresh. Opening one record always writes.
    """
    viewer = request.user
    ids = sorted({int(patient_id) for patient_id in patient_ids})
    if access.is_carer(viewer):
        # A carer's look at the one patient who chose them (their own pages, on the patient's
        # behalf): every look is noted, never folded into a list's hourly row.
        link = access.carer_link(viewer)
        ids = [
            patient_id for patient_id in ids if link is not None and patient_id == link.patient_id
        ]
        listing = False
    elif not access.is_care_staff(viewer):
        return 0
    if not ids:
        return 0
    if what not in RecordAccessKind.values:
        raise ValueError(f"Unknown kind of record access: {what!r}")
    values = {
        "viewer_id": viewer.pk,
        "viewer_name": viewer.name,
        "viewer_email": viewer.email,
        "viewer_role": viewer.role,
        "what": what,
        "path": request.get_full_path()[:300],
        "at": timezone.now(),
        "request_id": (get_guid() or "")[:64],
        "ip_address": get_client_ip_address(request),
    }
    if listing:
        return _record_list_access(ids, values)
    RecordAccess.objects.bulk_create(
        [RecordAccess(patient_id=patient_id, **values) for patient_id in ids]
    )
    return len(ids)


_LIST_COLUMNS = (
    "viewer_id",
    "viewer_name",
    "viewer_email",
    "viewer_role",
    "what",
    "path",
    "at",
    "request_id",
    "ip_address",
)
# Rows only for the patients this viewer's list has not noted since the hour began; a
# partition-pruned read of one viewer's last hour (index record_access_viewer_at) hashed once.
_LIST_INSERT = """
INSERT INTO accounts_recordaccess (
    viewer_id, viewer_name, viewer_email, viewer_role, what, path, at, request_id, ip_address,
    patient_id
)
SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, shown.patient_id
FROM unnest(%s::bigint[]) AS shown(patient_id)
WHERE shown.patient_id NOT IN (
    SELECT patient_id FROM accounts_recordaccess
    WHERE viewer_id = %s AND what = %s AND path = %s AND at >= %s AND at < %s
)
"""


def _record_list_access(ids: list[int], values: dict) -> int:
    """Two statements whatever the number of patients. Two refreshes at once cannot both write:
    a transaction-level advisory lock per viewer and list makes the second wait for the first
    to commit, and its INSERT's snapshot then sees the first's rows. (SQLite, for ``make run``,
    runs one writing transaction at a time anyway.)"""
    hour = values["at"].astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic(savepoint=False):
        if connection.vendor != "postgresql":
            seen = set(
                RecordAccess.objects.filter(
                    viewer_id=values["viewer_id"],
                    what=values["what"],
                    path=values["path"],
                    at__gte=hour,
                    at__lt=hour + dt.timedelta(hours=1),
                ).values_list("patient_id", flat=True)
            )
            new = [patient_id for patient_id in ids if patient_id not in seen]
            RecordAccess.objects.bulk_create(
                [RecordAccess(patient_id=patient_id, **values) for patient_id in new]
            )
            return len(new)
        with connection.cursor() as cursor:
            key = f"record_access:{values['viewer_id']}:{values['what']}:{values['path']}"
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
            cursor.execute(
                _LIST_INSERT,
                [
                    *(values[column] for column in _LIST_COLUMNS),
                    ids,
                    values["viewer_id"],
                    values["what"],
                    values["path"],
                    hour,
                    hour + dt.timedelta(hours=1),
                ],
            )
            return cursor.rowcount

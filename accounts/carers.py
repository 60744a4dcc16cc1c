"""Carers: a patient's helpers with their own login. One function per thing a person does
(invite, change rights, revoke), used by the settings page, the care record, the API, admin and
commands; and the reads those pages need.

Who may act on a patient's carers: the patient themself, or a member of the patient's care team
(a coordinator of their team, an administrator) on the patient's word only, written down in
``patients_word``. Anybody else is refused before anything is looked up, and the callers report
another patient's links as missing (404).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access, credentials
from accounts.models import CarerLink, Role, User
from accounts.services import invitation_link, new_email
from accounts.validators import validate_name, validate_plain_text
from followups.services import after_commit
from lib.i18n import in_language_of

MAX_ACTIVE_CARERS = 5  # per patient: a few people close to them, not a group
CARER_INVITATION_TASK = "accounts.tasks.send_carer_invitation"  # by name, as for patients

# The three rights, in the order pages show them (names as in accounts.access.CARER_RIGHTS).
RIGHTS = ("log", "record", "appointments")
# What each right lets a carer do, said to the patient (and to the carer, about the patient).
RIGHT_LABELS = {
    "log": gettext_lazy("Fill in the daily log for you"),
    "record": gettext_lazy("See your symptom history, flags and advice"),
    "appointments": gettext_lazy("See your appointments"),
}
# The same, said to the care team about the patient.
RIGHT_WORDS_ABOUT_PATIENT = {
    "log": gettext_lazy("Fill in the daily log for them"),
    "record": gettext_lazy("See their symptom history, flags and advice"),
    "appointments": gettext_lazy("See their appointments"),
}
# The same, said to the carer in their invitation.
RIGHT_WORDS_TO_CARER = {
    "log": gettext_lazy("fill in the daily symptom log on their behalf"),
    "record": gettext_lazy(
        "see their symptom history, their flags and the advice that goes with them"
    ),
    "appointments": gettext_lazy("see their appointments"),
}


# --- Reads ---------------------------------------------------------------------------------------


def rights_of(link: CarerLink) -> list[str]:
    """The rights a link gives, in RIGHTS order: ["log", "appointments"]."""
    return [right for right in RIGHTS if getattr(link, access.CARER_RIGHTS[right])]


def links_for(patient: User | int, *, active_only: bool = False) -> QuerySet[CarerLink]:
    """A patient's carer links, oldest first, with the carer (and who invited them) loaded."""
    links = CarerLink.objects.filter(patient=patient).select_related("carer", "invited_by")
    if active_only:
        links = links.filter(revoked_at__isnull=True)
    return links.order_by("created_at", "pk")


def may_manage(by: User, patient: User) -> bool:
    """Whether ``by`` may invite, change or revoke ``patient``'s carers: the patient
    themself, or a member of their care team."""
    if access.is_patient(by):
        return by.pk == patient.pk
    return access.is_care_staff(by) and access.can_view_patient(by, patient)


def manageable_link(by: User, link_id: object, *, patient: User | None = None) -> CarerLink | None:
    """The link with this id if ``by`` may manage it (and it belongs to ``patient``, when
    given); None otherwise, whether it exists or not."""
    try:
        link = CarerLink.objects.select_related("patient", "carer").get(pk=int(link_id))  # type: ignore[arg-type]
    except (CarerLink.DoesNotExist, TypeError, ValueError):
        return None
    if patient is not None and link.patient_id != patient.pk:
        return None
    return link if may_manage(by, link.patient) else None


# --- Writes --------------------------------------------------------------------------------------


def _clean_rights(rights: Iterable[str]) -> dict[str, bool]:
    """The link's three fields from a list of rights; none, or an unknown one, is refused."""
    chosen = set(rights)
    unknown = chosen - set(RIGHTS)
    if unknown:
        raise ValidationError(
            {"rights": _("Choose from: %(rights)s.") % {"rights": ", ".join(RIGHTS)}}
        )
    if not chosen:
        raise ValidationError({"rights": _("Choose at least one thing they can do.")})
    return {access.CARER_RIGHTS[right]: right in chosen for right in RIGHTS}


def _staff_word(*, by: User, patient: User, patients_word: str) -> str:
    """What the patient asked, required when a member of staff acts for them ("" for the
    patient themself, whose own action is their word)."""
    if not may_manage(by, patient):
        raise PermissionDenied("Not this patient's or their care team's to manage.")
    if access.is_patient(by):
        return ""
    word = " ".join(str(patients_word or "").split())
    if not word:
        raise ValidationError(
            {
                "patients_word": _(
                    "Write when and how the patient asked for this. The care team acts on "
                    "the patient's word only."
                )
            }
        )
    try:
        validate_plain_text(word)
    except ValidationError as error:
        raise ValidationError({"patients_word": error.messages}) from None
    return word


@transaction.atomic
def _word_and_rights(
    *,
    by: User,
    patient: User,
    patients_word: str,
    rights: Iterable[str],
    errors: dict[str, list[str]],
) -> tuple[str, dict[str, bool]]:
    """The patient's word (staff must give it) and the rights as fields; each problem goes into
    ``errors`` so that every one is reported at once."""
    word, fields = "", {}
    try:
        word = _staff_word(by=by, patient=patient, patients_word=patients_word)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        fields = _clean_rights(rights)
    except ValidationError as error:
        errors.update(error.message_dict)
    return word, fields


def carer_invite(
    *,
    patient: User,
    email: str,
    name: str,
    rights: Iterable[str],
    by: User,
    patients_word: str = "",
) -> CarerLink:
    """Give someone the patient chose their own carer account, linked to this patient with
    these rights, and email them (after commit) a link to choose their password.

    Refused: an email address anybody already signs in with (except the same patient's
    revoked carer, whose link opens again with the new rights), no right chosen, and more than
    MAX_ACTIVE_CARERS at once. Every problem is reported at once; nothing is saved unless all
    is well."""
    if not access.is_patient(patient) or not hasattr(patient, "patient_profile"):
        raise ValidationError({"patient": _("Only patients can have carers.")})
    errors: dict[str, list[str]] = {}
    word, fields = _word_and_rights(
        by=by, patient=patient, patients_word=patients_word, rights=rights, errors=errors
    )
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = [_("Please write their name.")]
    else:
        try:
            validate_name(name)
        except ValidationError as error:
            errors["name"] = error.messages
    email = User.objects.normalize_email(str(email or "").strip()).lower()
    if not email:
        errors["email"] = [_("Please write their email address.")]

    # One invitation at a time per patient, so two at once cannot pass the limit together.
    User.objects.select_for_update().filter(pk=patient.pk).first()
    reopen = None
    if email:
        reopen = (
            CarerLink.objects.select_related("carer")
            .filter(patient=patient, carer__email__iexact=email)
            .first()
        )
        if reopen is not None and reopen.is_active:
            errors["email"] = [_("This person can already help. You can change what they can do.")]
        elif reopen is None and User.objects.filter(email__iexact=email).exists():
            errors["email"] = [_("Someone is already registered with this email address.")]
        elif reopen is not None and not reopen.carer.is_active:
            errors["email"] = [_("This account is closed. Ask the care team for help.")]
    active = CarerLink.objects.filter(patient=patient, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_CARERS:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _(
                "You can have up to %(max)s people helping at once. Remove someone first, "
                "then invite again."
            )
            % {"max": MAX_ACTIVE_CARERS}
        )
    if errors:
        raise ValidationError(errors)

    if reopen is not None:
        link = reopen
        for field, value in fields.items():
            setattr(link, field, value)
        link.revoked_at = None
        link.revoked_by = None
        link.invited_by = by
        link.patients_word = word
    else:
        try:
            new_email(email)  # the one rule for new logins, checked again under the lock
        except ValidationError as error:
            raise ValidationError(error.message_dict) from None
        carer = User(email=email, name=name, role=Role.CARER)
        chosen = getattr(patient, "language", "")
        if chosen and hasattr(carer, "language"):
            carer.language = chosen  # the patient's language until the carer chooses their own
        carer.set_unusable_password()  # they choose one through the emailed link
        carer.full_clean()
        carer.save()
        link = CarerLink(patient=patient, carer=carer, invited_by=by, patients_word=word, **fields)
    link.full_clean()
    link.save()
    after_commit(CARER_INVITATION_TASK, link.pk)
    return link


@transaction.atomic
def carer_rights_update(
    *, link: CarerLink, rights: Iterable[str], by: User, patients_word: str = ""
) -> CarerLink:
    """Change what a carer may do for the patient; effective on their next request. Staff
    change it on the patient's word only."""
    errors: dict[str, list[str]] = {}
    word, fields = _word_and_rights(
        by=by, patient=link.patient, patients_word=patients_word, rights=rights, errors=errors
    )
    link = CarerLink.objects.select_for_update().select_related("patient", "carer").get(pk=link.pk)
    if not link.is_active:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("This person can no longer help. Invite them again to give them access.")
        )
    if errors:
        raise ValidationError(errors)
    changed = [field for field, value in fields.items() if getattr(link, field) != value]
    if changed or word:
        for field in changed:
            setattr(link, field, fields[field])
        if word:
            link.patients_word = word
        link.save()  # audited (django-auditlog): who changed what, when
    return link


@transaction.atomic
def carer_revoke(*, link: CarerLink, by: User) -> CarerLink:
    """End a carer's access at once: the link is marked revoked (every page and API call reads
    it afresh) and every session and API token of theirs ends now. Revoking twice changes
    nothing. The patient or their care team; the patient need not give a reason."""
    if not may_manage(by, link.patient):
        raise PermissionDenied("Not this patient's or their care team's to manage.")
    link = CarerLink.objects.select_for_update().select_related("patient", "carer").get(pk=link.pk)
    if not link.is_active:
        return link
    link.revoked_at = timezone.now()
    link.revoked_by = by
    link.save()  # audited (django-auditlog)
    credentials.sign_out_everywhere(user=link.carer)
    return link


# --- The invitation ------------------------------------------------------------------------------


def carer_invitation_send(*, link: CarerLink) -> None:
    """Email the carer who invited them and what they will be able to do, in their language,
    with a link to choose a password (or, if they have one, a reminder to sign in). Nothing
    about the patient's health. Skipped if the link was revoked meanwhile."""
    link = CarerLink.objects.select_related("patient", "carer", "invited_by").get(pk=link.pk)
    carer = link.carer
    if not link.is_active or not carer.is_active:
        return
    inviter = link.invited_by
    by_patient = inviter is None or inviter.pk == link.patient_id
    with in_language_of(carer):
        context = {
            "carer": carer,
            "patient_name": link.patient.get_full_name(),
            "inviter_name": inviter.get_full_name() if inviter is not None else "",
            "by_patient": by_patient,
            "rights": [RIGHT_WORDS_TO_CARER[right] for right in rights_of(link)],
            "link": "" if carer.has_usable_password() else invitation_link(user=carer),
            "site_url": settings.SITE_URL,
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        }
        subject = _("%(name)s asked you to help with MBC Tracker") % {
            "name": context["patient_name"]
        }
        message = render_to_string("accounts/email/carer_invitation.txt", context)
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[carer.email])

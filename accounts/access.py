"""Who may see which patient. The one place that decides it.

Views, the API, admin and commands ask these functions; nothing else filters patients by role.
A patient sees only themself, a coordinator the patients of their own care teams, an
administrator everyone, and anybody else nobody. A carer is nobody to these staff functions: they
use the one patient's own pages, as far as that patient's rights allow (``acting_profile``).
Objects a caller may not see are reported as missing (404), never as forbidden, so that their
existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import CarerLink, PatientProfile, Role, User

AnyUser = User | AnonymousUser


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def is_coordinator(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.COORDINATOR)


def is_patient(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.PATIENT)


def is_carer(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.CARER)


def is_care_staff(user: AnyUser) -> bool:
    """Coordinators and administrators: the people who look after patients' records."""
    return is_coordinator(user) or is_admin(user)


def visible_profiles(user: AnyUser, *, carer_right: str | None = None) -> QuerySet[PatientProfile]:
    """The patient profiles this user may see. A carer sees nobody here, unless the caller
    names the right that lets a carer see this kind of thing (``carer_right``, e.g.
    "appointments"): then their own patient, while the link is in force and gives it."""
    profiles = PatientProfile.objects.filter(user__role=Role.PATIENT)
    if is_admin(user):
        return profiles
    if is_coordinator(user):
        return profiles.filter(care_team__coordinators=user)
    if is_patient(user):
        return profiles.filter(user=user)
    if carer_right is not None and is_carer(user):
        link = carer_link(user)
        if link is not None and carer_may(link, carer_right):
            return profiles.filter(pk=link.patient_id)
    return profiles.none()


# What a carer may do on their patient's behalf: the rights on CarerLink, by name.
CARER_RIGHTS = {
    "log": "can_log",
    "record": "can_view_record",
    "appointments": "can_view_appointments",
}


def carer_link(user: AnyUser) -> CarerLink | None:
    """A carer's link to their patient while it is in force (not revoked, both accounts
    active), read afresh on each call so that a revocation takes effect at once."""
    if not is_carer(user):
        return None
    return (
        CarerLink.objects.select_related("patient__patient_profile")
        .filter(carer=user, revoked_at__isnull=True, patient__is_active=True)
        .filter(patient__role=Role.PATIENT)
        .first()
    )


def acting_profile(
    user: AnyUser, right: str | Iterable[str] | None = None
) -> PatientProfile | None:
    """The patient whose own pages this user is using: a patient, themself; a carer, the
    patient who chose them, if the link is in force and gives ``right`` (one of CARER_RIGHTS,
    or several, any of which will do; None asks only for the link). Nobody else has one. Staff
    see patients through ``visible_profiles``, never through this."""
    if is_patient(user):
        try:
            return user.patient_profile
        except PatientProfile.DoesNotExist:
            return None
    link = carer_link(user)
    if link is None or (right is not None and not carer_may(link, right)):
        return None
    try:
        return link.patient.patient_profile
    except PatientProfile.DoesNotExist:
        return None


def carer_may(link: CarerLink, right: str | Iterable[str]) -> bool:
    """Whether the link gives ``right`` (or any one of several rights)."""
    wanted = (right,) if isinstance(right, str) else tuple(right)
    return any(getattr(link, CARER_RIGHTS[name]) for name in wanted)


def carer_rights(link: CarerLink) -> list[str]:
    """The rights a link gives, by name, in a stable order ("log", "record", "appointments")."""
    return [name for name, field in CARER_RIGHTS.items() if getattr(link, field)]


def visible_patients(user: AnyUser) -> QuerySet[User]:
    """The patients (as users) this user may see."""
    return User.objects.filter(pk__in=visible_profiles(user).values("pk"))


def can_view_patient(user: AnyUser, patient: User | int) -> bool:
    patient_id = patient if isinstance(patient, int) else patient.pk
    return visible_profiles(user).filter(pk=patient_id).exists()


def get_profile_or_404(
    user: AnyUser, patient_id: object, *, carer_right: str | None = None
) -> PatientProfile:
    """Load a patient's profile by their user id, or 404 if this user may not see it."""
    try:
        return (
            visible_profiles(user, carer_right=carer_right)
            .select_related("user", "care_team")
            .get(pk=int(patient_id))
        )
    except (PatientProfile.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such patient.")) from None

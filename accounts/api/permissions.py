"""Role checks for the API. Which *patients* a caller may see is decided in accounts.access."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts import access
from accounts.models import User


class IsCareStaff(BasePermission):
    """Coordinators and administrators. Patients get 403: the action is not for their role."""

    message = _("Only care coordinators can do this.")

    def has_permission(self, request, view) -> bool:
        return access.is_care_staff(request.user)


class IsPatient(BasePermission):
    message = _("Only patients can do this.")

    def has_permission(self, request, view) -> bool:
        return access.is_patient(request.user)


class IsCoordinator(BasePermission):
    """Care coordinators only (administrators work through admin). Which of their patients'
    objects they may act on is decided per object, through accounts.access."""

    message = _("Only the patient's care coordinators can do this.")

    def has_permission(self, request, view) -> bool:
        return access.is_coordinator(request.user)


# What a view's ``carer_rights`` may name for a method: the carer's own things (their account,
# their messages, their devices), which need no right from the patient.
CARER_OWN: tuple[str, ...] = ()


def carer_allowed(request, view) -> bool:
    """The one rule for carers in the API. A view names what a carer needs per method in
    ``carer_rights``: {"GET": ("log", "record"), "POST": ("log",)} (any one of them will do), or
    ``CARER_OWN`` for the carer's own things. A view or method not named refuses every carer
    (403): deny by default. The link is read afresh on each request, so a revocation works at
    once; the patient acted for is kept on the request for ``acting_patient``."""
    method = "GET" if request.method == "HEAD" else request.method
    rights = getattr(view, "carer_rights", {}).get(method)
    if rights is None:
        return False
    if rights == CARER_OWN:
        return True
    profile = access.acting_profile(request.user, rights)
    request.acting_profile = profile
    return profile is not None


class CarerRights(BasePermission):
    """In the default permissions of every API view: a carer may use only what the view allows
    them (``carer_allowed``); it changes nothing for anybody else."""

    message = _("Your access as a carer does not include this.")

    def has_permission(self, request, view) -> bool:
        return not access.is_carer(request.user) or carer_allowed(request, view)

    def refuses(self, view, method: str) -> bool:
        """Whether this can answer 403 (for the API schema): not where carers use their own."""
        return getattr(view, "carer_rights", {}).get(method.upper()) != CARER_OWN


class IsPatientOrCarer(BasePermission):
    """The patient, or their carer as far as the rights the patient gave go
    (``carer_allowed``). Views then act on ``acting_patient(request)``, never ``request.user``."""

    message = _("Only the patient, or a carer they chose with this right, can do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if access.is_patient(user):
            return True
        return access.is_carer(user) and carer_allowed(request, view)


def acting_patient(request) -> User:
    """The patient a view acts for, after ``IsPatientOrCarer``: the caller, or their patient."""
    profile = getattr(request, "acting_profile", None)
    return profile.user if profile is not None else request.user

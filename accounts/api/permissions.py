"""Role checks for the API. Which *patients* a caller may see is decided in accounts.access."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts import access


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

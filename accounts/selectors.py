"""Reads for accounts: scoped to the caller through accounts.access, prefetched for the screen."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts import access
from accounts.models import CareTeam, PatientProfile, User


def patient_panel(
    *, user: User, team_id: int | None = None, search: str = ""
) -> QuerySet[PatientProfile]:
    """The patients a coordinator (or admin) looks after, with user and team loaded."""
    profiles = access.visible_profiles(user).select_related("user", "care_team")
    if team_id is not None:
        profiles = profiles.filter(care_team_id=team_id)
    if search:
        profiles = profiles.filter(
            Q(user__name__icontains=search) | Q(user__email__icontains=search)
        )
    return profiles.order_by("user__name", "user__email")


def teams_for(user: User) -> QuerySet[CareTeam]:
    """The care teams whose patients this user may see."""
    if access.is_admin(user):
        return CareTeam.objects.all()
    if access.is_coordinator(user):
        return user.care_teams.all()
    return CareTeam.objects.none()


def patient_profile_for(user: User) -> PatientProfile | None:
    """A patient's own profile (None for staff)."""
    if not access.is_patient(user):
        return None
    return PatientProfile.objects.select_related("care_team").filter(user=user).first()

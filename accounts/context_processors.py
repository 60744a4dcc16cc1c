from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from accounts import access
from accounts.models import User

_UNSET = object()


def care_contacts(request: HttpRequest) -> dict[str, str]:
    """Phone numbers every page may show: emergency services and the care team's 24-hour line."""
    return {
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
        "CARE_TEAM_24H_LINE": settings.CARE_TEAM_24H_LINE,
    }


@dataclass(frozen=True)
class Helping:
    """Whom a signed-in carer helps, and with what (their link, read afresh on each request)."""

    name: str  # the patient's name as the carer knows them
    rights: frozenset[str]  # names from access.CARER_RIGHTS


def _helping(user: User) -> Helping | None:
    link = access.carer_link(user)
    if link is None:
        return None
    patient = link.patient
    profile = getattr(patient, "patient_profile", None)
    name = profile.display_name if profile is not None else patient.get_short_name()
    return Helping(name=name, rights=frozenset(access.carer_rights(link)))


def carer(request: HttpRequest) -> dict[str, object]:
    """For a carer's pages: ``helping``, the patient they help and their rights (None once the
    link has ended), for the header ("You are helping Alice") and the navigation. Worked out
    only when a page shows it; nothing for anybody else."""
    user = getattr(request, "user", None)
    if user is None or not access.is_carer(user):
        return {}
    cached = getattr(request, "_helping", _UNSET)
    if cached is _UNSET:
        cached = _helping(user)
        request._helping = cached  # type: ignore[attr-defined]
    return {"helping": cached}

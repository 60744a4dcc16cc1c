"""What the carer sections of the settings page and the care record show, read where they are
included so the pages' own views need not change."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from accounts import carers
from accounts.carer_forms import CarerInviteForm
from accounts.models import CarerLink, User

register = template.Library()


@dataclass(frozen=True)
class CarerLine:
    link: CarerLink
    rights: list[str]  # in words, for whoever reads the page


@register.simple_tag
def carer_section(patient: User, *, for_staff: bool = False) -> dict:
    """A patient's carers who can help now, with their rights in words, and an empty invite
    form (the page's own forms post to the carer pages)."""
    words = carers.RIGHT_WORDS_ABOUT_PATIENT if for_staff else carers.RIGHT_LABELS
    lines = [
        CarerLine(link=link, rights=[str(words[right]) for right in carers.rights_of(link)])
        for link in carers.links_for(patient, active_only=True)
    ]
    return {
        "lines": lines,
        "form": CarerInviteForm(for_staff=for_staff),
        "room": len(lines) < carers.MAX_ACTIVE_CARERS,
        "max": carers.MAX_ACTIVE_CARERS,
    }

"""The symptom catalogue as plain, immutable data, cached in each process.

The catalogue is read on every log save and page view but changes only when an admin edits it, so
each process keeps a copy for a short while. Admin saves clear this process's copy at once; other
processes pick up the change within ``CACHE_SECONDS``.

Names and help are translated (symptoms/translation.py): each language the site offers has its
own copy, so a copy made for one language is never shown in another.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from symptoms.models import Site, Symptom

CACHE_SECONDS = 60.0

# Phone numbers are never written into stored help text: these placeholders are, and the
# settings fill them in when a patient reads it (web pages and the API alike).
NUMBER_PLACEHOLDERS = {
    "{emergency_number}": "EMERGENCY_NUMBER",
    "{care_team_line}": "CARE_TEAM_24H_LINE",
}


def with_numbers(text: str) -> str:
    """Stored help text as a patient reads it: each placeholder (``{emergency_number}``,
    ``{care_team_line}``) replaced by the number in settings now. Other braces stay as typed."""
    for placeholder, setting in NUMBER_PLACEHOLDERS.items():
        if placeholder in text:
            text = text.replace(placeholder, str(getattr(settings, setting)))
    return text


# The shipped sites' names, translated. A name an admin has changed is shown as typed.
SITE_NAMES = {
    "bone": ("Bone", gettext_lazy("Bone")),
    "brain": ("Brain", gettext_lazy("Brain")),
    "liver": ("Liver", gettext_lazy("Liver")),
    "lung": ("Lung", gettext_lazy("Lung")),
    "general": ("How you feel in general", gettext_lazy("How you feel in general")),
    "treatment": ("Treatment side effects", gettext_lazy("Treatment side effects")),
}


@dataclass(frozen=True, slots=True)
class SiteInfo:
    code: str
    stored_name: str  # as the admin typed it (English)
    is_metastasis_site: bool

    @property
    def name(self) -> str:
        """The site's name in the reader's language (the shipped names are translated)."""
        shipped, translated = SITE_NAMES.get(self.code, ("", ""))
        return str(translated) if self.stored_name == shipped else self.stored_name


@dataclass(frozen=True, slots=True)
class SymptomInfo:
    code: str
    name: str
    site: str
    kind: str  # "severity" | "presence" | "temperature"
    red_flag: str  # "none" | "call_now" | "emergency"
    help_template: str  # as stored, with number placeholders
    active: bool
    loinc_code: str = ""  # "" where LOINC has no code for it
    loinc_display: str = ""
    proctcae_term: str = ""  # "" where PRO-CTCAE has no matching term
    proctcae_attribute: str = (
        ""  # "frequency" | "severity" | "interference" | "presence" | "amount"
    )

    @property
    def help_text(self) -> str:
        """The help as the patient reads it, with today's numbers from settings."""
        return with_numbers(self.help_template)


@dataclass(frozen=True, slots=True)
class Catalogue:
    sites: tuple[SiteInfo, ...]
    symptoms: dict[str, SymptomInfo]  # every symptom, retired ones included, in display order

    @property
    def active(self) -> list[SymptomInfo]:
        return [symptom for symptom in self.symptoms.values() if symptom.active]

    def site(self, code: str) -> SiteInfo:
        return next(site for site in self.sites if site.code == code)


_lock = threading.Lock()
# language code -> (when loaded, the catalogue in that language)
_cached: dict[str, tuple[float, Catalogue]] = {}


def get_catalogue() -> Catalogue:
    """The whole catalogue in the active language (two small queries at most once a minute per
    process and language)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    cached = _cached.get(language)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    with _lock:
        catalogue = _load()  # in the active language (modeltranslation reads it)
        _cached[language] = (time.monotonic(), catalogue)
    return catalogue


def clear_catalogue_cache() -> None:
    _cached.clear()


def _load() -> Catalogue:
    sites = tuple(
        SiteInfo(code=site.code, stored_name=site.name, is_metastasis_site=site.is_metastasis_site)
        for site in Site.objects.all()
    )
    symptoms = {
        symptom.code: SymptomInfo(
            code=symptom.code,
            name=symptom.name,
            site=symptom.site_id,
            kind=symptom.kind,
            red_flag=symptom.red_flag,
            help_template=symptom.help_text,
            active=symptom.active,
            loinc_code=symptom.loinc_code,
            loinc_display=symptom.loinc_display,
            proctcae_term=symptom.proctcae_term,
            proctcae_attribute=symptom.proctcae_attribute,
        )
        for symptom in Symptom.objects.order_by("site__display_order", "display_order", "code")
    }
    return Catalogue(sites=sites, symptoms=symptoms)

"""Validators shared by models, forms and API serializers."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
import zoneinfo

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import MetastasisSite

METASTASIS_SITE_CODES: tuple[str, ...] = tuple(MetastasisSite.values)


@functools.cache
def available_timezones() -> frozenset[str]:
    """IANA time zone names this machine knows (system tzdata or the tzdata package)."""
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone we know. Choose one like Europe/London."),
            code="invalid_timezone",
            params={"value": value},
        )


def validate_metastasis_sites(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_('Sites must be a list such as ["bone", "liver"].'), code="invalid")
    unknown = sorted(set(value) - set(METASTASIS_SITE_CODES))
    if unknown:
        raise ValidationError(
            _("Unknown site: %(sites)s. Choose from bone, brain, liver and lung."),
            code="invalid_site",
            params={"sites": ", ".join(unknown)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each site may be listed once."), code="duplicate_site")


def normalise_sites(sites: list[str]) -> list[str]:
    """Known sites in the catalogue's order, each once; unknown ones kept for validation."""
    chosen = set(sites)
    unknown = sorted(chosen - set(METASTASIS_SITE_CODES))
    return [code for code in METASTASIS_SITE_CODES if code in chosen] + unknown


# --- Contact and identity details on the profile ------------------------------------------------

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
EARLIEST_ENROLMENT = dt.date(2000, 1, 1)
PHONE_MESSAGE = _(
    "This does not look like a phone number we can call. Write it as you would dial it, "
    "for example 07911 123456, or with the country code, for example +44 7911 123456."
)


def normalise_phone(value: object) -> str:
    """Any usual spelling of a real phone number in E.164 ("+447911123456"); "" for none.
    Numbers without a country code are read as PHONENUMBER_DEFAULT_REGION's."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: object) -> None:
    normalise_phone(value)


def validate_plain_text(value: str) -> None:
    """Short free text typed by a person: no control characters (tabs, new lines included)."""
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in str(value)):
        raise ValidationError(
            _("Please use letters, numbers and spaces only, on one line."), code="control_character"
        )


# Characters that reorder the text around them: a name could show as something else.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f"  # marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)


def validate_name(value: str) -> None:
    """A person's or a care team's name: one line, no control characters (tabs, new lines,
    escape codes) and no characters that reorder text. Names go on into pages, emails and
    exports. Unlike ``validate_plain_text``, the joiners some scripts need in names stay."""
    if any(
        unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS
        for char in str(value)
    ):
        raise ValidationError(
            _("Please write the name on one line, without tabs or other hidden characters."),
            code="control_character",
        )


def validate_date_of_birth(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("A date of birth cannot be in the future."), code="future_birth")
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("Please check the year: a date of birth is after 1 January 1900."), code="early_birth"
        )


def validate_enrolled_on(value: dt.date) -> None:
    """When a patient joined: from 2000 to today. Restaging is counted from it, so a date far
    off would put every reminder and due date off with it. Tomorrow is allowed too: the
    patient's own today may already be the server's tomorrow."""
    if value > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError(
            _("An enrolment date cannot be in the future."), code="future_enrolment"
        )
    if value < EARLIEST_ENROLMENT:
        raise ValidationError(
            _("Please check the year: an enrolment date is after 1 January 2000."),
            code="early_enrolment",
        )

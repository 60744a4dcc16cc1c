"""Validators shared by models, forms and API serializers."""

from __future__ import annotations

import functools
import zoneinfo

from django.core.exceptions import ValidationError

from accounts.choices import MetastasisSite

METASTASIS_SITE_CODES: tuple[str, ...] = tuple(MetastasisSite.values)


@functools.cache
def available_timezones() -> frozenset[str]:
    """IANA time zone names this machine knows (system tzdata or the tzdata package)."""
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Choose one like Europe/London.",
            code="invalid_timezone",
            params={"value": value},
        )


def validate_metastasis_sites(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError('Sites must be a list such as ["bone", "liver"].', code="invalid")
    unknown = sorted(set(value) - set(METASTASIS_SITE_CODES))
    if unknown:
        raise ValidationError(
            "Unknown site: %(sites)s. Choose from bone, brain, liver and lung.",
            code="invalid_site",
            params={"sites": ", ".join(unknown)},
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each site may be listed once.", code="duplicate_site")


def normalise_sites(sites: list[str]) -> list[str]:
    """Known sites in the catalogue's order, each once; unknown ones kept for validation."""
    chosen = set(sites)
    unknown = sorted(chosen - set(METASTASIS_SITE_CODES))
    return [code for code in METASTASIS_SITE_CODES if code in chosen] + unknown

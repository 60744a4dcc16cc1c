"""Time zones as people recognise them: the likely ones first, each with a friendly name and its
offset from UTC now, and a search across all of them (for the settings page's picker).

Countries come from the tz database's own tables (zone.tab, iso3166.tab), read once per process
from the tzdata package or the system's copy.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_location
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.validators import available_timezones

# A few zones many of our patients live in or travel to, after their own country's.
COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
)
MAX_COUNTRY_ZONES = 12  # big countries (US, Russia, Brazil) have dozens; their first ones do
MAX_MATCHES = 40
# Shorter names than iso3166.tab's for the countries people say differently.
COUNTRY_NAMES = {"GB": "UK", "US": "US", "RU": "Russia", "KR": "South Korea", "AE": "UAE"}
SYSTEM_ZONEINFO = Path("/usr/share/zoneinfo")


@dataclass(frozen=True)
class ZoneChoice:
    name: str  # "Europe/London"
    label: str  # "London (UK time) · UTC+0"


def _table(filename: str) -> list[list[str]]:
    try:
        text = importlib.resources.files("tzdata").joinpath("zoneinfo", filename).read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        path = SYSTEM_ZONEINFO / filename
        text = path.read_text() if path.exists() else ""
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def _countries() -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    """(zone -> country code, country code -> its zones in the table's order, code -> name)."""
    names = {row[0]: row[1] for row in _table("iso3166.tab") if len(row) >= 2}
    names.update(COUNTRY_NAMES)
    zone_country: dict[str, str] = {}
    country_zones: dict[str, list[str]] = {}
    known = available_timezones()
    for row in _table("zone.tab"):
        if len(row) >= 3 and row[2] in known:
            zone_country[row[2]] = row[0]
            country_zones.setdefault(row[0], []).append(row[2])
    return zone_country, {code: tuple(zones) for code, zones in country_zones.items()}, names


def country_name(code: str) -> str:
    """ "GB" -> "the UK"-style short names: "UK", "New Zealand"; the code if unknown."""
    return _countries()[2].get(code, code)


def utc_offset(name: str, now: dt.datetime) -> str:
    """ "UTC+0", "UTC+1", "UTC+5:30", "UTC-3" at ``now``."""
    offset = now.astimezone(ZoneInfo(name)).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _city(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("_", " ")


@functools.cache
def _place_in(language: str, name: str, code: str) -> tuple[str, str] | None:
    """(city, country) in ``language`` from the CLDR data ("Nueva York", "Estados Unidos"), or
    None where it has no names for them. English keeps the tz database's own short names."""
    try:
        locale = Locale.parse(language.replace("-", "_"))
        city = get_timezone_location(name, locale=locale, return_city=True)
    except (UnknownLocaleError, LookupError, ValueError):
        return None
    country = locale.territories.get(code)
    return (city, country) if city and country else None


def label(name: str, now: dt.datetime) -> str:
    """ "London (UK time) · UTC+0"; zones of no country keep their name: "UTC · UTC+0"."""
    zone_country, _zones, names = _countries()
    code = zone_country.get(name, "")
    country, city = names.get(code), _city(name)
    language = get_language() or "en"
    if country and not language.startswith("en"):
        city, country = _place_in(language, name, code) or (city, country)
    place = (
        _("%(city)s (%(country)s time)") % {"city": city, "country": country}
        if country
        else name.replace("_", " ")
    )
    return f"{place} · {utc_offset(name, now)}"


def _choices(names: list[str], now: dt.datetime) -> list[ZoneChoice]:
    return [ZoneChoice(name, label(name, now)) for name in names]


def likely_zones(
    current: str | None, now: dt.datetime, *, current_title: str = ""
) -> list[tuple[str, list[ZoneChoice]]]:
    """Groups for the picker, each zone once: the patient's zone, the other zones of its
    country, then a few common ones. Staff pages pass their own ``current_title``."""
    zone_country, country_zones, names = _countries()
    known = available_timezones()
    current_title = current_title or _("Your time zone now")
    groups: list[tuple[str, list[str]]] = []
    if current and current in known:
        groups.append((current_title, [current]))
        country = zone_country.get(current, "")
        others = [name for name in country_zones.get(country, ()) if name != current]
        if others:
            groups.append(
                (_("Also in %(country)s") % {"country": names[country]}, others[:MAX_COUNTRY_ZONES])
            )
    groups.append((_("Often chosen"), [name for name in COMMON_ZONES if name in known]))
    seen: set[str] = set()
    result = []
    for title, zone_names in groups:
        fresh = [name for name in zone_names if name not in seen]
        seen.update(fresh)
        if fresh:
            result.append((title, _choices(fresh, now)))
    return result


def _words(text: str) -> str:
    return re.sub(r"[\s_/()·-]+", " ", text.casefold()).strip()


def search(query: str, now: dt.datetime) -> list[ZoneChoice]:
    """Zones whose name, city or country contains every word of ``query`` ("auck", "new
    zealand", "buenos aires"), the best known first (zones of a country before aliases)."""
    wanted = _words(query).split()
    if not wanted:
        return []
    zone_country, _zones, names = _countries()
    found = []
    for name in sorted(available_timezones()):
        haystack = _words(f"{name} {names.get(zone_country.get(name, ''), '')}")
        if all(word in haystack for word in wanted):
            found.append(name)
    found.sort(key=lambda name: (name not in zone_country, name))
    return _choices(found[:MAX_MATCHES], now)

"""Time zones in the picker read in the person's language: cities and countries from the CLDR
data in Spanish, the tz database's short names in English."""

import datetime as dt

from django.utils import translation

from accounts import timezones

WINTER = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


def test_english_keeps_the_short_country_names():
    with translation.override("en"):
        assert timezones.label("America/New_York", WINTER) == "New York (US time) · UTC-5"
        assert timezones.label("Europe/London", WINTER) == "London (UK time) · UTC+0"


def test_spanish_names_cities_and_countries_in_spanish():
    with translation.override("es"):
        assert timezones.label("America/New_York", WINTER) == (
            "Nueva York (hora de Estados Unidos) · UTC-5"
        )
        assert timezones.label("Europe/London", WINTER) == "Londres (hora de Reino Unido) · UTC+0"


def test_zones_of_no_country_keep_their_name_in_any_language():
    with translation.override("es"):
        assert timezones.label("UTC", WINTER) == "UTC · UTC+0"

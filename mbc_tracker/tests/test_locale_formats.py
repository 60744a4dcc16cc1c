"""Dates and numbers as each language writes them: 1 March 2026 and 38.4 in English, 1 de marzo
de 2026 and 38,4 in Spanish; temperatures typed either way are read alike in both."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from lib import dates
from symptoms.forms import TemperatureField

DAY = dt.date(2026, 3, 1)  # a Sunday
FEVER = Decimal("38.4")


def rendered(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(
    "language,date,temperature",
    [("en", "1 March 2026", "38.4"), ("es", "1 de marzo de 2026", "38,4")],
)
def test_a_date_and_a_temperature_in_templates(language, date, temperature):
    assert rendered('{{ day|date:"FULL_DATE_FORMAT" }}', language, day=DAY) == date
    assert rendered("{{ t|floatformat:1 }}", language, t=FEVER) == temperature
    assert rendered("{{ t }}", language, t=FEVER) == temperature
    # A whole number keeps its tenth: 38.0 reads as a temperature, not a count.
    assert rendered("{{ t|floatformat:1 }}", language, t=Decimal("38")) == temperature[:3] + "0"


@pytest.mark.parametrize(
    "language,expected",
    [
        (
            "en",
            {
                "full": "1 March 2026",
                "long": "Sunday 1 March",
                "long_year": "Sunday 1 March 2026",
                "short": "1 Mar",
                "dated": "Sun 1 Mar 2026",
                "list": "1 Mar, 2 Mar 2026",
            },
        ),
        (
            "es",
            {
                "full": "1 de marzo de 2026",
                "long": "domingo 1 de marzo",
                "long_year": "domingo 1 de marzo de 2026",
                "short": "1 mar",
                "dated": "dom 1 mar 2026",
                "list": "1 mar, 2 mar 2026",
            },
        ),
    ],
)
def test_the_date_phrases_follow_the_language(language, expected):
    with translation.override(language):
        assert dates.full_date(DAY) == expected["full"]
        assert dates.long_date(DAY, today=DAY) == expected["long"]
        assert dates.long_date(DAY, today=dt.date(2027, 1, 1)) == expected["long_year"]
        assert dates.short_date(DAY) == expected["short"]
        assert dates.dated_day(DAY) == expected["dated"]
        assert dates.date_list([DAY, DAY + dt.timedelta(days=1)]) == expected["list"]
        assert dates.clock_time(dt.time(14, 3)) == "14:03"


def test_with_no_language_active_the_phrases_are_english():
    with translation.override(None):
        assert dates.full_date(DAY) == "1 March 2026"
        assert dates.short_date(DAY) == "1 Mar"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("typed", ["38,4", "38.4", " 38,4 "])
def test_a_temperature_is_read_with_a_comma_or_a_point_in_both_languages(language, typed):
    field = TemperatureField(label="Temperature", name="Temperature")
    with translation.override(language):
        assert field.clean(typed) == FEVER


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_temperature_that_is_not_a_number_is_refused_in_both_languages(language):
    from django.core.exceptions import ValidationError

    field = TemperatureField(label="Temperature", name="Temperature")
    with translation.override(language), pytest.raises(ValidationError):
        field.clean("38,4,1")

"""Trend cards: a symptom's chart, its description in words and its table, grouped by site.

Shown to patients (history, visit summary) and to their care team (the patient record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from symptoms import charts, selectors
from symptoms.catalogue import SiteInfo
from symptoms.selectors import SymptomSeries


@dataclass(frozen=True)
class TrendCard:
    series: SymptomSeries
    chart: charts.Chart
    description: str  # "Bone pain: noted on …", for the chart's <desc>
    rows: list[tuple[dt.date, str]]  # logged days only, in words

    @property
    def summary(self) -> str:
        """The description under a heading that already names the symptom."""
        return charts.without_name(self.description, self.series.symptom.name)

    @property
    def dom_id(self) -> str:
        return f"trend-{self.series.symptom.code}"


@dataclass(frozen=True)
class TrendGroup:
    site: SiteInfo
    cards: list[TrendCard]
    empty_text: str


def trend_card(
    series: SymptomSeries, logged: set[dt.date], *, fever_line: float, who: str = "you"
) -> TrendCard:
    kind = series.symptom.kind
    return TrendCard(
        series=series,
        chart=charts.chart_for(kind, series.days, series.values, fever_line=fever_line),
        description=charts.summarise(
            series.symptom.name,
            kind,
            series.days,
            series.values,
            len(logged),
            fever_line=fever_line,
            who=who,
        ),
        rows=[
            (day, charts.value_text(kind, value))
            for day, value in zip(series.days, series.values, strict=True)
            if day in logged
        ],
    )


def trend_groups(
    trends: selectors.History, own_sites: set[str], *, fever_line: float, who: str = "you"
) -> tuple[list[TrendGroup], list[SiteInfo]]:
    """Charts for symptoms with something to show, per site; and the other metastasis sites
    with nothing at all (named together in one line rather than one empty section each). The
    temperature charts draw ``fever_line``: the fever rule's threshold in force. ``who`` logged
    the days: "you" on the patient's pages, their name on staff pages."""
    shown: list[TrendGroup] = []
    quiet_other_sites: list[SiteInfo] = []
    days = len(trends.days)
    for site, series_list in trends.groups:
        cards = [
            trend_card(series, trends.logged, fever_line=fever_line, who=who)
            for series in series_list
            if charts.has_something(series.symptom.kind, series.values)
        ]
        if not cards and site.is_metastasis_site and site.code not in own_sites:
            quiet_other_sites.append(site)
            continue
        if site.is_metastasis_site:
            empty = quiet_text([site], days)
        else:
            empty = _("Nothing noted in these %(days)d days.") % {"days": days}
        shown.append(TrendGroup(site, cards, empty))
    return shown, quiet_other_sites


def quiet_text(sites: list[SiteInfo], days: int) -> str:
    """ "No brain, liver or lung symptoms in these 30 days.", or "" for no sites."""
    names = [site.name.lower() for site in sites]
    if not names:
        return ""
    if len(names) > 1:
        names = [_("%(names)s or %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}]
    return _("No %(sites)s symptoms in these %(days)d days.") % {"sites": names[0], "days": days}

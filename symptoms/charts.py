"""Small trend charts for the history page: geometry and plain-words summaries.

Pure functions over dates and numbers (no database; words in the active language), so they are
easy to test. The
template draws the shapes as inline SVG; nothing here knows about HTML.

A value of ``None`` means the day has no log (or, for temperature, no reading): lines break there
and nothing is drawn, so a gap is never mistaken for "no symptoms".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import dateformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from lib.dates import short_date

SEVERITY_MAX = 10
SEVERITY_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 0, "none"),
    (1, 3, "mild"),
    (4, 6, "moderate"),
    (7, 10, "severe"),
)

# The bands in words (the band names above are keys, for CSS and logic).
BAND_WORDS = {
    "none": pgettext_lazy("severity band", "none"),
    "mild": pgettext_lazy("severity band", "mild"),
    "moderate": pgettext_lazy("severity band", "moderate"),
    "severe": pgettext_lazy("severity band", "severe"),
}
YOU = "you"  # ``who`` on the patient's own pages

# Chart size in SVG user units. The SVG scales to the width of its box, so at a 390 px wide
# phone one unit is about one CSS pixel: text sizes here are roughly pixel sizes.
WIDTH = 340
LEFT = 78  # room for "moderate" beside its gridline
RIGHT = 8
TOP = 10
AXIS_ROOM = 24  # below the plot, for the date labels


def severity_band(value: float) -> str:
    """The ESAS band of a 0 to 10 score: none, mild (1-3), moderate (4-6) or severe (7-10)."""
    score = round(value)
    for low, high, name in SEVERITY_BANDS:
        if low <= score <= high:
            return name
    raise ValueError(f"A severity is from 0 to 10, not {value}.")


@dataclass(frozen=True, slots=True)
class Box:
    """The whole drawing (width by height) and the plot area inside it."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def plot_height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    day: dt.date
    value: float


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: dt.date


@dataclass(frozen=True, slots=True)
class Guide:
    """A horizontal line across the plot with a label at its left (gridline or reference)."""

    y: float
    label: str
    kind: str  # "axis" | "moderate" | "severe" | "reference"


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded strip behind the plot, such as the severe range 7 to 10."""

    y: float
    height: float
    kind: str


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str
    anchor: str  # SVG text-anchor: "start" | "middle" | "end"


@dataclass(frozen=True, slots=True)
class Chart:
    kind: str  # "severity" | "presence" | "temperature"
    box: Box
    paths: tuple[str, ...] = ()  # one SVG path per run of consecutive days with a value
    points: tuple[Point, ...] = ()
    bars: tuple[Bar, ...] = ()
    marks: tuple[Point, ...] = ()  # presence: the logged days answered "no"
    guides: tuple[Guide, ...] = ()
    bands: tuple[Band, ...] = ()
    ticks: tuple[Tick, ...] = ()
    radius: float = 3.0

    @property
    def label_x(self) -> float:
        """Right edge for the labels beside the gridlines."""
        return self.box.left - 6

    @property
    def label_y(self) -> float:
        """Baseline for the date labels under the plot."""
        return self.box.bottom + AXIS_ROOM - 6


def _round(value: float) -> float:
    return round(value, 1)


def _box(plot_height: float) -> Box:
    return Box(
        width=WIDTH,
        height=TOP + plot_height + AXIS_ROOM,
        left=LEFT,
        top=TOP,
        right=WIDTH - RIGHT,
        bottom=TOP + plot_height,
    )


def day_x(index: int, count: int, box: Box) -> float:
    """The middle of day ``index``'s slot when ``count`` days share the plot's width."""
    if count < 1 or not 0 <= index < count:
        raise ValueError("index must be within the days shown")
    return _round(box.left + (index + 0.5) * box.plot_width / count)


def scale_y(value: float, low: float, high: float, box: Box) -> float:
    """Where ``value`` sits between ``low`` (the bottom of the plot) and ``high`` (the top)."""
    clamped = min(max(value, low), high)
    return _round(box.bottom - (clamped - low) / (high - low) * box.plot_height)


def runs(values: Sequence[float | None]) -> list[list[int]]:
    """Indices of consecutive known values: [1, None, 2, 3] -> [[0], [2, 3]]."""
    result: list[list[int]] = []
    current: list[int] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                result.append(current)
            current = []
        else:
            current.append(index)
    if current:
        result.append(current)
    return result


def path_d(points: Sequence[Point]) -> str:
    """An SVG path through the points: "M x y L x y …"."""
    return " ".join(
        f"{'M' if index == 0 else 'L'}{_number(point.x)} {_number(point.y)}"
        for index, point in enumerate(points)
    )


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def date_ticks(days: Sequence[dt.date], box: Box) -> tuple[Tick, ...]:
    """Date labels: every day for a week, else the first, middle and last day."""
    count = len(days)
    if count == 0:
        return ()
    if count <= 7:
        return tuple(
            Tick(day_x(index, count, box), _weekday(day), "middle")
            for index, day in enumerate(days)
        )
    middle = count // 2
    return (
        Tick(box.left, short_date(days[0]), "start"),
        Tick(day_x(middle, count, box), short_date(days[middle]), "middle"),
        Tick(box.right, short_date(days[-1]), "end"),
    )


def _weekday(day: dt.date) -> str:
    """ "Mon": the short weekday name in the active language."""
    return dateformat.format(day, "D")


def _celsius(value: float, places: int) -> str:
    """ "38.4 °C" ("38,4 °C" in Spanish)."""
    return f"{number_format(value, places)} °C"


def _radius(count: int) -> float:
    if count <= 7:
        return 5.0
    if count <= 31:
        return 3.5
    return 2.2


def _line(
    days: Sequence[dt.date],
    values: Sequence[float | None],
    box: Box,
    low: float,
    high: float,
) -> tuple[tuple[str, ...], tuple[Point, ...]]:
    count = len(days)
    points_by_index = {
        index: Point(day_x(index, count, box), scale_y(value, low, high, box), days[index], value)
        for index, value in enumerate(values)
        if value is not None
    }
    paths = tuple(
        path_d([points_by_index[index] for index in run]) for run in runs(values) if len(run) > 1
    )
    return paths, tuple(points_by_index.values())


def _check(days: Sequence[dt.date], values: Sequence[float | None]) -> None:
    if len(days) != len(values):
        raise ValueError("days and values must be the same length")


def severity_chart(days: Sequence[dt.date], values: Sequence[float | None]) -> Chart:
    """A 0 to 10 line with gridlines at 4 (moderate) and 7 (severe) and the severe range shaded."""
    _check(days, values)
    box = _box(plot_height=110)

    def y(value: float) -> float:
        return scale_y(value, 0, SEVERITY_MAX, box)

    paths, points = _line(days, values, box, 0, SEVERITY_MAX)
    return Chart(
        kind="severity",
        box=box,
        paths=paths,
        points=points,
        guides=(
            Guide(y(10), _("10 worst"), "axis"),
            Guide(y(7), _("7 severe"), "severe"),
            Guide(y(4), _("4 moderate"), "moderate"),
            Guide(y(0), _("0 none"), "axis"),
        ),
        bands=(
            Band(y(10), y(7) - y(10), "severe"),
            Band(y(7), y(4) - y(7), "moderate"),
        ),
        ticks=date_ticks(days, box),
        radius=_radius(len(days)),
    )


def presence_chart(days: Sequence[dt.date], values: Sequence[float | None]) -> Chart:
    """A bar on each "yes" day and a small mark on each logged "no" day."""
    _check(days, values)
    box = _box(plot_height=40)
    count = len(days)
    slot = box.plot_width / count if count else 0
    width = _round(max(min(slot * 0.7, 18.0), 2.0))
    bars: list[Bar] = []
    marks: list[Point] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        x = day_x(index, count, box)
        if value:
            bars.append(Bar(_round(x - width / 2), box.top, width, box.plot_height, days[index]))
        else:
            marks.append(Point(x, box.bottom, days[index], 0.0))
    return Chart(
        kind="presence",
        box=box,
        bars=tuple(bars),
        marks=tuple(marks),
        guides=(
            Guide(box.top, pgettext("answer", "yes"), "axis"),
            Guide(box.bottom, pgettext("answer", "no"), "axis"),
        ),
        ticks=date_ticks(days, box),
        radius=min(_radius(count), 3.0),
    )


def temperature_scale(values: Sequence[float | None]) -> tuple[float, float]:
    """35.0 to 40.0 °C, widened to whole degrees if a reading falls outside it."""
    known = [value for value in values if value is not None]
    low = min([35.0, *known])
    high = max([40.0, *known])
    return float(math.floor(low)), float(math.ceil(high))


def temperature_chart(
    days: Sequence[dt.date],
    values: Sequence[float | None],
    *,
    fever_line: float,
) -> Chart:
    """Readings in °C with a reference line at the fever rule's threshold (the caller's: the one
    in force)."""
    _check(days, values)
    box = _box(plot_height=80)
    low, high = temperature_scale(values)
    paths, points = _line(days, values, box, low, high)
    top = scale_y(high, low, high, box)
    line = scale_y(fever_line, low, high, box)
    return Chart(
        kind="temperature",
        box=box,
        paths=paths,
        points=points,
        guides=(
            Guide(top, _celsius(high, 0), "axis"),
            Guide(line, _celsius(fever_line, 1), "reference"),
            Guide(scale_y(low, low, high, box), _celsius(low, 0), "axis"),
        ),
        bands=(Band(top, line - top, "severe"),),
        ticks=date_ticks(days, box),
        radius=_radius(len(days)),
    )


def chart_for(
    kind: str, days: Sequence[dt.date], values: Sequence[float | None], *, fever_line: float
) -> Chart:
    if kind == "temperature":
        return temperature_chart(days, values, fever_line=fever_line)
    builders = {"severity": severity_chart, "presence": presence_chart}
    try:
        return builders[kind](days, values)
    except KeyError:
        raise ValueError(f"No chart for symptoms of kind {kind!r}.") from None


def has_something(kind: str, values: Sequence[float | None]) -> bool:
    """Whether a symptom has anything worth a chart: a score above 0, a "yes" or a reading."""
    known = [value for value in values if value is not None]
    if kind == "temperature":
        return bool(known)
    return any(value > 0 for value in known)


def value_text(kind: str, value: float | None) -> str:
    """One day's value in words: "6 (moderate)", "yes", "37.5 °C", "not taken"."""
    if kind == "severity":
        if value is None:
            return _("not logged")
        return f"{value:.0f} ({BAND_WORDS[severity_band(value)]})"
    if kind == "presence":
        if value is None:
            return _("not logged")
        return pgettext("answer", "yes") if value else pgettext("answer", "no")
    if value is None:
        return _("not taken")
    return _celsius(value, 1)


def _last_day_with(
    days: Sequence[dt.date], values: Sequence[float | None], wanted: float
) -> dt.date:
    return max(day for day, value in zip(days, values, strict=True) if value == wanted)


def summarise(
    name: str,
    kind: str,
    days: Sequence[dt.date],
    values: Sequence[float | None],
    logged_days: int,
    *,
    fever_line: float,
    who: str = YOU,
) -> str:
    """A sentence or two about a symptom over the window, for the chart's description. ``who``
    logged: "you" for the patient, their name for staff.

    "Bone pain: noted on 5 of the 12 days you logged. Highest 6 (moderate) on 3 Nov; latest 4
    (moderate) on 24 Nov." Under a heading that already names the symptom, show
    ``without_name(text, name)``.
    """
    _check(days, values)
    known = [(day, value) for day, value in zip(days, values, strict=True) if value is not None]
    window = len(days)
    if not known:
        if kind == "temperature":
            return _("%(name)s: no readings in these %(days)d days.") % {
                "name": name,
                "days": window,
            }
        return _("%(name)s: no days logged in these %(days)d days.") % {
            "name": name,
            "days": window,
        }
    latest_day, latest = known[-1]
    if who == YOU:
        of_logged = ngettext(
            "%(count)d day you logged", "%(count)d days you logged", logged_days
        ) % {"count": logged_days}
    else:
        of_logged = ngettext(
            "%(count)d day %(who)s logged", "%(count)d days %(who)s logged", logged_days
        ) % {"count": logged_days, "who": who}
    words = {"name": name, "of_logged": of_logged}
    if kind in ("severity", "temperature"):
        peak = max(value for _day, value in known)
        peak_day = _last_day_with(days, values, peak)
        words |= {
            "peak": value_text(kind, peak),
            "peak_day": short_date(peak_day),
            "latest": value_text(kind, latest),
            "latest_day": short_date(latest_day),
        }
    if kind == "severity":
        noted = sum(1 for _day, value in known if value > 0)
        if peak == 0:
            return _("%(name)s: none on any of the %(of_logged)s.") % words
        return (
            _("%(name)s: noted on %(noted)d of the %(of_logged)s.") % (words | {"noted": noted})
            + " "
            + _("Highest %(peak)s on %(peak_day)s; latest %(latest)s on %(latest_day)s.") % words
        )
    if kind == "presence":
        yes_days = [day for day, value in known if value]
        if not yes_days:
            return _("%(name)s: no on all of the %(of_logged)s.") % words
        return _("%(name)s: yes on %(yes)d of the %(of_logged)s, most recently %(last)s.") % (
            words | {"yes": len(yes_days), "last": short_date(yes_days[-1])}
        )
    taken = len(known)
    high = sum(1 for _day, value in known if value >= fever_line)
    sentence = (
        ngettext("%(name)s: taken on %(count)d day.", "%(name)s: taken on %(count)d days.", taken)
        % {"name": name, "count": taken}
        + " "
        + _("Highest %(peak)s on %(peak_day)s; latest %(latest)s on %(latest_day)s.") % words
    )
    if high:
        sentence += " " + ngettext(
            "%(fever)s or more on %(count)d day.", "%(fever)s or more on %(count)d days.", high
        ) % {"fever": _celsius(fever_line, 1), "count": high}
    return sentence


def without_name(summary: str, name: str) -> str:
    """The summary for a place that already shows the name: "Noted on 5 of the 12 days…"."""
    prefix = f"{name}: "
    if not summary.startswith(prefix):
        return summary
    rest = summary[len(prefix) :]
    return rest[:1].upper() + rest[1:]

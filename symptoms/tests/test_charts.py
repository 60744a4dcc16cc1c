"""Chart geometry and summaries: pure functions, no database."""

import datetime as dt

import pytest

from lib.dates import long_date, short_date
from symptoms import charts

FEVER = 38.0  # the fever rule's shipped threshold

DAY = dt.date(2025, 11, 1)


def days(count: int) -> list[dt.date]:
    return [DAY + dt.timedelta(days=offset) for offset in range(count)]


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "none"),
        (1, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (6, "moderate"),
        (7, "severe"),
        (10, "severe"),
    ],
)
def test_severity_bands_follow_esas(value, band):
    assert charts.severity_band(value) == band


def test_severity_band_rejects_values_off_the_scale():
    with pytest.raises(ValueError):
        charts.severity_band(11)


def test_runs_split_at_days_without_a_value():
    assert charts.runs([1, None, 2, 3, None, None, 0]) == [[0], [2, 3], [6]]
    assert charts.runs([None, None]) == []
    assert charts.runs([]) == []


def test_days_sit_in_the_middle_of_equal_slots():
    box = charts.Box(width=100, height=50, left=0, top=0, right=100, bottom=50)
    assert [charts.day_x(index, 4, box) for index in range(4)] == [12.5, 37.5, 62.5, 87.5]
    with pytest.raises(ValueError):
        charts.day_x(4, 4, box)


def test_scale_y_puts_low_at_the_bottom_and_clamps():
    box = charts.Box(width=100, height=120, left=0, top=10, right=100, bottom=110)
    assert charts.scale_y(0, 0, 10, box) == 110
    assert charts.scale_y(10, 0, 10, box) == 10
    assert charts.scale_y(4, 0, 10, box) == 70
    assert charts.scale_y(12, 0, 10, box) == 10


def test_path_d_draws_through_the_points():
    points = [charts.Point(1.5, 2, DAY, 1), charts.Point(3, 4.5, DAY, 2)]
    assert charts.path_d(points) == "M1.5 2 L3 4.5"
    assert charts.path_d([]) == ""


def test_severity_chart_breaks_the_line_on_gaps_and_keeps_single_days_as_points():
    chart = charts.severity_chart(days(5), [2, 5, None, 7, None])
    assert chart.kind == "severity"
    assert len(chart.points) == 3  # every logged day is a dot
    assert len(chart.paths) == 1  # only days 1-2 are consecutive; day 4 stands alone
    assert chart.paths[0].startswith("M") and " L" in chart.paths[0]
    by_value = {point.value: point.y for point in chart.points}
    assert by_value[7] < by_value[5] < by_value[2]  # higher scores are drawn higher up
    labels = [guide.label for guide in chart.guides]
    assert "7 severe" in labels and "4 moderate" in labels
    severe = next(guide for guide in chart.guides if guide.kind == "severe")
    moderate = next(guide for guide in chart.guides if guide.kind == "moderate")
    assert chart.box.top < severe.y < moderate.y < chart.box.bottom
    assert [band.kind for band in chart.bands] == ["severe", "moderate"]


def test_points_stay_inside_the_plot():
    chart = charts.severity_chart(days(90), [float(index % 11) for index in range(90)])
    box = chart.box
    for point in chart.points:
        assert box.left <= point.x <= box.right
        assert box.top <= point.y <= box.bottom
    assert chart.radius < charts.severity_chart(days(7), [1] * 7).radius


def test_date_ticks_every_day_for_a_week_else_first_middle_last():
    week = charts.severity_chart(days(7), [0] * 7)
    assert [tick.label for tick in week.ticks] == ["Sat", "Sun", "Mon", "Tue", "Wed", "Thu", "Fri"]
    month = charts.severity_chart(days(30), [0] * 30)
    assert [tick.label for tick in month.ticks] == ["1 Nov", "16 Nov", "30 Nov"]
    assert [tick.anchor for tick in month.ticks] == ["start", "middle", "end"]


def test_presence_chart_has_bars_on_yes_days_and_marks_on_logged_no_days():
    chart = charts.presence_chart(days(4), [1.0, 0.0, None, 1.0])
    assert [bar.day for bar in chart.bars] == [DAY, DAY + dt.timedelta(days=3)]
    assert [mark.day for mark in chart.marks] == [DAY + dt.timedelta(days=1)]
    assert chart.paths == ()
    for bar in chart.bars:
        assert bar.width > 0 and bar.height == chart.box.plot_height


def test_temperature_chart_has_a_fever_line_and_widens_for_outliers():
    chart = charts.temperature_chart(days(3), [36.8, None, 38.4], fever_line=FEVER)
    reference = next(guide for guide in chart.guides if guide.kind == "reference")
    assert reference.label == "38.0 °C"
    high = next(point for point in chart.points if point.value == 38.4)
    assert high.y < reference.y  # above the line
    assert chart.paths == ()  # the two readings are not on consecutive days
    assert charts.temperature_scale([36.5]) == (35.0, 40.0)
    assert charts.temperature_scale([34.2, 41.3]) == (34.0, 42.0)
    assert charts.temperature_scale([None]) == (35.0, 40.0)


def test_chart_for_picks_by_kind_and_checks_lengths():
    assert charts.chart_for("presence", days(2), [None, 1.0], fever_line=FEVER).kind == "presence"
    with pytest.raises(ValueError):
        charts.chart_for("mood", days(2), [None, 1.0], fever_line=FEVER)
    with pytest.raises(ValueError):
        charts.severity_chart(days(2), [1])


def test_has_something():
    assert not charts.has_something("severity", [0, None, 0])
    assert charts.has_something("severity", [0, 1])
    assert not charts.has_something("presence", [0.0, None])
    assert charts.has_something("presence", [None, 1.0])
    assert charts.has_something("temperature", [None, 36.5])
    assert not charts.has_something("temperature", [None, None])


def test_value_text():
    assert charts.value_text("severity", 6) == "6 (moderate)"
    assert charts.value_text("severity", 0) == "0 (none)"
    assert charts.value_text("presence", 1.0) == "yes"
    assert charts.value_text("presence", 0.0) == "no"
    assert charts.value_text("temperature", 37.2) == "37.2 °C"
    assert charts.value_text("temperature", None) == "not taken"
    assert charts.value_text("severity", None) == "not logged"


def test_severity_summary_names_the_peak_and_latest_days():
    values = [None, 2, 6, 0, None, 6, 4]
    text = charts.summarise(
        "Bone pain", "severity", days(7), values, logged_days=5, fever_line=FEVER
    )
    assert text == (
        "Bone pain: noted on 4 of the 5 days you logged. "
        "Highest 6 (moderate) on 6 Nov; latest 4 (moderate) on 7 Nov."
    )


def test_presence_and_temperature_summaries():
    text = charts.summarise(
        "Seizure (fit)", "presence", days(3), [0.0, 1.0, 0.0], logged_days=3, fever_line=FEVER
    )
    assert text == "Seizure (fit): yes on 1 of the 3 days you logged, most recently 2 Nov."
    text = charts.summarise(
        "Temperature", "temperature", days(3), [37.0, None, 38.2], 3, fever_line=FEVER
    )
    assert text == (
        "Temperature: taken on 2 days. Highest 38.2 °C on 3 Nov; latest 38.2 °C on 3 Nov. "
        "38.0 °C or more on 1 day."
    )
    assert charts.summarise(
        "Temperature", "temperature", days(2), [None, None], 2, fever_line=FEVER
    ) == ("Temperature: no readings in these 2 days.")
    assert charts.summarise("Cough", "severity", days(2), [0, 0], 2, fever_line=FEVER) == (
        "Cough: none on any of the 2 days you logged."
    )


def test_without_name_for_places_that_already_show_it():
    text = "Bone pain: noted on 1 of the 2 days you logged."
    assert charts.without_name(text, "Bone pain") == "Noted on 1 of the 2 days you logged."
    assert charts.without_name(text, "Cough") == text


def test_dates_in_words():
    assert short_date(dt.date(2025, 11, 3)) == "3 Nov"
    assert long_date(dt.date(2025, 11, 26)) == "Wednesday 26 November"

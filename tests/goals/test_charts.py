"""Chart coordinates: values and trajectory inside the plot, ticks, and the table rows."""

import datetime
from decimal import Decimal

from goals.charts import SeriesValue, build_chart, nice_step, value_range
from goals.models import Metric, Unit
from goals.status import build_trajectory

D = datetime.date


def metric(unit=Unit.PERCENT, decimals=1):
    return Metric(name="Attendance", unit=unit, decimals=decimals)


TRAJECTORY = build_trajectory(
    baseline_on=D(2015, 6, 30),
    baseline_value=Decimal("90"),
    target_on=D(2019, 6, 30),
    target_value=Decimal("96"),
    interim=[(D(2017, 6, 30), Decimal("94"))],
)
SERIES = [
    SeriesValue(D(2016, 6, 30), Decimal("91")),
    SeriesValue(D(2017, 6, 30), None, text="Suppressed (n<10)"),
    SeriesValue(D(2018, 6, 30), Decimal("93.5"), is_below_min_n=True),
]


def chart(**kwargs):
    options = {
        "metric": metric(),
        "trajectory": TRAJECTORY,
        "series": SERIES,
        "series_label": "District",
        "as_of": D(2018, 6, 30),
    }
    return build_chart(**(options | kwargs))


def test_every_point_lies_inside_the_plot_area():
    drawn = chart()
    points = drawn.values.points + drawn.trajectory.points
    for point in points:
        assert drawn.left <= point.x <= drawn.plot_right
        assert drawn.top <= point.y <= drawn.plot_bottom


def test_trajectory_runs_from_baseline_to_target_through_the_interim_target():
    drawn = chart()
    assert [p.on for p in drawn.trajectory.points] == [
        D(2015, 6, 30),
        D(2017, 6, 30),
        D(2019, 6, 30),
    ]
    first, last = drawn.trajectory.points[0], drawn.trajectory.points[-1]
    assert first.x == drawn.left
    assert last.x == drawn.plot_right
    assert last.y < first.y  # higher values are drawn higher up


def test_hidden_values_are_left_out_of_the_line_but_named_in_the_table():
    drawn = chart()
    assert [p.on for p in drawn.values.points] == [D(2016, 6, 30), D(2018, 6, 30)]
    assert drawn.values.points[1].is_below_min_n
    rows = {row.on: row for row in drawn.rows}
    assert rows[D(2017, 6, 30)].value == "Suppressed (n<10)"
    assert rows[D(2018, 6, 30)].value == "93.5%"
    assert "below the minimum n" in rows[D(2018, 6, 30)].note


def test_table_repeats_the_numbers_with_expected_values_and_target_notes():
    rows = {row.on: row for row in chart().rows}
    assert rows[D(2015, 6, 30)].note == "Baseline"
    assert rows[D(2015, 6, 30)].value == "—"
    assert rows[D(2017, 6, 30)].note == "Interim target"
    assert rows[D(2017, 6, 30)].expected == "94.0%"
    assert rows[D(2019, 6, 30)].note == "Target"
    assert rows[D(2016, 6, 30)].expected == "92.0%"  # halfway from 90 to 94


def test_polyline_lists_the_points_in_date_order():
    drawn = chart()
    pairs = drawn.values.polyline.split()
    assert len(pairs) == 2
    xs = [float(pair.split(",")[0]) for pair in pairs]
    assert xs == sorted(xs)


def test_ticks_mark_school_years_and_round_values():
    drawn = chart()
    assert [t.label for t in drawn.x_ticks] == [
        "2014-15",
        "2015-16",
        "2016-17",
        "2017-18",
        "2018-19",
    ]
    labels = [t.label for t in drawn.y_ticks]
    assert labels == ["88%", "90%", "92%", "94%", "96%", "98%"]
    assert drawn.as_of_x is not None


def test_comparison_series_is_drawn_and_tabled_beside_the_values():
    drawn = chart(
        comparison=[SeriesValue(D(2016, 6, 30), Decimal("92"))],
        comparison_label="District",
        series_label="North",
    )
    assert drawn.comparison.label == "District"
    assert len(drawn.comparison.points) == 1
    assert {row.on: row.comparison for row in drawn.rows}[D(2016, 6, 30)] == "92.0%"


def test_chart_without_values_still_draws_the_trajectory_and_says_so():
    drawn = chart(series=[])
    assert drawn.values.points == ()
    assert len(drawn.trajectory.points) == 3
    assert drawn.description.startswith("No values yet.")


def test_description_reads_the_latest_value_against_the_expected_one():
    text = chart().description
    assert "latest 93.5% for the period ending 2018-06-30" in text
    assert "expected 95.0%" in text
    assert "target 96.0% by 2019-06-30" in text


def test_percent_axis_stays_between_0_and_100():
    low, high, step = value_range([97.0, 99.5, 100.0], unit=Unit.PERCENT)
    assert high == 100.0
    assert low >= 0
    assert (high - low) / step == int((high - low) / step)


def test_counts_axis_does_not_go_below_zero():
    low, _high, _step = value_range([0.0, 1.0, 2.0], unit=Unit.COUNT)
    assert low == 0.0


def test_nice_steps_are_one_two_or_five_times_a_power_of_ten():
    assert nice_step(10) == 5
    assert nice_step(7.2) == 2
    assert nice_step(0.3) == 0.1
    assert nice_step(400) == 100

"""Trend charts as coordinates for server-rendered SVG: values against the trajectory.

`build_chart` turns a series of values and a metric's target trajectory into the
coordinates a template draws (`templates/goals/_chart.html`): the trajectory as a
dashed line, the values as a solid line with a marker per point, an optional second
series for comparison, axis ticks, and the same numbers as table rows for readers who
cannot see the chart. No JavaScript and nothing fetched: the chart works offline and
prints.
"""

import datetime
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import NamedTuple

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .display import (
    EMPTY,
    format_number,
    format_value,
    school_year_label,
    value_formatter,
)
from .models import Unit
from .status import Trajectory, expected_value

SIZES = {
    # name: (width, height, left margin, right margin, top margin, bottom margin)
    "small": (320, 150, 40, 24, 10, 24),
    "large": (760, 300, 48, 28, 14, 30),
}


class ChartPoint(NamedTuple):
    """One drawn point: its place in the drawing and what it stands for."""

    x: float
    y: float
    on: datetime.date
    text: str
    is_below_min_n: bool = False
    partial_note: str = ""  # a partial period's coverage ("17 of 612 schools reported")


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ChartRow:
    """One row of the table that repeats the chart's numbers."""

    on: datetime.date
    value: str
    comparison: str
    expected: str
    note: str


@dataclass(frozen=True)
class ChartSeries:
    """A line of values: its points and the SVG polyline through them."""

    label: str
    points: tuple[ChartPoint, ...]

    @property
    def polyline(self) -> str:
        """The line through the complete periods: a partial one is a mark, unjoined."""
        return " ".join(
            f"{p.x:.1f},{p.y:.1f}" for p in self.points if not p.partial_note
        )

    @property
    def has_partial(self) -> bool:
        return any(p.partial_note for p in self.points)


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw one chart and its table."""

    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    values: ChartSeries
    comparison: ChartSeries | None
    trajectory: ChartSeries
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    as_of_x: float | None
    rows: tuple[ChartRow, ...]
    size: str = "small"

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    # The per-point markup is written here rather than by template loops: a dashboard
    # of weekly metrics over years draws a point and a table row per value, too many
    # for the template engine to render quickly (docs/benchmarks.md).

    @property
    def value_marks(self) -> str:
        """A circle per value, with its period and value as a tooltip.

        A partial period is a hollow triangle instead, off the line: its shape, not
        its colour, says it is partial, and its tooltip says how many reported.
        """
        radius = 4.5 if self.size == "large" else 3.5

        def mark(p: ChartPoint) -> str:
            if p.partial_note:
                r = radius + 1.5
                return (
                    f'<path class="chart-partial-mark" d="M{p.x:.1f} {p.y - r:.1f} '
                    f"L{p.x + r:.1f} {p.y + r * 0.8:.1f} L{p.x - r:.1f} "
                    f'{p.y + r * 0.8:.1f} Z"><title>{p.on.isoformat()}: '
                    f"{escape(p.text)} ({escape(_('partial'))}: "
                    f"{escape(p.partial_note)})</title></path>"
                )
            return (
                f'<circle class="chart-value-mark'
                f'{" chart-below-min-n" if p.is_below_min_n else ""}" '
                f'cx="{p.x:.1f}" cy="{p.y:.1f}" r="{radius}">'
                f"<title>{p.on.isoformat()}: {escape(p.text)}</title></circle>"
            )

        return mark_safe("".join(mark(p) for p in self.values.points))

    @property
    def comparison_marks(self) -> str:
        """A square per value of the comparison series."""
        if self.comparison is None:
            return ""
        return mark_safe(
            "".join(
                f'<rect class="chart-comparison-mark" x="{p.x:.1f}" y="{p.y:.1f}" '
                'width="6" height="6" transform="translate(-3 -3)"></rect>'
                for p in self.comparison.points
            )
        )

    @property
    def table_rows(self) -> str:
        """The rows of the table that repeats the chart's numbers."""
        with_comparison = self.comparison is not None
        return mark_safe(
            "\n".join(
                f'<tr><th scope="row">{r.on.isoformat()}</th>'
                f'<td class="numeric">{escape(r.value)}</td>'
                + (
                    f'<td class="numeric">{escape(r.comparison)}</td>'
                    if with_comparison
                    else ""
                )
                + f'<td class="numeric">{escape(r.expected)}</td>'
                f"<td>{escape(r.note)}</td></tr>"
                for r in self.rows
            )
        )


class SeriesValue(NamedTuple):
    """A value to draw; `value` is None when it may not be shown, `text` says why."""

    on: datetime.date
    value: Decimal | None
    is_below_min_n: bool = False
    text: str = ""
    partial_note: str = ""  # a partial period's coverage, empty when complete


def nice_step(span: float, count: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) dividing `span` in about `count`."""
    if span <= 0:
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover


def value_range(values: Sequence[float], *, unit: str) -> tuple[float, float, float]:
    """The y-axis: low and high ends on round numbers around the values, and the step.

    Percents stay within 0-100; counts, rates and days do not go below zero.
    """
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    step = nice_step(high - low + 2 * pad)
    low = math.floor((low - pad) / step) * step
    high = math.ceil((high + pad) / step) * step
    if unit == Unit.PERCENT:
        low, high = max(low, 0.0), min(high, 100.0)
    elif unit != Unit.SCORE and low < 0 <= min(values):
        low = 0.0
    return low, high, step


def tick_label(value: float, step: float, *, unit: str) -> str:
    """A short axis label: as many decimals as the step needs; "%" for percents."""
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    number = format_number(Decimal(str(round(value, 6))), decimals)
    return f"{number}%" if unit == Unit.PERCENT else number


def build_chart(
    *,
    metric,
    trajectory: Trajectory,
    series: Sequence[SeriesValue],
    series_label: str,
    comparison: Sequence[SeriesValue] = (),
    comparison_label: str = "",
    as_of: datetime.date | None = None,
    size: str = "small",
) -> Chart:
    """A chart of `series` (and `comparison`) against `trajectory`, for `metric`."""
    width, height, left, right, top, bottom = SIZES[size]
    shown = [s for s in series if s.value is not None]
    compared = [s for s in comparison if s.value is not None]
    dates = [p.on for p in trajectory.points] + [s.on for s in shown + compared]
    first, last = min(dates), max(dates)
    if as_of is not None and first <= as_of:
        last = max(last, as_of)
    numbers = [float(p.value) for p in trajectory.points] + [
        float(s.value) for s in shown + compared if s.value is not None
    ]
    low, high, step = value_range(numbers, unit=metric.unit)
    days = max((last - first).days, 1)

    def x_of(on: datetime.date) -> float:
        return left + (width - left - right) * (on - first).days / days

    def y_of(value: Decimal | float) -> float:
        share = (float(value) - low) / (high - low)
        return top + (height - top - bottom) * (1 - share)

    # Row values repeat point values: each is formatted once.
    text = functools.cache(value_formatter(unit=metric.unit, decimals=metric.decimals))

    def as_series(label, values):
        points = tuple(
            ChartPoint(
                x_of(s.on),
                y_of(s.value),
                s.on,
                s.text or text(s.value),  # a shown value comes with its text
                s.is_below_min_n,
                s.partial_note,
            )
            for s in values
        )
        return ChartSeries(label=label, points=points)

    trajectory_series = ChartSeries(
        label=_("Target trajectory"),
        points=tuple(
            ChartPoint(x_of(p.on), y_of(p.value), p.on, text(p.value))
            for p in trajectory.points
        ),
    )
    y_ticks = tuple(
        Tick(y_of(low + i * step), tick_label(low + i * step, step, unit=metric.unit))
        for i in range(int(round((high - low) / step)) + 1)
    )
    june_ends = [
        datetime.date(year, 6, 30)
        for year in range(first.year, last.year + 1)
        if first <= datetime.date(year, 6, 30) <= last
    ]
    every = max(1, math.ceil(len(june_ends) / (6 if size == "small" else 10)))
    x_ticks = tuple(Tick(x_of(on), school_year_label(on)) for on in june_ends[::every])
    values = as_series(series_label, shown)
    return Chart(
        title=_("%(metric)s: %(series)s against the target trajectory")
        % {"metric": metric.name, "series": series_label},
        description=describe(metric, trajectory, shown, series_label, as_of),
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        values=values,
        comparison=as_series(comparison_label, compared) if compared else None,
        trajectory=trajectory_series,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        as_of_x=x_of(as_of) if as_of is not None and first <= as_of <= last else None,
        rows=table_rows(metric, trajectory, series, comparison, text=text),
        size=size,
    )


def describe(metric, trajectory, shown, series_label, as_of) -> str:
    """One sentence a screen reader can read instead of looking at the chart."""

    def text(value):
        return format_value(value, unit=metric.unit, decimals=metric.decimals)

    start, end = trajectory.points[0], trajectory.points[-1]
    goal = _("Baseline %(baseline)s in %(start)s, target %(target)s by %(end)s.") % {
        "baseline": text(start.value),
        "start": school_year_label(start.on),
        "target": text(end.value),
        "end": end.on.isoformat(),
    }
    if not shown:
        return _("No values yet.") + " " + goal
    complete = [s for s in shown if not s.partial_note]
    latest = complete[-1] if complete else shown[-1]
    newest = shown[-1]
    partial = (
        " "
        + _("The period ending %(on)s is partial: %(coverage)s.")
        % {"on": newest.on.isoformat(), "coverage": newest.partial_note}
        if newest.partial_note
        else ""
    )
    return (
        _(
            "%(series)s: %(count)s values from %(first)s to %(last)s; latest "
            "%(latest)s for the period ending %(on)s, expected %(expected)s."
        )
        % {
            "series": series_label,
            "count": len(shown),
            "first": shown[0].on.isoformat(),
            "last": newest.on.isoformat(),
            "latest": text(latest.value),
            "on": latest.on.isoformat(),
            "expected": text(expected_value(trajectory, latest.on)),
        }
        + partial
        + " "
        + goal
    )


def table_rows(
    metric, trajectory, series, comparison, *, text=None
) -> tuple[ChartRow, ...]:
    """The chart's numbers by date: value, comparison, expected value, and a note."""
    text = text or value_formatter(unit=metric.unit, decimals=metric.decimals)

    notes = {
        "baseline": _("Baseline"),
        "interim": _("Interim target"),
        "target": _("Target"),
    }
    by_date = {s.on: s for s in series}
    compared = {s.on: s for s in comparison}
    marks = {p.on: notes[p.kind] for p in trajectory.points}
    rows = []
    for on in sorted({*by_date, *compared, *marks}):
        value = by_date.get(on)
        other = compared.get(on)
        rows.append(
            ChartRow(
                on=on,
                value=shown_text(value, text),
                comparison=shown_text(other, text),
                expected=text(expected_value(trajectory, on)),
                note=marks.get(on, "")
                + (
                    _(" (below the minimum n)")
                    if value and value.is_below_min_n
                    else ""
                )
                + (
                    _(" Partial: %(coverage)s.") % {"coverage": value.partial_note}
                    if value and value.partial_note
                    else ""
                ),
            )
        )
    return tuple(rows)


def shown_text(value: SeriesValue | None, text) -> str:
    if value is None:
        return EMPTY
    if value.value is None:
        return value.text or EMPTY
    return value.text or text(value.value)

"""Status rules for metrics and goals: pure functions over values, no database access.

A metric's *trajectory* runs from its baseline (baseline_on, baseline_value) through its
interim targets (due_on, value) to its final target (target_on, target_value). The
*expected value* on a date is read off that trajectory by linear interpolation between
the two surrounding points; before the baseline date it is the baseline value, after the
target date the target value.

Statuses are judged *as of* a date (`judged_on`): a school year still running is
judged as of today, a past one as of its last day (30 June), one not yet begun as of its
first day (1 July); any other date may be chosen (`as_of_error` says which dates are
supported). A metric's status as of a date comes from its latest value on or before
that date:

- NO_DATA: there is no value.
- STALE: the latest value is older than the metric's frequency allows
  (`STALE_AFTER_DAYS`, counted from the value's period end to the as-of date).
- Otherwise the value is compared with the expected value *at the value's own period
  end* (a value describes its period, so it is judged against where the trajectory stood
  then), in the metric's direction:
  ON_TRACK when at or better than expected; AT_RISK when worse by at most the metric's
  tolerance; OFF_TRACK when worse by more.

A goal's status is the worst of its metrics' statuses, in the order of
`GOAL_STATUS_ORDER` (worst first): off track, at risk, stale, no data, on track. So a goal
is on track only when every one of its metrics is; a goal without metrics has no data.
NOT_APPLICABLE: the scope (a network, a school) has none of the metric's population
(`goals.populations`); it counts for a goal only when every metric is not applicable.

Small-number suppression is decided here too (`is_suppressed`): a value whose
denominator n is below the metric's minimum n is not shown to viewers.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Direction, Frequency, school_year_end


class Status(models.TextChoices):
    """Where a metric or goal stands against its target trajectory."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    STALE = "stale", _("Stale")
    NO_DATA = "no_data", _("No data")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# Days a value stays current after its period end, per frequency: a little more than one
# period, so a value that arrives some days after its period closes is not stale.
STALE_AFTER_DAYS = {
    Frequency.WEEKLY: 14,
    Frequency.MONTHLY: 45,
    Frequency.QUARTERLY: 120,
    Frequency.YEARLY: 400,
}

# The dates statuses may be judged on: school years 1950-51 to 2099-2100. Earlier or
# later dates are refused rather than judged against data nobody entered.
EARLIEST_AS_OF = datetime.date(1950, 7, 1)
LATEST_AS_OF = datetime.date(2100, 6, 30)

# Worst first: a goal takes the first of these that any of its metrics has.
GOAL_STATUS_ORDER = (
    Status.OFF_TRACK,
    Status.AT_RISK,
    Status.STALE,
    Status.NO_DATA,
    Status.ON_TRACK,
    Status.NOT_APPLICABLE,
)

# The statuses that judge a current value against its expected value.
JUDGED = frozenset({Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK})


@dataclass(frozen=True)
class TrajectoryPoint:
    """A point the metric should pass through: baseline, interim target or target."""

    on: datetime.date
    value: Decimal
    kind: str  # "baseline", "interim" or "target"


@dataclass(frozen=True)
class Trajectory:
    """The target trajectory of a metric, points in date order."""

    points: tuple[TrajectoryPoint, ...]

    @property
    def start(self) -> datetime.date:
        return self.points[0].on

    @property
    def end(self) -> datetime.date:
        return self.points[-1].on


@dataclass(frozen=True)
class MetricStatus:
    """A metric's status as of a date, with the numbers it was derived from."""

    status: Status
    value: Decimal | None = None
    period_end: datetime.date | None = None
    expected: Decimal | None = None
    # Positive when better than expected, negative when worse (direction-aware).
    margin: Decimal | None = None


def build_trajectory(
    *,
    baseline_on: datetime.date,
    baseline_value: Decimal,
    target_on: datetime.date,
    target_value: Decimal,
    interim: Iterable[tuple[datetime.date, Decimal]] = (),
) -> Trajectory:
    """The trajectory from baseline through interim targets to the final target.

    Interim targets outside the open interval between baseline and target dates are
    left out (the model refuses them; old rows may remain after dates moved).
    """
    inner = sorted(
        (on, Decimal(value)) for on, value in interim if baseline_on < on < target_on
    )
    points = (
        TrajectoryPoint(baseline_on, Decimal(baseline_value), "baseline"),
        *(TrajectoryPoint(on, value, "interim") for on, value in inner),
        TrajectoryPoint(target_on, Decimal(target_value), "target"),
    )
    return Trajectory(points=points)


def trajectory_of(metric) -> Trajectory:
    """The district's trajectory of a Metric; its `targets` should be prefetched.

    A network's or school group's own target is chosen in `goals.targets`.
    """
    return build_trajectory(
        baseline_on=metric.baseline_on,
        baseline_value=metric.baseline_value,
        target_on=metric.target_on,
        target_value=metric.target_value,
        interim=[
            (t.due_on, t.value)
            for t in metric.targets.all()
            if t.network_id is None and t.school_group_id is None
        ],
    )


def expected_value(trajectory: Trajectory, on: datetime.date) -> Decimal:
    """The value the trajectory expects on date `on`, by linear interpolation."""
    points = trajectory.points
    if on <= points[0].on:
        return points[0].value
    if on >= points[-1].on:
        return points[-1].value
    for before, after in zip(points, points[1:], strict=False):
        if before.on <= on <= after.on:
            elapsed = Decimal((on - before.on).days)
            span = Decimal((after.on - before.on).days)
            return before.value + (after.value - before.value) * elapsed / span
    raise AssertionError("unreachable: dates are sorted")  # pragma: no cover


def margin_against(
    value: Decimal, expected: Decimal, *, direction: Direction | str
) -> Decimal:
    """How far `value` is better (positive) or worse (negative) than `expected`."""
    if direction == Direction.LOWER_IS_BETTER:
        return expected - value
    return value - expected


def judged_on(school_year: str, *, today: datetime.date) -> datetime.date:
    """The date a school year ("2017-18") is judged as of, when no date is chosen.

    Today while the year runs (1 July to 30 June), so this week's values are current;
    the year's last day once it is over; its first day before it begins.
    Raises ValueError for a label that is not a school year.
    """
    end = school_year_end(school_year)
    start = datetime.date(end.year - 1, 7, 1)
    return min(max(today, start), end)


def as_of_error(day: datetime.date) -> str | None:
    """Why statuses cannot be judged as of `day`, or None when they can."""
    if EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        return None
    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": EARLIEST_AS_OF.isoformat(),
        "last": LATEST_AS_OF.isoformat(),
    }


def is_stale(
    period_end: datetime.date, *, frequency: Frequency | str, as_of: datetime.date
) -> bool:
    """Whether a value for the period ending `period_end` is too old on `as_of`."""
    return (as_of - period_end).days > STALE_AFTER_DAYS[Frequency(frequency)]


def evaluate_metric(
    *,
    trajectory: Trajectory,
    direction: Direction | str,
    tolerance: Decimal,
    frequency: Frequency | str,
    value: Decimal | None,
    period_end: datetime.date | None,
    as_of: datetime.date,
) -> MetricStatus:
    """The status of a metric whose latest value on or before `as_of` is `value`.

    Pass `value=None` when there is no value (or none that may be shown).
    """
    if value is None or period_end is None:
        return MetricStatus(status=Status.NO_DATA)
    value = Decimal(value)
    expected = expected_value(trajectory, period_end)
    margin = margin_against(value, expected, direction=direction)
    if is_stale(period_end, frequency=frequency, as_of=as_of):
        status = Status.STALE
    elif margin >= 0:
        status = Status.ON_TRACK
    elif -margin <= Decimal(tolerance):
        status = Status.AT_RISK
    else:
        status = Status.OFF_TRACK
    return MetricStatus(
        status=status,
        value=value,
        period_end=period_end,
        expected=expected,
        margin=margin,
    )


def goal_status(statuses: Iterable[Status | str]) -> Status:
    """A goal's status: the worst of its metrics' statuses (GOAL_STATUS_ORDER)."""
    present = {Status(s) for s in statuses}
    for status in GOAL_STATUS_ORDER:
        if status in present:
            return status
    return Status.NO_DATA


def count_statuses(statuses: Iterable[Status | str]) -> dict[Status, int]:
    """How many of `statuses` are of each status, every status present (zero or more)."""
    counts = dict.fromkeys(Status, 0)
    for status in statuses:
        counts[Status(status)] += 1
    return counts


def is_suppressed(n: int | None, min_n: int) -> bool:
    """Whether a value with denominator `n` must be hidden from viewers.

    The one rule for small-number suppression: a known denominator below the minimum
    n. A value without a denominator (a district-wide rate entered without n, a count)
    is not suppressed.
    """
    return n is not None and n < min_n

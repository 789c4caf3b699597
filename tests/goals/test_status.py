"""Status rules, with expectations computed by hand."""

import datetime
from decimal import Decimal

import pytest

from goals.models import Direction, Frequency
from goals.status import (
    GOAL_STATUS_ORDER,
    STALE_AFTER_DAYS,
    Status,
    build_trajectory,
    count_statuses,
    evaluate_metric,
    expected_value,
    goal_status,
    is_suppressed,
)

D = datetime.date

# Baseline 50 on 1 Jan 2020, target 60 on 11 Jan 2020: one point per day.
STRAIGHT = build_trajectory(
    baseline_on=D(2020, 1, 1),
    baseline_value=Decimal("50"),
    target_on=D(2020, 1, 11),
    target_value=Decimal("60"),
)
# The same with an interim target of 58 on 6 Jan: steeper first, flatter after.
BENT = build_trajectory(
    baseline_on=D(2020, 1, 1),
    baseline_value=Decimal("50"),
    target_on=D(2020, 1, 11),
    target_value=Decimal("60"),
    interim=[(D(2020, 1, 6), Decimal("58"))],
)
MIDPOINT = D(2020, 1, 6)
# Lower is better: suspensions from 10 down to 5 over ten days.
FALLING = build_trajectory(
    baseline_on=D(2020, 1, 1),
    baseline_value=Decimal("10"),
    target_on=D(2020, 1, 11),
    target_value=Decimal("5"),
)


def status_of(
    value,
    *,
    on=MIDPOINT,
    trajectory=STRAIGHT,
    direction=Direction.HIGHER_IS_BETTER,
    tolerance="2",
    frequency=Frequency.WEEKLY,
    as_of=None,
):
    return evaluate_metric(
        trajectory=trajectory,
        direction=direction,
        tolerance=Decimal(tolerance),
        frequency=frequency,
        value=None if value is None else Decimal(value),
        period_end=on if value is not None else None,
        as_of=as_of or on,
    )


def test_expected_value_is_baseline_before_the_baseline_date():
    assert expected_value(STRAIGHT, D(2019, 6, 30)) == Decimal("50")


def test_expected_value_is_target_after_the_target_date():
    assert expected_value(STRAIGHT, D(2021, 6, 30)) == Decimal("60")


def test_expected_value_interpolates_linearly_between_baseline_and_target():
    assert expected_value(STRAIGHT, D(2020, 1, 6)) == Decimal("55")
    assert expected_value(STRAIGHT, D(2020, 1, 2)) == Decimal("51")


def test_expected_value_passes_through_interim_targets():
    assert expected_value(BENT, D(2020, 1, 6)) == Decimal("58")
    # 50 + (58 - 50) * 2 / 5
    assert expected_value(BENT, D(2020, 1, 3)) == Decimal("53.2")
    # 58 + (60 - 58) * 2 / 5
    assert expected_value(BENT, D(2020, 1, 8)) == Decimal("58.8")


def test_interim_targets_outside_the_baseline_and_target_dates_are_ignored():
    trajectory = build_trajectory(
        baseline_on=D(2020, 1, 1),
        baseline_value=Decimal("50"),
        target_on=D(2020, 1, 11),
        target_value=Decimal("60"),
        interim=[(D(2019, 12, 1), Decimal("0")), (D(2020, 2, 1), Decimal("99"))],
    )
    assert [p.kind for p in trajectory.points] == ["baseline", "target"]


def test_value_at_expected_is_on_track():
    result = status_of("55")
    assert result.status == Status.ON_TRACK
    assert result.expected == Decimal("55")
    assert result.margin == Decimal("0")


def test_value_above_expected_is_on_track_when_higher_is_better():
    assert status_of("57").status == Status.ON_TRACK


def test_value_below_expected_within_tolerance_is_at_risk():
    assert status_of("53").status == Status.AT_RISK  # exactly 2 below
    assert status_of("54.5").status == Status.AT_RISK


def test_value_below_expected_by_more_than_tolerance_is_off_track():
    result = status_of("52.9")
    assert result.status == Status.OFF_TRACK
    assert result.margin == Decimal("-2.1")


def test_zero_tolerance_makes_any_shortfall_off_track():
    assert status_of("54.99", tolerance="0").status == Status.OFF_TRACK
    assert status_of("55", tolerance="0").status == Status.ON_TRACK


def test_lower_is_better_value_at_or_below_expected_is_on_track():
    # Expected on 6 Jan: 10 - 5 * 5 / 10 = 7.5
    kwargs = {"trajectory": FALLING, "direction": Direction.LOWER_IS_BETTER}
    assert status_of("7.5", **kwargs).status == Status.ON_TRACK
    assert status_of("6", **kwargs).status == Status.ON_TRACK


def test_lower_is_better_value_above_expected_is_at_risk_then_off_track():
    kwargs = {"trajectory": FALLING, "direction": Direction.LOWER_IS_BETTER}
    assert status_of("9.5", **kwargs).status == Status.AT_RISK  # 2 above
    result = status_of("9.6", **kwargs)
    assert result.status == Status.OFF_TRACK
    assert result.margin == Decimal("-2.1")


def test_value_is_judged_against_the_trajectory_at_its_own_period_end():
    # 57 on 3 Jan against the bent trajectory (53.2 expected): on track, even though
    # the as-of date (8 Jan) expects 58.8.
    result = status_of("57", on=D(2020, 1, 3), trajectory=BENT, as_of=D(2020, 1, 8))
    assert result.status == Status.ON_TRACK
    assert result.expected == Decimal("53.2")


def test_interim_target_makes_a_value_off_track_that_a_straight_line_would_accept():
    assert status_of("55", trajectory=STRAIGHT).status == Status.ON_TRACK
    assert status_of("55", trajectory=BENT).status == Status.OFF_TRACK  # 58 expected


def test_no_value_is_no_data():
    result = status_of(None)
    assert result.status == Status.NO_DATA
    assert result.value is None


@pytest.mark.parametrize(
    ("frequency", "days"),
    [
        (Frequency.WEEKLY, 14),
        (Frequency.MONTHLY, 45),
        (Frequency.QUARTERLY, 120),
        (Frequency.YEARLY, 400),
    ],
)
def test_value_older_than_its_frequency_allows_is_stale(frequency, days):
    on = D(2020, 1, 6)
    fresh = status_of("55", frequency=frequency, as_of=on + datetime.timedelta(days))
    stale = status_of(
        "55", frequency=frequency, as_of=on + datetime.timedelta(days + 1)
    )
    assert fresh.status == Status.ON_TRACK
    assert stale.status == Status.STALE
    assert STALE_AFTER_DAYS[frequency] == days


def test_stale_value_still_reports_its_numbers():
    result = status_of("40", as_of=D(2021, 1, 1))
    assert result.status == Status.STALE
    assert result.value == Decimal("40")
    assert result.margin == Decimal("-15")


def test_a_yearly_value_of_last_june_is_still_current_this_june():
    result = status_of(
        "61", on=D(2021, 6, 30), frequency=Frequency.YEARLY, as_of=D(2022, 6, 30)
    )
    assert result.status == Status.ON_TRACK
    # After the target date the target applies.
    assert result.expected == Decimal("60")


def test_goal_takes_the_worst_status_of_its_metrics():
    assert goal_status([Status.ON_TRACK, Status.AT_RISK]) == Status.AT_RISK
    assert goal_status([Status.STALE, Status.OFF_TRACK]) == Status.OFF_TRACK
    assert goal_status([Status.ON_TRACK, Status.NO_DATA]) == Status.NO_DATA
    assert goal_status([Status.NO_DATA, Status.STALE]) == Status.STALE
    assert goal_status([Status.ON_TRACK, Status.ON_TRACK]) == Status.ON_TRACK


def test_goal_without_metrics_has_no_data():
    assert goal_status([]) == Status.NO_DATA


def test_goal_status_order_names_every_status_once():
    assert sorted(GOAL_STATUS_ORDER) == sorted(Status)


def test_statuses_have_readable_labels():
    assert Status.ON_TRACK.label == "On track"
    assert Status.OFF_TRACK.label == "Off track"
    assert Status.NO_DATA.label == "No data"


def test_count_statuses_counts_every_status():
    counts = count_statuses([Status.ON_TRACK, Status.ON_TRACK, Status.STALE])
    assert counts[Status.ON_TRACK] == 2
    assert counts[Status.STALE] == 1
    assert counts[Status.OFF_TRACK] == 0


def test_suppression_hides_values_with_a_denominator_below_the_minimum():
    assert is_suppressed(9, 10)
    assert not is_suppressed(10, 10)
    assert not is_suppressed(None, 10)

"""The demo's live school year: which weeks it simulates and how (no database)."""

import datetime
from decimal import Decimal

import pytest

from goals.demo import simulated_rate, weeks_ended

D = datetime.date


@pytest.mark.parametrize(
    ("today", "first", "last", "count"),
    [
        (D(2026, 12, 3), D(2026, 7, 3), D(2026, 11, 27), 22),  # Thursday: last week
        (D(2026, 12, 4), D(2026, 7, 3), D(2026, 11, 27), 22),  # Friday: not over yet
        (D(2026, 12, 5), D(2026, 7, 3), D(2026, 12, 4), 23),  # Saturday: it is
        (D(2027, 6, 30), D(2026, 7, 3), D(2027, 6, 25), 52),  # the year's last day
        (D(2028, 2, 29), D(2027, 7, 2), D(2028, 2, 25), 35),  # leap day
    ],
)
def test_the_live_year_runs_from_its_first_friday_to_the_last_week_ended(
    today, first, last, count
):
    weeks = weeks_ended(today)
    assert (weeks[0], weeks[-1], len(weeks)) == (first, last, count)
    assert all(
        b - a == datetime.timedelta(days=7)
        for a, b in zip(weeks, weeks[1:], strict=False)
    )


@pytest.mark.parametrize("today", [D(2027, 7, 1), D(2027, 7, 2)])
def test_before_the_first_week_of_a_school_year_ends_there_is_none(today):
    assert weeks_ended(today) == []


def test_a_simulated_value_is_the_real_rate_with_a_winter_dip_and_a_fixed_wiggle():
    rate = Decimal("93.4")
    week = D(2026, 11, 27)
    value = simulated_rate(rate, "610001", week)
    assert value == simulated_rate(rate, "610001", week)  # the same every time
    assert value.as_tuple().exponent == -1
    assert abs(value - rate) <= 2
    # Over the schools, the wiggle averages out: the end of January (the full dip of
    # one point) is about a point below early July (almost none).
    schools = [f"{600000 + i}" for i in range(400)]

    def mean(day):
        return sum(simulated_rate(rate, s, day) for s in schools) / len(schools)

    assert Decimal("0.8") < mean(D(2026, 7, 3)) - mean(D(2027, 1, 29)) < Decimal("1.2")
    # Rates stay percentages.
    assert simulated_rate(Decimal("99.9"), "610001", D(2026, 7, 3)) <= 100
    assert simulated_rate(Decimal("0.1"), "610001", D(2027, 1, 29)) >= 0

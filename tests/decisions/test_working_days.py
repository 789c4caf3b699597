"""Working days counted by hand: Monday to Friday, after the first date up to the last."""

import datetime

import pytest

from decisions.working_days import add_working_days, working_days_between

MON = datetime.date(2026, 11, 2)  # a Monday


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (MON, MON, 0),  # the same day
        (MON, MON + datetime.timedelta(days=1), 1),  # Monday to Tuesday
        (MON, MON + datetime.timedelta(days=4), 4),  # Monday to Friday
        (MON, MON + datetime.timedelta(days=6), 4),  # the weekend adds nothing
        (MON, MON + datetime.timedelta(days=7), 5),  # a week later
        (
            MON + datetime.timedelta(days=4),
            MON + datetime.timedelta(days=7),
            1,
        ),  # Fri→Mon
        (
            MON + datetime.timedelta(days=5),
            MON + datetime.timedelta(days=7),
            1,
        ),  # Sat→Mon
        (MON, MON + datetime.timedelta(days=14), 10),  # two weeks: the usual target
        (MON, MON + datetime.timedelta(days=31), 23),  # Nov 2 → Dec 3, 2026
        (MON, MON - datetime.timedelta(days=3), 0),  # an end before the start
    ],
)
def test_working_days_between_counts_weekdays_after_the_start(start, end, expected):
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize("days", range(0, 25))
@pytest.mark.parametrize("offset", range(0, 7))
def test_adding_working_days_lands_where_counting_says(days, offset):
    start = MON + datetime.timedelta(days=offset)
    due = add_working_days(start, days)
    assert due.weekday() < 5 or days == 0
    if days:
        assert working_days_between(start, due) == days

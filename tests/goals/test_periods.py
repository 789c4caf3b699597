"""Reporting periods and due dates for each frequency across a school year."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from goals.models import ClosedPeriod, Frequency
from goals.periods import (
    grace_days_of,
    periods_of_year,
    recent_periods,
    refuse_if_closed,
    school_year_of,
)
from tests.factories import MetricFactory

D = datetime.date


def test_a_school_year_runs_from_july_to_june():
    assert school_year_of(D(2026, 12, 3)) == (D(2026, 7, 1), D(2027, 6, 30))
    assert school_year_of(D(2027, 6, 30)) == (D(2026, 7, 1), D(2027, 6, 30))
    assert school_year_of(D(2027, 7, 1)) == (D(2027, 7, 1), D(2028, 6, 30))


def test_weekly_periods_end_on_fridays_through_the_school_year():
    periods = periods_of_year(Frequency.WEEKLY, day=D(2026, 12, 3), grace_days=3)
    # 1 July 2026 is a Wednesday: the first week ends on Friday 3 July.
    assert (periods[0].starts_on, periods[0].ends_on) == (D(2026, 6, 27), D(2026, 7, 3))
    assert periods[0].due_on == D(2026, 7, 6)
    assert periods[-1].ends_on == D(2027, 6, 25)
    assert len(periods) == 52
    assert all(p.ends_on.weekday() == 4 for p in periods)
    assert all(
        b.starts_on - a.ends_on == datetime.timedelta(days=1)
        for a, b in zip(periods, periods[1:], strict=False)
    )


def test_monthly_periods_are_calendar_months_from_july_to_june():
    periods = periods_of_year(Frequency.MONTHLY, day=D(2027, 2, 10), grace_days=5)
    assert [p.ends_on for p in periods][:3] == [
        D(2026, 7, 31),
        D(2026, 8, 31),
        D(2026, 9, 30),
    ]
    assert periods[7].ends_on == D(2027, 2, 28)
    assert periods[-1].ends_on == D(2027, 6, 30)
    assert periods[5].due_on == D(2027, 1, 5)
    assert len(periods) == 12


def test_quarterly_and_yearly_periods():
    quarters = periods_of_year(Frequency.QUARTERLY, day=D(2026, 12, 3), grace_days=10)
    assert [(q.starts_on, q.ends_on) for q in quarters] == [
        (D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 12, 31)),
        (D(2027, 1, 1), D(2027, 3, 31)),
        (D(2027, 4, 1), D(2027, 6, 30)),
    ]
    assert quarters[1].due_on == D(2027, 1, 10)
    (year,) = periods_of_year(Frequency.YEARLY, day=D(2026, 12, 3), grace_days=14)
    assert (year.starts_on, year.ends_on, year.due_on) == (
        D(2026, 7, 1),
        D(2027, 6, 30),
        D(2027, 7, 14),
    )


@pytest.mark.parametrize(
    ("frequency", "today", "ends"),
    [
        (Frequency.WEEKLY, D(2026, 12, 3), [D(2026, 11, 27), D(2026, 12, 4)]),
        # The first days of July still owe the last week of June.
        (Frequency.WEEKLY, D(2026, 7, 1), [D(2026, 6, 26), D(2026, 7, 3)]),
        (Frequency.MONTHLY, D(2026, 12, 3), [D(2026, 11, 30), D(2026, 12, 31)]),
        (Frequency.QUARTERLY, D(2027, 1, 2), [D(2026, 12, 31), D(2027, 3, 31)]),
        (Frequency.YEARLY, D(2026, 7, 2), [D(2026, 6, 30), D(2027, 6, 30)]),
    ],
)
def test_the_periods_owed_are_the_last_ended_and_the_running_one(
    frequency, today, ends
):
    assert [
        p.ends_on for p in recent_periods(frequency, today=today, grace_days=3)
    ] == ends


def test_grace_days_come_from_the_metric_else_the_district(district):
    district.grace_days = 4
    district.save()
    metric = MetricFactory(district=district)
    assert grace_days_of(metric) == 4
    metric.grace_days = 0
    assert grace_days_of(metric) == 0


@time_machine.travel(
    datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC), tick=False
)
def test_the_demo_week_is_owed_under_a_frozen_clock():
    from django.utils import timezone

    today = timezone.localdate()
    latest, running = recent_periods(Frequency.WEEKLY, today=today, grace_days=3)
    assert latest.due_on == D(2026, 11, 30)  # Monday after the week
    assert running.contains(today) and running.due_on == D(2026, 12, 7)


def test_a_closed_period_is_refused_until_reopened(district, district_admin):
    closed = ClosedPeriod.objects.create(
        district=district, name="Board", starts_on=D(2026, 7, 1), ends_on=D(2026, 9, 30)
    )
    with pytest.raises(ValidationError) as refused:
        refuse_if_closed(district_id=district.pk, days=[D(2026, 9, 30)])
    assert (
        "A district admin can reopen it, giving a reason." in refused.value.messages[0]
    )
    refuse_if_closed(district_id=district.pk, days=[D(2026, 10, 1), None])
    closed.reopen(reason="Corrections.", acting_user=district_admin)
    refuse_if_closed(district_id=district.pk, days=[D(2026, 9, 30)])


def test_another_districts_closed_period_does_not_apply(district, other_district):
    ClosedPeriod.objects.create(
        district=other_district,
        name="Board",
        starts_on=D(2026, 7, 1),
        ends_on=D(2026, 9, 30),
    )
    refuse_if_closed(district_id=district.pk, days=[D(2026, 8, 1)])

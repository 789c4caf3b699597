"""What a dashboard card charts: every value of a short series, a month's last of a long one."""

import datetime
from decimal import Decimal

from goals.dashboards import CARD_POINTS, for_card
from goals.rollups import RollupValue


def weekly(weeks: int) -> tuple[RollupValue, ...]:
    first = datetime.date(2021, 7, 2)
    return tuple(
        RollupValue(
            metric_id=1,
            network_id=None,
            period_end=first + datetime.timedelta(weeks=week),
            value=Decimal(week),
            n=None,
            schools_reporting=10,
            is_entered=False,
        )
        for week in range(weeks)
    )


def test_a_series_that_fits_is_charted_whole():
    series = weekly(CARD_POINTS)
    assert for_card(series) == series


def test_five_years_of_weeks_are_charted_by_the_last_week_of_each_month():
    series = weekly(260)
    charted = for_card(series)
    months = {(item.period_end.year, item.period_end.month) for item in series}
    assert len(charted) == len(months) <= CARD_POINTS
    assert charted[-1] == series[-1]  # the latest value is always shown
    assert [item.period_end for item in charted] == sorted(
        item.period_end for item in charted
    )
    for item in charted:
        same_month = [
            other
            for other in series
            if (other.period_end.year, other.period_end.month)
            == (item.period_end.year, item.period_end.month)
        ]
        assert item == same_month[-1]

"""Working days (Monday to Friday) between two dates: how long a decision has waited.

Counted by hand as "the weekdays after the first date, up to and including the
second": a request sent on a Friday and looked at the next Monday has waited 1
working day; sent on a Monday and looked at a week later, 5. Public holidays are not
known to Lanes and count as working days.
"""

import datetime

WEEK = 7
WORKING_DAYS_PER_WEEK = 5


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < WORKING_DAYS_PER_WEEK


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Weekdays d with start < d <= end (0 when end is not after start)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, WEEK)
    count = weeks * WORKING_DAYS_PER_WEEK
    for offset in range(1, rest + 1):
        if is_working_day(start + datetime.timedelta(days=offset)):
            count += 1
    return count


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (a weekend start counts from Monday)."""
    day = start
    remaining = days
    weeks, remaining = divmod(remaining, WORKING_DAYS_PER_WEEK)
    day += datetime.timedelta(days=weeks * WEEK)
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    # Whole weeks from a weekend land on a weekend: the due day is the Friday before.
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day

"""Reporting periods: which periods a metric reports, when each is due, and which are closed.

A school year runs from 1 July to 30 June. A metric's frequency cuts it into periods:
weeks ending on Friday, calendar months, quarters (July to September, October to
December, January to March, April to June) or the whole year. A period's values and
commentary are due `grace_days` after it ends: the metric's own setting, else the
district's.

A district admin closes a period (for example after the board meeting that saw its
numbers): from then on the values, commentary and targets dated in it cannot change
through any path until it is reopened with a reason. `refuse_if_closed` is the one
check; the models' `save`, `delete` and `clean`, the bulk upsert of values and the
admin's bulk delete call it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEEK_ENDS_ON = 4  # Friday (date.weekday()): a school week's last day
WEEKLY, MONTHLY, QUARTERLY, YEARLY = "weekly", "monthly", "quarterly", "yearly"


@dataclass(frozen=True)
class Period:
    """One reporting period of a metric and the day its update is due."""

    starts_on: datetime.date
    ends_on: datetime.date
    due_on: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def school_year_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day (1 July, 30 June) of the school year `day` falls in."""
    start_year = day.year if day.month >= 7 else day.year - 1
    return datetime.date(start_year, 7, 1), datetime.date(start_year + 1, 6, 30)


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _bounds(frequency: str, year_start: datetime.date) -> list[tuple]:
    """(start, end) of every period of the school year starting on `year_start`."""
    year_end = datetime.date(year_start.year + 1, 6, 30)
    if frequency == WEEKLY:
        first = year_start + datetime.timedelta(
            days=(WEEK_ENDS_ON - year_start.weekday()) % 7
        )
        ends = []
        end = first
        while end <= year_end:
            ends.append(end)
            end += datetime.timedelta(weeks=1)
        return [(end - datetime.timedelta(days=6), end) for end in ends]
    if frequency in (MONTHLY, QUARTERLY):
        step = 1 if frequency == MONTHLY else 3
        bounds = []
        for index in range(0, 12, step):
            year = year_start.year + (6 + index) // 12
            month = (6 + index) % 12 + 1
            last_month = month + step - 1
            bounds.append((datetime.date(year, month, 1), _month_end(year, last_month)))
        return bounds
    if frequency == YEARLY:
        return [(year_start, year_end)]
    raise ValueError(f"Unknown frequency: {frequency!r}")


def periods_of_year(
    frequency: str, *, day: datetime.date, grace_days: int
) -> list[Period]:
    """Every period of the school year `day` falls in, with its due date, in order."""
    year_start, _year_end = school_year_of(day)
    return [
        Period(start, end, end + datetime.timedelta(days=grace_days))
        for start, end in _bounds(frequency, year_start)
    ]


def recent_periods(
    frequency: str, *, today: datetime.date, grace_days: int, count: int = 2
) -> list[Period]:
    """The `count` latest periods that have begun by `today` (the running one last).

    Reaches back into the previous school year when this one has just begun, so the
    last week of June is still owed in the first week of July.
    """
    year_start, _year_end = school_year_of(today)
    last_year = year_start - datetime.timedelta(days=1)
    periods = [
        *periods_of_year(frequency, day=last_year, grace_days=grace_days),
        *periods_of_year(frequency, day=today, grace_days=grace_days),
    ]
    begun = [period for period in periods if period.starts_on <= today]
    return begun[-count:]


def grace_days_of(metric) -> int:
    """Days after a period's end its update is due: the metric's, else the district's."""
    if metric.grace_days is not None:
        return metric.grace_days
    return metric.district.grace_days


# --- Closed periods ---


def closed_ranges(district_id: int) -> list[tuple]:
    """(starts_on, ends_on, name) of the district's closed periods not reopened."""
    from .models import ClosedPeriod

    return list(
        ClosedPeriod.objects.filter(district_id=district_id, reopened_at__isnull=True)
        .order_by("starts_on", "pk")
        .values_list("starts_on", "ends_on", "name")
    )


def closed_message(day: datetime.date, ranges: Sequence[tuple]) -> str | None:
    """Why nothing dated `day` may change, or None when its period is open."""
    for starts_on, ends_on, name in ranges:
        if starts_on <= day <= ends_on:
            return _(
                "%(day)s is in a closed period (%(name)s, %(start)s to %(end)s): "
                "values, commentary and targets in it cannot change. A district "
                "admin can reopen it, giving a reason."
            ) % {
                "day": day.isoformat(),
                "name": name,
                "start": starts_on.isoformat(),
                "end": ends_on.isoformat(),
            }
    return None


def refuse_if_closed(
    *,
    district_id: int,
    days: Iterable[datetime.date | None],
    field: str | None = None,
) -> None:
    """Raise ValidationError when any of `days` lies in a closed period of the district.

    The one lock check of values, commentary and targets (one query).
    """
    wanted = sorted({day for day in days if day is not None})
    if not wanted:
        return
    ranges = closed_ranges(district_id)
    for day in wanted:
        message = closed_message(day, ranges)
        if message:
            if field:
                raise ValidationError({field: message}, code="period_closed")
            raise ValidationError(message, code="period_closed")

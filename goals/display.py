"""How metric values read on pages and in downloads: units, changes, suppression.

`show_value` is where a page learns whether a value may be shown to the person looking
at it; the rule itself is `goals.status.is_suppressed`.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from .models import Frequency, Unit
from .status import Status, is_suppressed

EMPTY = "—"

# A shape for each status, so that status never relies on colour alone.
STATUS_ICONS = {
    Status.ON_TRACK: "●",
    Status.AT_RISK: "▲",
    Status.OFF_TRACK: "✖",
    Status.STALE: "◷",
    Status.NO_DATA: "○",
    Status.NOT_APPLICABLE: "⊘",
}


def format_number(value: Decimal, decimals: int) -> str:
    """`value` rounded to `decimals` places with thousands separators."""
    return f"{Decimal(value):,.{decimals}f}"


def format_value(value: Decimal | None, *, unit: str, decimals: int) -> str:
    """A value with its unit: "86.2%", "12.0 per 100", "4,210", "171.3 days"."""
    return value_formatter(unit=unit, decimals=decimals)(value)


def unit_pattern(unit: str) -> str:
    """How a number is written in `unit`, with a `%(number)s` placeholder."""
    if unit == Unit.PERCENT:
        return "%(number)s%%"
    if unit == Unit.PER_100:
        return _("%(number)s per 100")
    if unit == Unit.DAYS:
        return _("%(number)s days")
    return "%(number)s"


def value_formatter(*, unit: str, decimals: int) -> Callable[[Decimal | None], str]:
    """`format_value` for many values of one metric: the unit's words looked up once.

    A chart formats hundreds of values; translating the unit's words for each took
    a tenth of a second on a full dashboard.
    """
    pattern = unit_pattern(unit)

    def formatted(value: Decimal | None) -> str:
        if value is None:
            return EMPTY
        return pattern % {"number": format_number(value, decimals)}

    return formatted


def format_change(change: Decimal | None, *, unit: str, decimals: int) -> str:
    """A change between two periods, signed: "+1.2 points", "−0.5", "no change"."""
    if change is None:
        return EMPTY
    if round(change, decimals) == 0:
        return _("no change")
    sign = "+" if change > 0 else "−"
    number = format_number(abs(change), decimals)
    if unit == Unit.PERCENT:
        return _("%(sign)s%(number)s points") % {"sign": sign, "number": number}
    return f"{sign}{number}"


def school_year_label(period_end: datetime.date) -> str:
    """The school year (1 July to 30 June) a date falls in, written "2017-18"."""
    start = period_end.year if period_end.month >= 7 else period_end.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def period_label(period_end: datetime.date, frequency: str) -> str:
    """The period a value describes: its school year for yearly values, else its end."""
    if frequency == Frequency.YEARLY:
        return school_year_label(period_end)
    if frequency == Frequency.WEEKLY:
        return _("week ending %(date)s") % {"date": period_end.isoformat()}
    return _("period ending %(date)s") % {"date": period_end.isoformat()}


class ShownValue(NamedTuple):
    """A value as one person may see it (a named tuple: pages build thousands)."""

    value: Decimal | None  # None when missing or hidden from this person
    text: str
    n: int | None
    is_suppressed: bool  # hidden: the denominator is below the minimum n
    is_below_min_n: bool  # shown to an editor, although below the minimum n


def show_value(
    value: Decimal | None,
    n: int | None,
    *,
    metric,
    can_see_suppressed: bool,
    formatter: Callable[[Decimal | None], str] | None = None,
) -> ShownValue:
    """`value` (with denominator `n`) of `metric` as the person may see it.

    Viewers see "Suppressed (n<10)" instead of a value below the metric's effective
    minimum n; editors see the value, marked as below the minimum. Fetch metrics with
    their district (`select_related("district")`) to read the minimum without a query.
    `formatter` (`value_formatter` of the metric) spares a series a lookup per value.
    """
    min_n = metric.effective_min_n
    text_of = formatter or value_formatter(unit=metric.unit, decimals=metric.decimals)
    if value is None:
        return ShownValue(None, EMPTY, n, False, False)
    if is_suppressed(n, min_n):
        if not can_see_suppressed:
            text = _("Suppressed (n<%(min_n)s)") % {"min_n": min_n}
            return ShownValue(None, text, None, True, False)
        return ShownValue(value, text_of(value), n, False, True)
    return ShownValue(value, text_of(value), n, False, False)


def change_between(latest: ShownValue, previous: ShownValue) -> Decimal | None:
    """The change from `previous` to `latest`, only when both may be shown.

    A change next to a shown value would give a hidden one away by subtraction.
    """
    if latest.value is None or previous.value is None:
        return None
    return latest.value - previous.value


def shown_change(latest: ShownValue, previous: ShownValue, *, metric) -> str:
    """The change from `previous` to `latest` as text, only when both may be shown."""
    return format_change(
        change_between(latest, previous), unit=metric.unit, decimals=metric.decimals
    )

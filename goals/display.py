"""How metric values read on pages and in downloads: units, changes, suppression.

`show_value` is where a page learns whether a value may be shown to the person looking
at it, and `is_withheld` where the API and the admin learn it for one stored row; the
rule itself is `goals.status.is_suppressed`.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from district.models import AccessLevel, District
from district.permissions import request_may

from .models import Frequency, Metric, Unit
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
    return f"{start:04d}-{(start + 1) % 100:02d}"


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
            return ShownValue(None, suppressed_text(min_n), None, True, False)
        return ShownValue(value, text_of(value), n, False, True)
    return ShownValue(value, text_of(value), n, False, False)


def value_text(shown: ShownValue, status: Status | str | None = None) -> str:
    """What a value cell says: the value, or why there is none.

    Not applicable (the scope has none of the metric's population), suppressed (the
    denominator is below the minimum n; the text says the minimum) or not reported
    (no value for the scope up to the date judged). Never a bare dash.
    """
    if shown.value is not None or shown.is_suppressed:
        return shown.text
    if status == Status.NOT_APPLICABLE:
        return str(_("Not applicable"))
    return str(_("Not reported"))


def gap_text(margin: Decimal | None, *, unit: str, decimals: int) -> str:
    """How far a value is from its expected value: "1.4 points behind", "0.2 ahead".

    `margin` is direction-aware (`goals.status.MetricStatus.margin`): positive when
    better than expected. Empty without one.
    """
    if margin is None:
        return ""
    if round(margin, decimals) == 0:
        return _("as expected")
    number = format_number(abs(margin), decimals)
    if unit == Unit.PERCENT:
        amount = _("%(number)s points") % {"number": number}
    else:
        amount = unit_pattern(unit) % {"number": number}
    if margin > 0:
        return _("%(amount)s ahead") % {"amount": amount}
    return _("%(amount)s behind") % {"amount": amount}


def is_withheld(request, *, n: int | None, min_n: int, district_id: int) -> bool:
    """Whether a value with denominator `n` is withheld from the person asking.

    It is when suppressed (`is_suppressed`) and the person cannot edit the district:
    editors enter such values and see them, viewers see neither the value nor its n
    (a tiny n says how few students a group has). Access levels are read once per
    request.
    """
    return is_suppressed(n, min_n) and not request_may(
        request, AccessLevel.EDITOR, district_id
    )


# What a suppressed measurement withholds from a viewer.
WITHHELD_FIELDS = ("value", "n")


def withheld_in_history(request) -> Callable[[object], tuple[str, ...]]:
    """Which fields of a measurement history record the person may not see.

    Each record is judged by its own n against its metric's current minimum n (the
    district's when the metric is gone): one query per metric, however many records.
    """
    thresholds: dict[tuple[int, int], int | None] = {}

    def min_n_of(record) -> int | None:
        key = (record.metric_id, record.district_id)
        if key not in thresholds:
            threshold = (
                Metric.objects.filter(pk=record.metric_id)
                .annotate(threshold=Coalesce("min_n", "district__suppression_min_n"))
                .values_list("threshold", flat=True)
                .first()
            )
            if threshold is None:
                threshold = (
                    District.objects.filter(pk=record.district_id)
                    .values_list("suppression_min_n", flat=True)
                    .first()
                )
            thresholds[key] = threshold
        return thresholds[key]

    def withheld(record) -> tuple[str, ...]:
        if record.n is None:
            return ()
        min_n = min_n_of(record)
        if min_n is not None and is_withheld(
            request, n=record.n, min_n=min_n, district_id=record.district_id
        ):
            return WITHHELD_FIELDS
        return ()

    return withheld


def suppressed_text(min_n: int) -> str:
    """What a viewer reads instead of a suppressed value."""
    return _("Suppressed (n<%(min_n)s)") % {"min_n": min_n}


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

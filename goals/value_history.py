"""The history of values: who entered or changed which value, from what to what, when,
and through which path (entry grid, import, API or admin), newest first.

Read from the measurements' history records, a page at a time by history id (a
district's history holds millions of records, so pages follow the id rather than count
them): one query for the page, with each record's previous value and n read by a
subquery on the same measurement's history, whatever the size of the history. Values
show in their metric's unit, and a value whose n is below the metric's minimum is
suppressed for viewers here as everywhere (`goals.display.show_value`).
"""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from district.models import District, Network, School
from district.write_paths import WritePath

from .display import EMPTY, ShownValue, period_label, show_value
from .models import Measurement, Metric, Scope, StrOrPromise

PAGE_SIZE = 50
CHANGE_TYPES = {
    "+": gettext_lazy("Entered"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}


@dataclass(frozen=True)
class ValueChange:
    """One change to one value, as the person may see it."""

    history_id: int
    date: datetime.datetime
    user: str
    what: StrOrPromise
    metric: Metric
    place: str
    period: str
    old: ShownValue
    new: ShownValue
    path: StrOrPromise
    note: str


@dataclass(frozen=True)
class ValueHistoryPage:
    """A page of changes, newest first, and the id to read older ones from."""

    changes: tuple[ValueChange, ...]
    older_than: int | None  # the `before` of the next page, None on the last


def value_history(
    *,
    district: District,
    can_see_suppressed: bool,
    metric: Metric | None = None,
    network: Network | None = None,
    school: School | None = None,
    period_end: datetime.date | None = None,
    before: int | None = None,
) -> ValueHistoryPage:
    """The district's value changes, optionally for one metric, network (its schools'
    values and its own), school or period, older than history id `before`."""
    records = Measurement.history.model.objects.filter(district=district)
    if metric is not None:
        records = records.filter(metric_id=metric.pk)
    if network is not None:
        records = records.filter(
            Q(network_id=network.pk)
            | Q(school_id__in=School.objects.filter(network=network).values("pk"))
        )
    if school is not None:
        records = records.filter(school_id=school.pk)
    if period_end is not None:
        records = records.filter(period_end=period_end)
    if before is not None:
        records = records.filter(history_id__lt=before)
    previous = Measurement.history.model.objects.filter(
        id=OuterRef("id"), history_id__lt=OuterRef("history_id")
    ).order_by("-history_id")
    rows = list(
        records.annotate(
            old_value=Subquery(previous.values("value")[:1]),
            old_n=Subquery(previous.values("n")[:1]),
        )
        .select_related("metric", "school", "network", "history_user")
        .order_by("-history_id")[: PAGE_SIZE + 1]
    )
    older_than = rows[PAGE_SIZE - 1].history_id if len(rows) > PAGE_SIZE else None
    return ValueHistoryPage(
        changes=tuple(
            _change(record, district, can_see_suppressed) for record in rows[:PAGE_SIZE]
        ),
        older_than=older_than,
    )


def _change(record, district, can_see_suppressed: bool) -> ValueChange:
    metric = record.metric
    metric.district = district  # the minimum n may be the district's: no query

    def shown(value, n) -> ShownValue:
        return show_value(
            value, n, metric=metric, can_see_suppressed=can_see_suppressed
        )

    # A deletion's record holds the value as it was when deleted.
    empty = shown(None, None)
    if record.history_type == "+":
        old, new = empty, shown(record.value, record.n)
    elif record.history_type == "~":
        old, new = shown(record.old_value, record.old_n), shown(record.value, record.n)
    else:
        old, new = shown(record.value, record.n), empty
    return ValueChange(
        history_id=record.history_id,
        date=record.history_date,
        user=record.history_user.get_username() if record.history_user else "",
        what=CHANGE_TYPES[record.history_type],
        metric=metric,
        place=_place(record),
        period=period_label(record.period_end, metric.frequency),
        old=old,
        new=new,
        path=WritePath(record.history_write_path).label
        if record.history_write_path
        else EMPTY,
        note=record.history_change_reason or "",
    )


def _place(record) -> str:
    if record.scope == Scope.SCHOOL:
        if record.school is None:
            return _("School #%(id)s (deleted)") % {"id": record.school_id}
        return f"{record.school.name} ({record.school.school_id})"
    if record.scope == Scope.NETWORK:
        if record.network is None:
            return _("Network #%(id)s (deleted)") % {"id": record.network_id}
        return record.network.name
    return _("District")

"""The metric updates a person owes: a period's values and its commentary.

For each metric with an update owner (goals/update_owners.py) two items per period,
for the latest period that has ended and the one running (goals/periods.py): the
values, done when the district's value is entered or enough of the metric's schools
have reported (the metric's coverage threshold, as on the dashboard), and the
district's commentary, done when written. Older periods are not chased; the
completion page counts them. Registered in `district.due` from `RhythmConfig.ready`,
so "My updates" and the reminders read them through `due_items()`.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from district.due import DueItem
from goals.models import Commentary, Measurement, Metric, Rollup, Scope
from goals.periods import Period, grace_days_of, recent_periods
from goals.update_owners import update_owners

VALUE, COMMENTARY = "value", "commentary"


@dataclass(frozen=True)
class PeriodReport:
    """What is in for one metric and period: the values (when complete) and commentary."""

    values_done_on: datetime.date | None
    reported: int
    expected: int
    commentary_done_on: datetime.date | None


def _local_date(moment) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def period_reports(
    metrics: Iterable[Metric], period_ends: Collection[datetime.date]
) -> dict[tuple[int, datetime.date], PeriodReport]:
    """(metric id, period end) -> what is in; three queries whatever the numbers.

    Values are done on the day the last value that completed them was entered: the
    district's own value, or the school values once the reporting schools reach the
    metric's coverage threshold.
    """
    by_pk = {metric.pk: metric for metric in metrics}
    if not by_pk or not period_ends:
        return {}
    filters = {"metric_id__in": list(by_pk), "period_end__in": list(period_ends)}
    entered = {
        (row["metric_id"], row["period_end"]): row
        for row in Measurement.objects.filter(**filters)
        .order_by()
        .values("metric_id", "period_end")
        .annotate(
            last=Max("entered_at"),
            district_values=Count("pk", filter=Q(scope=Scope.DISTRICT)),
        )
    }
    coverage = {
        (metric_id, period_end): (reported, expected)
        for metric_id, period_end, reported, expected in Rollup.objects.filter(
            network__isnull=True, **filters
        )
        .order_by()
        .values_list("metric_id", "period_end", "reported", "expected")
    }
    written = dict(
        ((metric_id, period_end), written_at)
        for metric_id, period_end, written_at in Commentary.objects.filter(
            network__isnull=True, **filters
        )
        .order_by()
        .values_list("metric_id", "period_end", "written_at")
    )
    reports = {}
    for metric_id, metric in by_pk.items():
        threshold = metric.effective_coverage_threshold
        for period_end in period_ends:
            key = (metric_id, period_end)
            row = entered.get(key)
            reported, expected = coverage.get(key, (0, 0))
            complete = row is not None and (
                row["district_values"] > 0
                or (expected > 0 and reported * 100 >= expected * threshold)
            )
            reports[key] = PeriodReport(
                values_done_on=_local_date(row["last"]) if complete and row else None,
                reported=reported,
                expected=expected,
                commentary_done_on=_local_date(written.get(key)),
            )
    return reports


def value_url(metric: Metric, period: Period) -> str:
    """The entry grid, opened on the period's school values."""
    grid = reverse("goals:measurement-entry", args=[metric.district.slug, metric.pk])
    return f"{grid}?period_end={period.ends_on.isoformat()}&scope={Scope.SCHOOL}"


def commentary_url(metric: Metric, period: Period) -> str:
    return reverse(
        "rhythm:commentary",
        args=[metric.district.slug, metric.pk, period.ends_on.isoformat()],
    )


def metric_updates(
    *,
    district_id: int,
    today: datetime.date,
    owner_ids: Collection[int] | None,
) -> list[DueItem]:
    """The values and commentary owed in the district (a `district.due` source)."""
    metrics = list(
        Metric.objects.filter(district_id=district_id)
        .select_related("district")
        .order_by("pk")
    )
    owners = update_owners(metrics, days=[today])
    periods = {
        metric.pk: recent_periods(
            metric.frequency, today=today, grace_days=grace_days_of(metric)
        )
        for metric in metrics
    }
    owed = [
        metric
        for metric in metrics
        if (owner := owners[metric.pk, today]).user_id is not None
        and (owner_ids is None or owner.user_id in owner_ids)
    ]
    reports = period_reports(
        owed, {period.ends_on for metric in owed for period in periods[metric.pk]}
    )
    items = []
    for metric in owed:
        owner = owners[metric.pk, today]
        assert owner.user_id is not None
        for period in periods[metric.pk]:
            report = reports[metric.pk, period.ends_on]
            extra = {
                "metric": metric.name,
                "period_end": period.ends_on.isoformat(),
                "period_start": period.starts_on.isoformat(),
            }
            period_label = f"{period.starts_on:%b %-d} to {period.ends_on:%b %-d, %Y}"
            items.append(
                DueItem(
                    key=f"{VALUE}:{metric.pk}:{period.ends_on.isoformat()}:district",
                    kind=VALUE,
                    title=f"{metric.name}: values for {period_label}",
                    url=value_url(metric, period),
                    done_on=report.values_done_on,
                    detail=f"{report.reported} of {report.expected} schools reported"
                    if report.expected
                    else "No values yet",
                    district_id=district_id,
                    owner_id=owner.user_id,
                    due=period.due_on,
                    escalate_to_id=owner.escalate_user_id,
                    extra=extra,
                )
            )
            items.append(
                DueItem(
                    key=f"{COMMENTARY}:{metric.pk}:{period.ends_on.isoformat()}:district",
                    kind=COMMENTARY,
                    title=f"{metric.name}: commentary for {period_label}",
                    url=commentary_url(metric, period),
                    done_on=report.commentary_done_on,
                    detail="What is behind the district's number, and the next steps",
                    district_id=district_id,
                    owner_id=owner.user_id,
                    due=period.due_on,
                    escalate_to_id=owner.escalate_user_id,
                    extra=extra,
                )
            )
    return items

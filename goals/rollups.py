"""Network and district values of metrics, computed in SQL from school values.

Every function here answers with a fixed number of queries, whatever the number of
schools, metrics or periods: the aggregation runs in the database (GROUP BY with the
aggregates the metrics need, window functions for "latest per school"), and Python
only picks each group's aggregate and merges the grouped rows. The SQL is plain enough for SQLite and PostgreSQL alike.

Rules, decided once here:

- Aggregation follows `Metric.aggregation`: the mean of the schools' values; a mean
  weighted by each value's denominator n; a mean weighted by school enrollment; the
  sum; the minimum; the maximum. A weighted mean leaves out schools without a weight
  (no n, no enrollment); when none of the schools has one it falls back to the plain
  mean, so a period is not blank only because weights are missing. Enrollment is the
  school's current enrollment.
- Suppressed school values (`goals.status.is_suppressed`: a denominator below the
  metric's effective minimum n) are left out of every rollup, for every user. A network
  or district value is then computed from publishable values only, so it can never
  give a suppressed value away by subtraction (a network of two schools, one of them
  suppressed, would otherwise reveal it). "Schools reporting" counts the schools whose
  values went into the rollup.
- A value entered directly for a network or the district (a Measurement of scope
  network or district) takes precedence over the computed rollup of that scope and
  period: districts often publish official figures computed from student-level data,
  which a rollup of school values only approximates. `RollupValue.is_entered` says which
  one a value is; `schools_reporting` still counts the school values of that period.
- Only the schools of the metric's population (`goals.populations`) count: a value of
  a school outside it is left out of the rollups, and out of the coverage.
- Coverage: every rollup stores how many units of the population `reported` (had a
  value, suppressed or not) against how many were `expected` (the population's size in
  that network, or in the district, as the schools stand now). Whether a period is
  then complete or partial is decided by `goals.coverage`.
- The rollup chain: the district's value of a period comes from school values when
  any school of the population has a value for that period. When none has, and values
  were entered for networks, the district's value rolls up from those network values
  instead (`from_networks`), by the metric's aggregation: a weighted mean (by n or by
  enrollment) weights each network value by its n, since a network value carries no
  enrollment of its own; without any n it is the plain mean of the networks. School
  values win over network values for a period, whole: the two are never mixed in one
  value, because network values already contain their schools. The units are then
  networks: `reported` counts the networks with a value, `expected` the networks with
  some of the population. Networks without any of the population are left out.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice
from typing import NamedTuple, overload

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Lead, RowNumber

from district.models import School

from .models import Aggregation, Measurement, Metric, Population, Rollup, Scope
from .populations import applicable_networks, in_population, population_counts

# Values are stored with four decimals; rollups are reported with the same precision.
PRECISION = Decimal("0.0001")


class RollupValue(NamedTuple):
    """A metric's value for one network (or the district) and one period.

    A named tuple, not a frozen dataclass: a dashboard builds one per stored value it
    shows, and named tuples are much cheaper to build (docs/benchmarks.md).
    """

    metric_id: int
    network_id: int | None  # None: the district
    period_end: datetime.date
    value: Decimal | None
    n: int | None  # total denominator of the values behind it, when known
    schools_reporting: int
    is_entered: bool  # entered for this scope, not computed from schools
    reported: int = 0  # units of the population with a value (coverage)
    expected: int = 0  # units of the population in this scope
    from_networks: bool = False  # the district's value, rolled up from network values


@dataclass(frozen=True)
class SchoolValue:
    """A school's latest value of a metric up to a date, with the one before it."""

    metric_id: int
    school_id: int
    period_end: datetime.date
    value: Decimal
    n: int | None
    previous_period_end: datetime.date | None
    previous_value: Decimal | None
    previous_n: int | None


def publishable() -> Q:
    """School values that are not suppressed: the SQL form of `status.is_suppressed`.

    A value is suppressed when its n is known and below the metric's minimum n, or
    the district's when the metric sets none (`Metric.effective_min_n`).
    """
    min_n = Coalesce(F("metric__min_n"), F("district__suppression_min_n"))
    return Q(n__isnull=True) | Q(n__gte=min_n)


def group_aggregates(
    aggregations: Iterable[str] | None = None,
    *,
    only: Q | None = None,
    enrollment: str = "school__enrollment",
) -> dict:
    """The aggregates a group of school values needs, for `rolled_value` to choose from.

    Groups are (metric, period[, network]) only: grouping by the metric's aggregation
    as well (to choose the aggregate in SQL with CASE) made PostgreSQL sort every
    value on disk instead of hashing the groups (docs/benchmarks.md). The metric's aggregation rides along as MAX(), one
    value per metric. With `aggregations` (those of the metrics queried), only their
    aggregates are computed; the enrollment weighting alone joins schools. With `only`,
    the values aggregated are the rows meeting it (the group counts the others too);
    `enrollment` is the weight of the enrollment-weighted mean.
    """
    wanted = set(Aggregation.values if aggregations is None else aggregations)
    value = Cast("value", FloatField())
    parts = {
        "aggregation": Max("metric__aggregation"),
        "total": Sum(value, filter=only),
    }
    for aggregation, weight in (
        (Aggregation.WEIGHTED_N, Cast("n", FloatField())),
        (Aggregation.WEIGHTED_ENROLLMENT, Cast(enrollment, FloatField())),
    ):
        if aggregation in wanted:
            # Rows without a weight drop out of both sums (NULL * x is NULL).
            parts[f"{aggregation}_sum"] = Sum(value * weight, filter=only)
            parts[f"{aggregation}_weight"] = Sum(weight, filter=only)
    if Aggregation.MIN in wanted:
        parts["least"] = Min(value, filter=only)
    if Aggregation.MAX in wanted:
        parts["greatest"] = Max(value, filter=only)
    return parts


def rolled_value(row: dict) -> float | None:
    """A group's value from `group_aggregates`, chosen by its metric's aggregation.

    A weighted mean leaves out values without a weight and falls back to the plain
    mean when no value has one.
    """
    aggregation, count = row["aggregation"], row["reporting"]
    mean = row["total"] / count if count else None
    if aggregation in (Aggregation.WEIGHTED_N, Aggregation.WEIGHTED_ENROLLMENT):
        weight = row[f"{aggregation}_weight"]
        return row[f"{aggregation}_sum"] / weight if weight else mean
    if aggregation == Aggregation.SUM:
        return row["total"]
    if aggregation == Aggregation.MIN:
        return row["least"]
    if aggregation == Aggregation.MAX:
        return row["greatest"]
    return mean


@overload
def to_decimal(number: None) -> None: ...
@overload
def to_decimal(number: float | Decimal) -> Decimal: ...
def to_decimal(number: float | Decimal | None) -> Decimal | None:
    """A database number (float or Decimal) as a Decimal with four decimals."""
    if number is None:
        return None
    return Decimal(str(number)).quantize(PRECISION, rounding=ROUND_HALF_UP)


def _periods(queryset, *, until, period_end):
    if period_end is not None:
        queryset = queryset.filter(period_end=period_end)
    if until is not None:
        queryset = queryset.filter(period_end__lte=until)
    return queryset


def _period_filter(pairs: Iterable[tuple[int, datetime.date]]) -> Q:
    """Rows of the given (metric, period end) pairs.

    Metrics with the same periods share one `metric IN (...) AND period_end IN (...)`
    (the usual case: one week, or one metric's weeks), which PostgreSQL answers through
    the (metric, scope, period_end) index; a condition per metric made it probe every
    metric and school of the district (docs/benchmarks.md).
    """
    by_metric: dict[int, set[datetime.date]] = defaultdict(set)
    for metric_id, period_end in pairs:
        by_metric[metric_id].add(period_end)
    by_periods: dict[tuple[datetime.date, ...], list[int]] = defaultdict(list)
    for metric_id, dates in sorted(by_metric.items()):
        by_periods[tuple(sorted(dates))].append(metric_id)
    condition = Q(pk__in=[])
    for periods, metric_ids in by_periods.items():
        condition |= Q(metric_id__in=metric_ids, period_end__in=periods)
    return condition


def computed_rollups(
    *,
    district,
    metric_ids: Iterable[int] | None = None,
    pairs: Iterable[tuple[int, datetime.date]] | None = None,
    network_ids: Iterable[int] | None = None,
    with_district: bool = True,
) -> Iterator[tuple]:
    """Network and district values computed from school values, as Rollup columns.

    Yields (metric pk, network pk or None, period_end, value, n, schools reporting,
    reported, expected, from networks), per the rules at the top of this module:
    GROUP BY (metric, period[, network]) in the database over the population's school
    values, the aggregates over publishable ones only, each group's value chosen in
    Python by `rolled_value` (one row per group, never per school); then the
    district's periods without school values from the values entered for networks.
    `metric_ids` and `pairs` ((metric, period end)) narrow the groups; `network_ids`
    narrows the network rows, and `with_district=False` leaves out the district rows.
    At most six queries: the metrics, the population counts (two), the district's
    groups, the networks' groups and the network values of the chain.
    """
    district_id = getattr(district, "pk", district)
    # Joined to their schools: a school being deleted may outlive its values by a
    # statement within the deleting transaction (foreign keys are checked at commit).
    schools = Measurement.objects.filter(
        district_id=district_id, scope=Scope.SCHOOL, school__district_id=district_id
    )
    networks_entered = Measurement.objects.filter(
        district_id=district_id, scope=Scope.NETWORK, network__district_id=district_id
    )
    chosen = Metric.objects.filter(district_id=district_id)
    if metric_ids is not None:
        metric_ids = list(metric_ids)
        schools = schools.filter(metric_id__in=metric_ids)
        networks_entered = networks_entered.filter(metric_id__in=metric_ids)
        chosen = chosen.filter(pk__in=metric_ids)
    if pairs is not None:
        pairs = list(pairs)
        schools = schools.filter(_period_filter(pairs))
        networks_entered = networks_entered.filter(_period_filter(pairs))
        chosen = chosen.filter(pk__in={metric_id for metric_id, _end in pairs})
    metrics = list(
        chosen.order_by().only(
            "pk",
            "aggregation",
            "population",
            "population_category",
            "population_network_kind",
        )
    )
    if not metrics:
        return
    aggregations = {metric.aggregation for metric in metrics}
    if any(metric.population != Population.ALL for metric in metrics):
        # Only then: the condition joins every value to its metric's population.
        schools = schools.filter(in_population())
    counts = population_counts(district_id, metrics)
    applicable = applicable_networks(counts)
    groupings = []
    if with_district:
        groupings.append((schools, ["metric_id", "period_end"]))
    by_network = schools.filter(school__network__isnull=False)
    if network_ids is not None:
        by_network = by_network.filter(school__network_id__in=list(network_ids))
    groupings.append((by_network, ["metric_id", "period_end", "school__network_id"]))
    with_schools: set[tuple[int, datetime.date]] = set()
    for queryset, group in groupings:
        for row in _grouped(queryset, group, aggregations):
            network_id = row.get("school__network_id")
            if network_id is None:
                with_schools.add((row["metric_id"], row["period_end"]))
            if not row["reporting"]:
                continue  # every value suppressed: nothing to show
            yield (
                row["metric_id"],
                network_id,
                row["period_end"],
                to_decimal(rolled_value(row)),
                row["n_total"],
                row["reporting"],
                row["reported"],
                counts.get((row["metric_id"], network_id), 0),
                False,
            )
    if not with_district:
        return
    # The chain: network values of the networks with some of the population.
    by_networks: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for metric_id, network_set in applicable.items():
        by_networks[tuple(sorted(network_set))].append(metric_id)
    condition = Q(pk__in=[])
    for members, chained in by_networks.items():
        condition |= Q(metric_id__in=chained, network_id__in=members)
    rows = _grouped(
        networks_entered.filter(condition),
        ["metric_id", "period_end"],
        aggregations,
        enrollment="n",
    )
    for row in rows:
        key = (row["metric_id"], row["period_end"])
        if key in with_schools or not row["reporting"]:
            continue
        metric_id, period_end = key
        yield (
            metric_id,
            None,
            period_end,
            to_decimal(rolled_value(row)),
            row["n_total"],
            row["reporting"],
            row["reported"],
            len(applicable.get(row["metric_id"], ())),
            True,
        )


def _grouped(queryset, group: list[str], aggregations, *, enrollment=None):
    """Rows of `queryset` grouped by `group`, with what `rolled_value` and coverage need."""
    only = publishable()
    extra = {} if enrollment is None else {"enrollment": enrollment}
    return (
        queryset.values(*group)
        .annotate(
            **group_aggregates(aggregations, only=only, **extra),
            n_total=Sum("n", filter=only),
            reporting=Count("id", filter=only),
            reported=Count("id"),
        )
        .order_by()
        .iterator(chunk_size=10_000)
    )


def refresh_rollups(
    district,
    *,
    metric_ids: Iterable[int] | None = None,
    pairs: Iterable[tuple[int, datetime.date]] | None = None,
    network_ids: Iterable[int] | None = None,
    with_district: bool | None = None,
) -> int:
    """Recompute and store `district`'s rollups; return how many rows were written.

    Everything by default; only the given metrics, the given (metric, period end)
    pairs, and/or only the given networks' rows (the district's rows then stay as
    they are, unless `with_district`: a school changing networks moves no district
    value, a deleted school does). The stored rows of
    that selection are deleted and the computed ones inserted, in the caller's
    transaction (an atomic block of its own otherwise), so readers never see a half
    refresh. A fixed number of queries, plus one INSERT per 1,000 rows.
    """
    district_id = getattr(district, "pk", district)
    if metric_ids is not None:
        metric_ids = list(metric_ids)
    if pairs is not None:
        pairs = list(pairs)
        if not pairs:
            return 0
    if with_district is None:
        with_district = network_ids is None
    if network_ids is not None:
        network_ids = [pk for pk in network_ids if pk is not None]
        if not network_ids and not with_district:
            return 0
    stored = Rollup.objects.filter(district_id=district_id)
    if metric_ids is not None:
        stored = stored.filter(metric_id__in=metric_ids)
    if pairs is not None:
        stored = stored.filter(_period_filter(pairs))
    if network_ids is not None:
        places = Q(network_id__in=network_ids)
        if with_district:
            places |= Q(network__isnull=True)
        stored = stored.filter(places)
    with transaction.atomic():
        # Rollup has no signals and no dependents: one DELETE statement.
        stored._raw_delete(stored.db)
        rows = computed_rollups(
            district=district_id,
            metric_ids=metric_ids,
            pairs=pairs,
            network_ids=network_ids,
            with_district=with_district,
        )
        return _insert_rollups(district_id, rows)


def recount_expected(district, *, metric_ids: Iterable[int] | None = None) -> None:
    """Store again how many units each stored rollup expects, after schools changed.

    A new school, a school moving to another network or category, a network changing
    kind: the population's size moves for every period, not the values. Metrics with
    the same population share their counts, so this is a few UPDATE statements per
    population (network rows, district rows, district rows of the chain), whatever
    the number of periods.
    """
    district_id = getattr(district, "pk", district)
    chosen = Metric.objects.filter(district_id=district_id).order_by()
    if metric_ids is not None:
        chosen = chosen.filter(pk__in=list(metric_ids))
    metrics = list(
        chosen.only(
            "pk", "population", "population_category", "population_network_kind"
        )
    )
    counts = population_counts(district_id, metrics)
    applicable = applicable_networks(counts)
    by_counts: dict[tuple, list[int]] = defaultdict(list)
    for metric in metrics:
        per_network = tuple(
            sorted(
                (network_id, count)
                for (metric_id, network_id), count in counts.items()
                if metric_id == metric.pk and network_id is not None and count
            )
        )
        whole = (counts.get((metric.pk, None), 0), len(applicable.get(metric.pk, ())))
        by_counts[per_network, whole].append(metric.pk)
    stored = Rollup.objects.filter(district_id=district_id)
    for (per_network, (schools, networks)), ids in by_counts.items():
        rows = stored.filter(metric_id__in=ids)
        rows.filter(network__isnull=False).update(
            expected=Case(
                *(When(network_id=pk, then=Value(count)) for pk, count in per_network),
                default=Value(0),
            )
        )
        rows.filter(network__isnull=True, from_networks=False).update(expected=schools)
        rows.filter(network__isnull=True, from_networks=True).update(expected=networks)


def _insert_rollups(district_id: int, rows: Iterable[tuple]) -> int:
    """Insert Rollup rows in batches, so a full refresh never holds them all at once."""
    written = 0
    rows = iter(rows)
    while batch := [
        Rollup(
            district_id=district_id,
            metric_id=metric_id,
            network_id=network_id,
            period_end=period_end,
            value=value,
            n=n,
            schools_reporting=reporting,
            reported=reported,
            expected=expected,
            from_networks=from_networks,
        )
        for (
            metric_id,
            network_id,
            period_end,
            value,
            n,
            reporting,
            reported,
            expected,
            from_networks,
        ) in islice(rows, 1000)
    ]:
        Rollup.objects.bulk_create(batch)
        written += len(batch)
    return written


def rollup_series(
    *,
    district,
    metric_ids: Iterable[int],
    scope: Scope,
    network_ids: Iterable[int] | None = None,
    until: datetime.date | None = None,
    period_end: datetime.date | None = None,
    newest: int | None = None,
) -> dict[tuple[int, int | None], tuple[RollupValue, ...]]:
    """Values per (metric, network) for `scope` NETWORK, or per (metric, None) for DISTRICT.

    Each series is ordered by period end. `until` keeps periods ending on or before it;
    `period_end` keeps one period; `newest` keeps each series' last periods only (a
    window in the database: a table of latest values and changes reads two rows per
    series, not every week). Two queries: the stored rollups (`Rollup`, kept up to date
    by `refresh_rollups`) and the values entered for the scope, which take precedence.
    The newest periods of both together are among the newest of each, so each query
    keeps its own.
    """
    if scope not in (Scope.NETWORK, Scope.DISTRICT):
        raise ValueError(f"Rollups are per network or district, not {scope}.")
    metric_ids = list(metric_ids)
    by_network = scope == Scope.NETWORK
    stored = _periods(
        Rollup.objects.filter(
            district=district,
            metric_id__in=metric_ids,
            network__isnull=not by_network,
        ),
        until=until,
        period_end=period_end,
    )
    entered = _periods(
        Measurement.objects.filter(
            district=district, metric_id__in=metric_ids, scope=scope
        ),
        until=until,
        period_end=period_end,
    )
    if by_network and network_ids is not None:
        network_ids = list(network_ids)
        stored = stored.filter(network_id__in=network_ids)
        entered = entered.filter(network_id__in=network_ids)
    if newest is not None:
        stored, entered = (
            _newest_periods(queryset, newest, by_network=by_network)
            for queryset in (stored, entered)
        )

    # Rows come in series order from the unique index, so no sort in Python (a
    # scorecard reads every stored value of its series). The district's rows have no
    # network to order by,
    # and ordering by it would keep PostgreSQL from reading their index in order.
    order = (
        ("metric_id", "network_id", "period_end")
        if by_network
        else ("metric_id", "period_end")
    )
    series: dict[tuple[int, int | None], list[RollupValue]] = defaultdict(list)
    for row in stored.order_by(*order).values_list(
        "metric_id",
        "network_id",
        "period_end",
        "value",
        "n",
        "schools_reporting",
        "reported",
        "expected",
        "from_networks",
    ):
        metric_id, network_id, period_end, value, n, reporting = row[:6]
        reported, expected, from_networks = row[6:]
        series[metric_id, network_id].append(
            RollupValue(
                metric_id,
                network_id,
                period_end,
                value,
                n,
                reporting,
                False,
                reported,
                expected,
                from_networks,
            )
        )
    entered_rows = entered.order_by().values_list(
        "metric_id", "network_id", "period_end", "value", "n"
    )
    overrides: dict[tuple[int, int | None], list[tuple]] = defaultdict(list)
    for row in entered_rows:
        overrides[row[0], row[1]].append(row)
    for key, rows in overrides.items():
        by_period = {item.period_end: item for item in series.get(key, ())}
        for metric_id, network_id, end, value, n in rows:
            computed = by_period.get(end)
            by_period[end] = RollupValue(
                metric_id=metric_id,
                network_id=network_id,
                period_end=end,
                value=to_decimal(value),
                n=n,
                schools_reporting=computed.schools_reporting if computed else 0,
                is_entered=True,
                reported=computed.reported if computed else 0,
                expected=computed.expected if computed else 0,
            )
        series[key] = [by_period[end] for end in sorted(by_period)]
    keep = slice(-newest, None) if newest is not None else slice(None)
    return {key: tuple(values[keep]) for key, values in series.items()}


def _newest_periods(queryset, count: int, *, by_network: bool):
    """The rows of `queryset` among the last `count` periods of their series."""
    partition = [F("metric_id"), F("network_id")] if by_network else [F("metric_id")]
    return queryset.annotate(
        period_rank=Window(
            RowNumber(), partition_by=partition, order_by=F("period_end").desc()
        )
    ).filter(period_rank__lte=count)


def district_series(
    *,
    district,
    metric_ids: Iterable[int],
    until: datetime.date | None = None,
    period_end: datetime.date | None = None,
    newest: int | None = None,
) -> dict[int, tuple[RollupValue, ...]]:
    """Each metric's district values by period (entered, or rolled up from schools)."""
    series = rollup_series(
        district=district,
        metric_ids=metric_ids,
        scope=Scope.DISTRICT,
        until=until,
        period_end=period_end,
        newest=newest,
    )
    return {metric_id: values for (metric_id, _none), values in series.items()}


def network_series(
    *,
    district,
    metric_ids: Iterable[int],
    network_ids: Iterable[int] | None = None,
    until: datetime.date | None = None,
    period_end: datetime.date | None = None,
    newest: int | None = None,
) -> dict[tuple[int, int | None], tuple[RollupValue, ...]]:
    """Each (metric, network)'s values by period (entered, or rolled up from schools)."""
    return rollup_series(
        district=district,
        metric_ids=metric_ids,
        scope=Scope.NETWORK,
        network_ids=network_ids,
        until=until,
        period_end=period_end,
        newest=newest,
    )


def latest_and_previous(
    series: Iterable[RollupValue],
) -> tuple[RollupValue | None, RollupValue | None]:
    """The last two entries of a series ordered by period end."""
    values = tuple(series)
    latest = values[-1] if values else None
    previous = values[-2] if len(values) > 1 else None
    return latest, previous


def latest_school_values(
    *,
    district,
    metric_ids: Iterable[int],
    until: datetime.date,
    network_id: int | None = None,
    school_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], SchoolValue]:
    """Each school's latest value of each metric on or before `until`, and the one before.

    One query. On PostgreSQL it reads, for each (metric, school), the newest two rows
    through the unique (metric, school, period_end) index (`latest_rows_by_index`): a
    network scorecard at 600 x 50 x 260 then reads 3,300 index entries instead of
    windowing over 430,000 values. Elsewhere (SQLite) a window over each (metric,
    school)'s values, newest first, keeps the first row and reads the previous one
    with LEAD (`latest_rows_by_window`). Both give the same rows.
    """
    find = (
        latest_rows_by_index
        if connection.vendor == "postgresql"
        else latest_rows_by_window
    )
    rows = find(
        district=district,
        metric_ids=list(metric_ids),
        until=until,
        network_id=network_id,
        school_ids=None if school_ids is None else list(school_ids),
    )
    return {
        (metric_id, school_id): SchoolValue(
            metric_id=metric_id,
            school_id=school_id,
            period_end=period_end,
            value=to_decimal(value),
            n=n,
            previous_period_end=previous_period_end,
            previous_value=to_decimal(previous_value),
            previous_n=previous_n,
        )
        for (
            metric_id,
            school_id,
            period_end,
            value,
            n,
            previous_period_end,
            previous_value,
            previous_n,
        ) in rows
    }


LATEST_COLUMNS = (
    "metric_id",
    "school_id",
    "period_end",
    "value",
    "n",
    "previous_period_end",
    "previous_value",
    "previous_n",
)


def latest_rows_by_window(
    *, district, metric_ids, until, network_id=None, school_ids=None
) -> list[tuple]:
    """`latest_school_values`' rows (LATEST_COLUMNS) from a window query, any database."""
    queryset = Measurement.objects.filter(
        district=district,
        metric_id__in=metric_ids,
        scope=Scope.SCHOOL,
        period_end__lte=until,
    )
    if network_id is not None:
        queryset = queryset.filter(school__network_id=network_id)
    if school_ids is not None:
        queryset = queryset.filter(school_id__in=school_ids)
    partition = [F("metric_id"), F("school_id")]
    newest_first = F("period_end").desc()
    return list(
        queryset.annotate(
            newest=Window(RowNumber(), partition, newest_first),
            previous_value=Window(Lead("value"), partition, newest_first),
            previous_n=Window(Lead("n"), partition, newest_first),
            previous_period_end=Window(Lead("period_end"), partition, newest_first),
        )
        .filter(newest=1)
        .order_by()
        .values_list(*LATEST_COLUMNS)
    )


def latest_rows_by_index(
    *, district, metric_ids, until, network_id=None, school_ids=None
) -> list[tuple]:
    """`latest_school_values`' rows (LATEST_COLUMNS) through the index, on PostgreSQL.

    For each metric and each school (of the network, or given), LATERAL subqueries
    read the newest value on or before `until` and the one before it, each one probe
    of the unique (metric, school, period_end) index where scope is school.
    """
    quote = connection.ops.quote_name
    measurement = quote(Measurement._meta.db_table)
    school_table = quote(School._meta.db_table)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    metric, school = column(Measurement, "metric"), column(Measurement, "school")
    period, value, n = (
        column(Measurement, "period_end"),
        column(Measurement, "value"),
        column(Measurement, "n"),
    )
    scope, owner = column(Measurement, "scope"), column(Measurement, "district")
    conditions = [f"s.{column(School, 'district')} = %(district)s"]
    if network_id is not None:
        conditions.append(f"s.{column(School, 'network')} = %(network)s")
    if school_ids is not None:
        conditions.append(f"s.{column(School, 'id')} = ANY(%(schools)s)")

    def newest(alias, before):
        return (
            f"SELECT {period} AS period_end, {value} AS value, {n} AS n "
            f"FROM {measurement} m WHERE m.{metric} = metric.id "
            f"AND m.{school} = s.{column(School, 'id')} AND m.{scope} = %(scope)s "
            f"AND m.{owner} = %(district)s AND m.{period} {before} "
            f"ORDER BY m.{period} DESC LIMIT 1"
        )

    sql = (
        "SELECT metric.id, s.id, latest.period_end, latest.value, latest.n, "
        "previous.period_end, previous.value, previous.n "
        "FROM unnest(%(metrics)s::bigint[]) AS metric(id) "
        f"CROSS JOIN {school_table} s "
        f"CROSS JOIN LATERAL ({newest('latest', '<= %(until)s')}) latest "
        f"LEFT JOIN LATERAL ({newest('previous', '< latest.period_end')}) previous "
        f"ON true WHERE {' AND '.join(conditions)}"
    )
    params = {
        "district": getattr(district, "pk", district),
        "metrics": list(metric_ids),
        "until": until,
        "network": network_id,
        "schools": school_ids,
        "scope": Scope.SCHOOL.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()

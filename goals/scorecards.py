"""The metric page (by network, down to schools) and the network scorecard.

Each builder reads a fixed number of queries whatever the number of schools; the
grouping and "latest per school" run in SQL (`goals.rollups`), Python only evaluates
each row's status and orders the rows. Each network and school is judged against the
target `goals.targets.choose_target` gives it, and its row says which.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from district.models import Network, Principal, School, principals_on

from .coverage import Coverage, complete_and_in_progress, coverage_of
from .dashboards import (
    InProgress,
    MetricCard,
    build_metric_card,
    metrics_with_details,
    status_of,
)
from .display import (
    EMPTY,
    ShownValue,
    change_between,
    format_value,
    period_label,
    show_value,
    shown_change,
)
from .models import Metric
from .populations import is_in_population, listed_schools, population_counts
from .rollups import (
    RollupValue,
    SchoolValue,
    district_series,
    latest_and_previous,
    latest_school_values,
    network_series,
)
from .status import (
    GOAL_STATUS_ORDER,
    MetricStatus,
    Status,
    count_statuses,
)
from .targets import (
    AppliedTarget,
    MetricTargets,
    choose_target,
    metric_targets,
    school_group_ids,
)


@dataclass(frozen=True)
class ScopeRow:
    """One network's (or school's) latest value of a metric, its change and status."""

    place: Network | School
    latest: ShownValue
    period: str
    change: str
    change_value: Decimal | None
    status: MetricStatus
    applied_target: AppliedTarget
    expected: str = EMPTY
    schools_reporting: int | None = None
    is_entered: bool = False
    coverage: Coverage | None = None  # of `latest`, the latest complete period
    in_progress: InProgress | None = None  # a newer, partial period


@dataclass(frozen=True)
class MetricDetail:
    """The metric page: the district card, a row per network, a network's schools."""

    card: MetricCard
    networks: tuple[ScopeRow, ...]
    network_card: MetricCard | None
    schools: tuple[ScopeRow, ...]


def severity(status: Status) -> int:
    """Position of `status` in the worst-first order: off track sorts first."""
    return GOAL_STATUS_ORDER.index(status)


def gap_order(row: ScopeRow) -> tuple:
    """Worst first: by status (off track first), then furthest behind expected."""
    margin = row.status.margin
    return (severity(row.status.status), margin if margin is not None else 0)


def worst_first(row: ScopeRow) -> tuple:
    return (*gap_order(row), row.place.name)


def expected_text(metric, status: MetricStatus) -> str:
    if status.expected is None:
        return EMPTY
    return format_value(status.expected, unit=metric.unit, decimals=metric.decimals)


def rollup_row(
    place: Network,
    series: Sequence[RollupValue],
    *,
    metric,
    target: AppliedTarget,
    as_of,
    can_see,
    applicable: bool = True,
) -> ScopeRow:
    """A network's row: its latest complete period, and a newer partial one if any."""
    threshold = metric.effective_coverage_threshold
    complete, partial = complete_and_in_progress(series, threshold=threshold)
    latest, previous = latest_and_previous(complete)

    def shown(item):
        if item is None:
            return show_value(None, None, metric=metric, can_see_suppressed=False)
        return show_value(item.value, item.n, metric=metric, can_see_suppressed=can_see)

    latest_shown, previous_shown = shown(latest), shown(previous)
    status = status_of(
        metric,
        target.trajectory,
        latest_shown,
        latest.period_end if latest else None,
        as_of=as_of,
        applicable=applicable,
    )
    return ScopeRow(
        place=place,
        latest=latest_shown,
        period=period_label(latest.period_end, metric.frequency) if latest else EMPTY,
        change=shown_change(latest_shown, previous_shown, metric=metric),
        change_value=change_between(latest_shown, previous_shown),
        status=status,
        applied_target=target,
        expected=expected_text(metric, status),
        schools_reporting=latest.schools_reporting if latest else 0,
        is_entered=latest.is_entered if latest else False,
        coverage=coverage_of(latest, threshold=threshold),
        in_progress=(
            InProgress(
                period_end=partial.period_end,
                latest=shown(partial),
                coverage=coverage_of(partial, threshold=threshold),
            )
            if partial is not None
            else None
        ),
    )


def school_row(
    school: School,
    value: SchoolValue | None,
    *,
    metric,
    target: AppliedTarget,
    as_of,
    can_see,
    applicable: bool = True,
) -> ScopeRow:
    """A school's cell: its latest value; not applicable outside the population."""
    if value is None or not applicable:
        latest = show_value(None, None, metric=metric, can_see_suppressed=False)
        return ScopeRow(
            place=school,
            latest=latest,
            period=EMPTY,
            change=EMPTY,
            change_value=None,
            status=status_of(
                metric,
                target.trajectory,
                latest,
                None,
                as_of=as_of,
                applicable=applicable,
            ),
            applied_target=target,
        )
    latest = show_value(value.value, value.n, metric=metric, can_see_suppressed=can_see)
    previous = show_value(
        value.previous_value,
        value.previous_n,
        metric=metric,
        can_see_suppressed=can_see,
    )
    status = status_of(metric, target.trajectory, latest, value.period_end, as_of=as_of)
    return ScopeRow(
        place=school,
        latest=latest,
        period=period_label(value.period_end, metric.frequency),
        change=shown_change(latest, previous, metric=metric),
        change_value=change_between(latest, previous),
        status=status,
        applied_target=target,
        expected=expected_text(metric, status),
    )


def school_target(
    targets: MetricTargets, school: School, groups: dict[int, tuple[int, ...]]
) -> AppliedTarget:
    """The target of `school`, given its school groups (`school_group_ids`)."""
    return choose_target(
        targets,
        network_id=school.network_id,
        school_group_ids=groups.get(school.pk, ()),
    )


def groups_of_schools(district, metrics: Sequence[Metric], *, network_id):
    """The school groups of a network's schools, read only if a metric needs them."""
    if not any(metric_targets(metric).school_groups for metric in metrics):
        return {}
    return school_group_ids(district=district, network_id=network_id)


def build_metric_detail(
    *,
    district,
    user,
    metric: Metric,
    networks: Sequence[Network],
    as_of: datetime.date,
    can_see_suppressed: bool,
    network: Network | None = None,
) -> MetricDetail:
    """The metric page's content as of `as_of`; with `network`, its schools too."""
    can_see = can_see_suppressed
    targets = metric_targets(metric)
    only = [metric.pk]
    district_values = district_series(
        district=district, until=as_of, metric_ids=only
    ).get(metric.pk, ())
    by_network = network_series(district=district, until=as_of, metric_ids=only)
    counts = population_counts(district.pk, [metric])
    # Worst first (a stable sort: ties keep the networks' order).
    rows = sorted(
        (
            rollup_row(
                place,
                by_network.get((metric.pk, place.pk), ()),
                metric=metric,
                target=choose_target(targets, network_id=place.pk),
                as_of=as_of,
                can_see=can_see,
                applicable=bool(counts.get((metric.pk, place.pk))),
            )
            for place in networks
        ),
        key=gap_order,
    )
    card = build_metric_card(
        metric,
        district_values,
        as_of=as_of,
        can_see_suppressed=can_see,
        series_label=_("District"),
        size="large",
    )
    if network is None:
        return MetricDetail(
            card=card, networks=tuple(rows), network_card=None, schools=()
        )
    network_card = build_metric_card(
        metric,
        by_network.get((metric.pk, network.pk), ()),
        as_of=as_of,
        can_see_suppressed=can_see,
        series_label=network.name,
        comparison=district_values,
        comparison_label=_("District"),
        size="large",
        target=choose_target(targets, network_id=network.pk),
        applicable=bool(counts.get((metric.pk, network.pk))),
        network_id=network.pk,
    )
    schools = list(
        School.objects.visible_to(user).filter(district=district, network=network)
    )
    groups = groups_of_schools(district, [metric], network_id=network.pk)
    values = latest_school_values(
        district=district, metric_ids=[metric.pk], until=as_of, network_id=network.pk
    )
    listed = listed_schools([metric], [school.pk for school in schools])
    school_rows = sorted(
        (
            school_row(
                school,
                values.get((metric.pk, school.pk)),
                metric=metric,
                target=school_target(targets, school, groups),
                as_of=as_of,
                can_see=can_see,
                applicable=is_in_population(
                    metric, school, network_kind=network.kind, listed=listed
                ),
            )
            for school in schools
        ),
        key=worst_first,
    )
    return MetricDetail(
        card=card,
        networks=tuple(rows),
        network_card=network_card,
        schools=tuple(school_rows),
    )


@dataclass(frozen=True)
class NetworkMetric:
    """A metric on the network scorecard: the network's card and the district's value."""

    card: MetricCard
    district: ShownValue
    district_status: MetricStatus


@dataclass(frozen=True)
class RankedSchool:
    """A school on the network scorecard: one cell per metric, ranked worst first."""

    rank: int
    school: School
    cells: tuple[ScopeRow, ...]
    off_track: int
    at_risk: int
    principal: Principal | None = None  # on the as-of date


@dataclass(frozen=True)
class NetworkScorecard:
    network: Network
    metrics: tuple[NetworkMetric, ...]
    school_metrics: tuple[Metric, ...]  # the metrics some school of the network reports
    schools: tuple[RankedSchool, ...]
    counts: tuple[tuple[Status, int], ...]


def build_network_metrics(
    *,
    district,
    user,
    network: Network,
    as_of: datetime.date,
    can_see_suppressed: bool,
    charts: bool = True,
) -> tuple[NetworkMetric, ...]:
    """Each metric's card for `network` (its trend against the district's) as of `as_of`.

    The scorecard's table and its trend charts both come from these cards; a card
    draws its chart only when a page renders it. With `charts=False` the cards hold
    each series' last two values only: enough for the latest value, change and status
    of the scorecard's table, not for a chart.
    """
    can_see = can_see_suppressed
    metrics = list(
        metrics_with_details(Metric.objects.visible_to(user).filter(district=district))
    )
    metric_ids = [m.pk for m in metrics]
    newest = None if charts else 2
    district_values = district_series(
        district=district, metric_ids=metric_ids, until=as_of, newest=newest
    )
    network_values = network_series(
        district=district,
        metric_ids=metric_ids,
        network_ids=[network.pk],
        until=as_of,
        newest=newest,
    )
    counts = population_counts(district.pk, metrics)
    items = []
    for metric in metrics:
        targets = metric_targets(metric)
        card = build_metric_card(
            metric,
            network_values.get((metric.pk, network.pk), ()),
            as_of=as_of,
            can_see_suppressed=can_see,
            series_label=network.name,
            comparison=district_values.get(metric.pk, ()),
            comparison_label=_("District"),
            target=choose_target(targets, network_id=network.pk),
            applicable=bool(counts.get((metric.pk, network.pk))),
            network_id=network.pk,
        )
        district_row = rollup_row(
            network,
            district_values.get(metric.pk, ()),
            metric=metric,
            target=targets.district,
            as_of=as_of,
            can_see=can_see,
        )
        items.append(
            NetworkMetric(
                card=card,
                district=district_row.latest,
                district_status=district_row.status,
            )
        )
    return tuple(items)


def build_network_scorecard(
    *,
    district,
    user,
    network: Network,
    as_of: datetime.date,
    can_see_suppressed: bool,
    only_schools=None,
) -> NetworkScorecard:
    """A network's metrics against the district and target, and its schools ranked.

    Schools are ranked by how many of their metrics are off track, then at risk (most
    first), then by name. `only_schools` (a queryset) keeps those schools only, such
    as one tier's (`district.school_sets`). The trend charts are a page of their own
    (`build_network_metrics`), which the scorecard loads after it shows.
    """
    can_see = can_see_suppressed
    items = build_network_metrics(
        district=district,
        user=user,
        network=network,
        as_of=as_of,
        can_see_suppressed=can_see_suppressed,
        charts=False,
    )
    metrics = [item.card.metric for item in items]
    metric_ids = [m.pk for m in metrics]
    targets = {metric.pk: metric_targets(metric) for metric in metrics}
    by_pk = {metric.pk: metric for metric in metrics}

    school_rows = School.objects.visible_to(user).filter(
        district=district, network=network
    )
    if only_schools is not None:
        school_rows = school_rows.filter(pk__in=only_schools.values("pk"))
    schools = list(school_rows)
    principals = principals_on(school_rows, as_of)
    groups = groups_of_schools(district, metrics, network_id=network.pk)
    values = latest_school_values(
        district=district, metric_ids=metric_ids, until=as_of, network_id=network.pk
    )
    listed = listed_schools(metrics, [school.pk for school in schools])
    by_pk_school = {school.pk: school for school in schools}

    def in_population(metric, school) -> bool:
        return is_in_population(
            metric, school, network_kind=network.kind, listed=listed
        )

    # The school table leaves out metrics no school of the network reports among the
    # metric's population (high school measures in an elementary network); a school
    # outside a metric's population is not applicable for it, and not ranked on it.
    reported = {
        metric_id
        for metric_id, school_id in values
        if school_id in by_pk_school
        and in_population(by_pk[metric_id], by_pk_school[school_id])
    }
    school_metrics = tuple(m for m in metrics if m.pk in reported)
    unranked = []
    for school in schools:
        cells = tuple(
            school_row(
                school,
                values.get((metric.pk, school.pk)),
                metric=metric,
                target=school_target(targets[metric.pk], school, groups),
                as_of=as_of,
                can_see=can_see,
                applicable=in_population(metric, school),
            )
            for metric in school_metrics
        )
        counts = count_statuses(cell.status.status for cell in cells)
        unranked.append((school, cells, counts))
    unranked.sort(
        key=lambda item: (
            -item[2][Status.OFF_TRACK],
            -item[2][Status.AT_RISK],
            item[0].name,
        )
    )
    ranked = tuple(
        RankedSchool(
            rank=rank,
            school=school,
            cells=cells,
            off_track=counts[Status.OFF_TRACK],
            at_risk=counts[Status.AT_RISK],
            principal=principals.get(school.pk),
        )
        for rank, (school, cells, counts) in enumerate(unranked, start=1)
    )
    counts = count_statuses(item.card.status.status for item in items)
    return NetworkScorecard(
        network=network,
        metrics=items,
        school_metrics=school_metrics,
        schools=ranked,
        counts=tuple(counts.items()),
    )

"""The shared-metric dashboard: goals, their metrics' status, values and trend charts.

`build_dashboard` assembles what the dashboard page shows for one district, as of a
date (`goals.status.judged_on`), optionally for one network and for the goals of one owner role
(or the joint goals). It reads a fixed number of queries whatever the number of
schools: the goals and metrics with their owners and targets, and two rollup queries.
The metric cards built here are shared by the metric page and the scorecards.

A network's or a school's value is judged against its own target where it has one,
else the district's (`goals.targets.choose_target`); each card says which applies.
A value hidden from the viewer by suppression counts as no data, since its status
would hint at the hidden value.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from district.models import District, Network
from roles.holders import holders_on
from roles.models import Role

from .charts import Chart, SeriesValue, build_chart
from .coverage import (
    Coverage,
    complete_and_in_progress,
    coverage_of,
    is_partial,
    stored_complete,
)
from .display import (
    EMPTY,
    ShownValue,
    change_between,
    format_value,
    period_label,
    school_year_label,
    show_value,
    shown_change,
    value_formatter,
)
from .models import (
    EARLIEST_DATE,
    LATEST_DATE,
    Commentary,
    Goal,
    GoalOwner,
    Measurement,
    Metric,
    MetricOwner,
    Rollup,
    Scope,
    Target,
    school_year_end,
)
from .populations import population_counts
from .rollups import RollupValue, district_series, latest_and_previous, network_series
from .status import (
    MetricStatus,
    Status,
    Trajectory,
    count_statuses,
    evaluate_metric,
    goal_status,
)
from .targets import AppliedTarget, choose_target, metric_targets

JOINT = "joint"
# The tables the goal pages (dashboard, metric page, scorecards) read, whose change
# times make their ETag (district.conditional); scorecards name the people holding
# roles and leading networks.
GOALS_DATA = (
    "district.District",
    "district.Network",
    "district.School",
    "district.SchoolGroup",
    "district.SchoolGroupMember",
    "district.Person",
    "roles.Role",
    "roles.RoleAssignment",
    "roles.WorkArea",
    "roles.Responsibility",
    "roles.Ownership",
    "goals.Goal",
    "goals.GoalOwner",
    "goals.Metric",
    "goals.MetricOwner",
    "goals.Target",
    "goals.Measurement",
    "goals.ResponsibilityLink",
)


@dataclass(frozen=True)
class MetricCard:
    """One metric's standing for one scope (district or network) as of a date."""

    metric: Metric
    owners: tuple[str, ...]
    status: MetricStatus
    applied_target: AppliedTarget
    latest: ShownValue
    latest_period: str
    expected: str
    baseline: str
    target: str
    change: str
    change_value: Decimal | None
    schools_reporting: int | None
    is_entered: bool
    coverage: Coverage | None  # of the headline (latest complete) value
    in_progress: "InProgress | None"  # a newer, partial period
    # The owner's latest commentary for the scope, up to `as_of` (goals.models.Commentary).
    commentary: Commentary | None
    # Drawn when a page shows it: the API's answers have no charts, and drawing 50
    # charts of 260 weeks is most of a dashboard's time.
    draw_chart: Callable[[], Chart] = field(repr=False, compare=False)

    @cached_property
    def chart(self) -> Chart:
        return self.draw_chart()

    @property
    def target_date(self) -> datetime.date:
        return self.applied_target.trajectory.end

    @property
    def target_label(self) -> str:
        """Whose target judges this card: "Network target", "District target"."""
        return self.applied_target.label


@dataclass(frozen=True)
class InProgress:
    """A partial period newer than the headline's: shown, never taken as the latest."""

    period_end: datetime.date
    latest: ShownValue
    coverage: Coverage | None


@dataclass(frozen=True)
class OwnerRole:
    """A role owning a goal, with the people holding it ("CSO: Pat Doe")."""

    code: str
    title: str
    holders: tuple[str, ...]


@dataclass(frozen=True)
class GoalCard:
    """A goal, its owner roles (with their holders, when asked) and metrics' cards."""

    goal: Goal
    owners: tuple[str, ...]
    status: Status
    metrics: tuple[MetricCard, ...]
    owner_roles: tuple[OwnerRole, ...] = ()

    @property
    def is_joint(self) -> bool:
        return len(self.owners) > 1


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows: goal cards and how many metrics have each status."""

    goals: tuple[GoalCard, ...]
    counts: tuple[tuple[Status, int], ...]
    as_of: datetime.date
    scope_label: str


def school_years(district) -> tuple[str, ...]:
    """The school years the district has values for, newest first ("2017-18", ...).

    Without any value, the current school year alone. One query: per metric and scope
    the first and last period end, each read from the end of the (metric, scope,
    period_end) index rather than by scanning the district's measurements.
    """
    ends = [
        Subquery(
            # Only dates Lanes accepts: a row stored before the range held is skipped.
            Measurement.objects.filter(
                metric=OuterRef("pk"),
                scope=scope,
                period_end__range=(EARLIEST_DATE, LATEST_DATE),
            )
            .order_by(order)
            .values("period_end")[:1]
        )
        for scope in Scope
        for order in ("period_end", "-period_end")
    ]
    dates = [
        day
        for row in Metric.objects.filter(district=district)
        .order_by()
        .annotate(**{f"end_{i}": end for i, end in enumerate(ends)})
        .values_list(*(f"end_{i}" for i in range(len(ends))))
        for day in row
        if day is not None
    ]
    if not dates:
        return (school_year_label(timezone.localdate()),)
    start = int(school_year_label(min(dates))[:4])
    end = int(school_year_label(max(dates))[:4])
    return tuple(f"{year}-{(year + 1) % 100:02d}" for year in range(end, start - 1, -1))


def default_school_year(district, years: Sequence[str]) -> str:
    """The school year a page opens on: the newest with a complete district value.

    A year whose district values are all partial (17 of 660 schools reported) is
    listed but never opened by default (`goals.coverage`); nor is a year without any
    value, unless no year has a complete one. One query: the newest complete stored
    rollup of the district and the newest value entered for the district.
    """
    complete = stored_complete(
        Rollup.objects.filter(district=district, network__isnull=True)
    )
    entered = Measurement.objects.filter(district=district, scope=Scope.DISTRICT)
    newest = District.objects.filter(pk=district.pk).values_list(
        Subquery(complete.order_by("-period_end").values("period_end")[:1]),
        Subquery(entered.order_by("-period_end").values("period_end")[:1]),
    )
    days = [day for day in newest.first() or () if day is not None]
    if not days:
        return years[0]
    label = school_year_label(max(days))
    return label if label in years else years[0]


def as_of_date(school_year: str) -> datetime.date:
    """The date statuses are evaluated on for a school year: its last day, 30 June."""
    return school_year_end(school_year)


def metrics_with_details(queryset):
    """Metrics with what cards need, fetched in a fixed number of queries."""
    return queryset.select_related("district", "goal").prefetch_related(
        # Every scope's targets of every metric in one query (goals.targets).
        Prefetch(
            "targets",
            queryset=Target.objects.select_related("network", "school_group"),
        ),
        Prefetch("owners", queryset=MetricOwner.objects.select_related("role")),
        # Every scope's commentary, newest first; a card picks its scope's latest.
        Prefetch(
            "commentaries",
            queryset=Commentary.objects.select_related("written_by").order_by(
                "-period_end", "pk"
            ),
        ),
    )


def latest_commentary(
    metric: Metric, *, as_of: datetime.date, network_id: int | None
) -> Commentary | None:
    """The newest commentary of the scope for a period ending by `as_of` (prefetched)."""
    return next(
        (
            commentary
            for commentary in metric.commentaries.all()
            if commentary.network_id == network_id and commentary.period_end <= as_of
        ),
        None,
    )


def goals_with_details(queryset, metrics):
    """Goals with their owners and metrics (`metrics`: a prepared Metric queryset)."""
    return queryset.prefetch_related(
        Prefetch("owners", queryset=GoalOwner.objects.select_related("role")),
        Prefetch("metrics", queryset=metrics),
    )


def owner_codes(owners: Iterable) -> tuple[str, ...]:
    return tuple(owner.role.code for owner in owners)


def series_values(
    series: Sequence[RollupValue], *, metric, can_see_suppressed: bool
) -> tuple[SeriesValue, ...]:
    """A rollup series as chart values, suppressed values hidden from viewers.

    Partial periods (`goals.coverage`) are marked, with their coverage as the note.
    """
    values = []
    formatter = value_formatter(unit=metric.unit, decimals=metric.decimals)
    threshold = metric.effective_coverage_threshold
    for item in series:
        partial = is_partial(item, threshold=threshold)
        shown = show_value(
            item.value,
            item.n,
            metric=metric,
            can_see_suppressed=can_see_suppressed,
            formatter=formatter,
        )
        values.append(
            SeriesValue(
                on=item.period_end,
                value=shown.value,
                is_below_min_n=shown.is_below_min_n,
                text=shown.text,
                partial_note=(
                    coverage.text
                    if partial and (coverage := coverage_of(item, threshold=threshold))
                    else ""
                ),
            )
        )
    return tuple(values)


# A small card charts at most this many values; a longer series is charted month by
# month (see `for_card`). The metric page charts every value.
CARD_POINTS = 60


def for_card(series: Sequence[RollupValue]) -> Sequence[RollupValue]:
    """The values a small card charts: all of them, or the last of each month.

    Five years of weekly values are 260 points in a chart a few hundred pixels wide, and
    as many rows in its table; the last value of each month (60 for five years) draws
    the same trend. The latest value is always charted, since it ends its month.
    """
    if len(series) <= CARD_POINTS:
        return series
    by_month = {}
    for item in series:  # ordered by period end: the month's last value stays
        by_month[item.period_end.year, item.period_end.month] = item
    return tuple(by_month.values())


def status_of(
    metric: Metric,
    trajectory: Trajectory,
    shown: ShownValue,
    period_end: datetime.date | None,
    *,
    as_of: datetime.date,
    applicable: bool = True,
) -> MetricStatus:
    """The status of a value as shown to one person: a hidden value counts as no data.

    A scope with none of the metric's population is not applicable, whatever its values.
    """
    if not applicable:
        return MetricStatus(status=Status.NOT_APPLICABLE)
    return evaluate_metric(
        trajectory=trajectory,
        direction=metric.direction,
        tolerance=metric.tolerance,
        frequency=metric.frequency,
        value=shown.value,
        period_end=period_end,
        as_of=as_of,
    )


def build_metric_card(
    metric: Metric,
    series: Sequence[RollupValue],
    *,
    as_of: datetime.date,
    can_see_suppressed: bool,
    series_label: str,
    comparison: Sequence[RollupValue] = (),
    comparison_label: str = "",
    size: str = "small",
    target: AppliedTarget | None = None,
    applicable: bool = True,
    network_id: int | None = None,
) -> MetricCard:
    """The card of `metric` for one scope from its series (periods up to `as_of`).

    `target` is the target that judges the scope (`goals.targets.choose_target`);
    without it, the district's. The headline is the latest complete period; a newer
    partial one is `in_progress` (`goals.coverage`). A scope with none of the metric's
    population (`applicable` false) is not applicable rather than without data.
    """
    threshold = metric.effective_coverage_threshold
    complete, partial = complete_and_in_progress(series, threshold=threshold)
    latest, previous = latest_and_previous(complete)

    def shown(item: RollupValue | None) -> ShownValue:
        if item is None:
            return show_value(None, None, metric=metric, can_see_suppressed=False)
        return show_value(
            item.value, item.n, metric=metric, can_see_suppressed=can_see_suppressed
        )

    latest_shown, previous_shown = shown(latest), shown(previous)
    if target is None:
        target = metric_targets(metric).district
    trajectory = target.trajectory
    status = status_of(
        metric,
        trajectory,
        latest_shown,
        latest.period_end if latest else None,
        as_of=as_of,
        applicable=applicable,
    )
    in_progress = (
        InProgress(
            period_end=partial.period_end,
            latest=shown(partial),
            coverage=coverage_of(partial, threshold=threshold),
        )
        if partial is not None
        else None
    )

    def text(value):
        return format_value(value, unit=metric.unit, decimals=metric.decimals)

    charted = (lambda values: values) if size == "large" else for_card

    return MetricCard(
        metric=metric,
        owners=owner_codes(metric.owners.all()),
        status=status,
        applied_target=target,
        latest=latest_shown,
        latest_period=period_label(latest.period_end, metric.frequency)
        if latest
        else EMPTY,
        expected=text(status.expected) if status.expected is not None else EMPTY,
        baseline=_("%(value)s on %(date)s")
        % {
            "value": text(trajectory.points[0].value),
            "date": trajectory.start.isoformat(),
        },
        target=_("%(value)s by %(date)s")
        % {
            "value": text(trajectory.points[-1].value),
            "date": trajectory.end.isoformat(),
        },
        change=shown_change(latest_shown, previous_shown, metric=metric),
        change_value=change_between(latest_shown, previous_shown),
        schools_reporting=latest.schools_reporting if latest else None,
        is_entered=latest.is_entered if latest else False,
        coverage=coverage_of(latest, threshold=threshold),
        in_progress=in_progress,
        commentary=latest_commentary(metric, as_of=as_of, network_id=network_id),
        draw_chart=lambda: build_chart(
            metric=metric,
            trajectory=trajectory,
            series=series_values(
                charted(series), metric=metric, can_see_suppressed=can_see_suppressed
            ),
            series_label=series_label,
            comparison=series_values(
                charted(comparison),
                metric=metric,
                can_see_suppressed=can_see_suppressed,
            ),
            comparison_label=comparison_label,
            as_of=as_of,
            size=size,
        ),
    )


def build_goal_cards(
    goals: Iterable[Goal],
    by_metric: Mapping[int, Sequence[RollupValue]],
    *,
    as_of: datetime.date,
    can_see_suppressed: bool,
    series_label: str,
    network_id: int | None = None,
    applicable: set[int] | None = None,
    holders: Mapping[int, tuple[str, ...]] | None = None,
) -> tuple[GoalCard, ...]:
    """Cards of `goals` (metrics and owners prefetched) from their metrics' series.

    The series are the district's, or with `network_id` that network's.
    `applicable`: the metrics whose population the scope has some of (None: all).
    `holders`: the people holding each role (`roles.holders.holders_on`), to name
    them beside the goal's owner roles.
    """
    cards = []
    for goal in goals:
        metric_cards = tuple(
            build_metric_card(
                metric,
                by_metric.get(metric.pk, ()),
                as_of=as_of,
                can_see_suppressed=can_see_suppressed,
                series_label=series_label,
                target=choose_target(metric_targets(metric), network_id=network_id),
                applicable=applicable is None or metric.pk in applicable,
                network_id=network_id,
            )
            for metric in goal.metrics.all()
        )
        cards.append(
            GoalCard(
                goal=goal,
                owners=owner_codes(goal.owners.all()),
                status=goal_status(card.status.status for card in metric_cards),
                metrics=metric_cards,
                owner_roles=tuple(
                    OwnerRole(
                        code=owner.role.code,
                        title=owner.role.title,
                        holders=holders.get(owner.role_id, ()),
                    )
                    for owner in goal.owners.all()
                )
                if holders is not None
                else (),
            )
        )
    return tuple(cards)


def owner_roles(district, user) -> list:
    """The district's roles that own a goal or a metric, in the matrix's column order."""
    owners = Q(pk__in=GoalOwner.objects.filter(district=district).values("role")) | Q(
        pk__in=MetricOwner.objects.filter(district=district).values("role")
    )
    return list(
        Role.objects.visible_to(user)
        .filter(district=district)
        .filter(owners)
        .order_by("kind", "sort_order", "code", "pk")
    )


def goals_for_owner(goals, owner: str | int | None):
    """`goals` owned by role `owner` (its goals or its metrics' goals), or joint ones.

    `owner` is a role pk, `JOINT` (goals with two or more owner roles) or None (all).
    Subqueries, not joins: a join over owners would repeat goals.
    """
    if owner is None or owner == "":
        return goals
    if owner == JOINT:
        joint = (
            GoalOwner.objects.values("goal")
            .annotate(roles=Count("role", distinct=True))
            .filter(roles__gte=2)
            .values("goal")
        )
        return goals.filter(pk__in=joint)
    return goals.filter(
        Q(pk__in=GoalOwner.objects.filter(role_id=owner).values("goal"))
        | Q(pk__in=MetricOwner.objects.filter(role_id=owner).values("metric__goal"))
    )


def build_dashboard(
    *,
    district,
    user,
    as_of: datetime.date,
    owner: str | int | None = None,
    network: Network | None = None,
    can_see_suppressed: bool,
    name_holders: bool = False,
) -> Dashboard:
    """The dashboard of `district` as of `as_of`, for `network` or the whole district.

    With `name_holders`, each goal names the people holding its owner roles today
    (one more query).
    """
    metrics = metrics_with_details(
        Metric.objects.visible_to(user).filter(district=district)
    )
    goals = goals_with_details(
        goals_for_owner(Goal.objects.visible_to(user).filter(district=district), owner),
        metrics,
    )
    goals = list(goals)
    metric_ids = [m.pk for g in goals for m in g.metrics.all()]
    if network is None:
        by_metric = district_series(
            district=district,
            metric_ids=metric_ids,
            until=as_of,
        )
        scope_label = _("District")
        applicable = None
    else:
        by_pair = network_series(
            district=district,
            metric_ids=metric_ids,
            network_ids=[network.pk],
            until=as_of,
        )
        by_metric = {metric_id: values for (metric_id, _n), values in by_pair.items()}
        scope_label = network.name
        population = population_counts(
            district.pk, [m for g in goals for m in g.metrics.all()]
        )
        applicable = {
            metric_id
            for (metric_id, pk), count in population.items()
            if pk == network.pk and count
        }

    holders = (
        holders_on(
            user=user,
            role_ids={owner.role_id for g in goals for owner in g.owners.all()},
            on=timezone.localdate(),
        )
        if name_holders
        else None
    )
    cards = build_goal_cards(
        goals,
        by_metric,
        as_of=as_of,
        can_see_suppressed=can_see_suppressed,
        series_label=scope_label,
        network_id=network.pk if network is not None else None,
        applicable=applicable,
        holders=holders,
    )
    counts = count_statuses(m.status.status for g in cards for m in g.metrics)
    return Dashboard(
        goals=tuple(cards),
        counts=tuple(counts.items()),
        as_of=as_of,
        scope_label=scope_label,
    )

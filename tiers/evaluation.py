"""Which tier a plan's rules place each school in, computed in SQL.

A school's metric is off track as `goals.status` defines it: its latest value on or
before the date the school year is judged as of (`goals.status.judged_on`), not stale
for the metric's frequency, among the metric's population (`goals.populations`),
worse than the expected value at the value's period end by more than the metric's
tolerance, against the target `goals.targets.choose_target` gives the school (its
school group's, else its network's, else the district's).

The expected values are read off each trajectory in Python for the few (metric,
period end) pairs that latest values have; everything per school (the latest value,
the count of metrics off track, each rule metric's value, the first rule that
matches) is one SQL query over all the district's schools, so evaluating 600 schools
takes the same number of queries as evaluating 6.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from district.models import School, SchoolGroupMember
from goals.dashboards import metrics_with_details
from goals.display import format_value
from goals.models import Direction, Measurement, Metric, Scope
from goals.populations import in_population
from goals.status import STALE_AFTER_DAYS, expected_value, judged_on
from goals.targets import metric_targets

from .models import Comparison, Tier, TierPlan, TierRule

# Stored values have four decimals (Measurement.value): a limit is rounded outward to
# that grid so that the SQL comparison decides exactly as goals.status does.
GRID = Decimal("0.0001")


def plan_as_of(plan: TierPlan, *, today: datetime.date | None = None) -> datetime.date:
    """The date a plan's school year is judged as of (`goals.status.judged_on`)."""
    return judged_on(plan.school_year, today=today or timezone.localdate())


def current_school_values(district, *, as_of: datetime.date) -> QuerySet[Measurement]:
    """Each school's latest value of each metric on or before `as_of`, when not stale.

    Only values of schools in the metric's population; a stale or missing value
    counts as no data, never as off track.
    """
    newer = Measurement.objects.filter(
        metric_id=OuterRef("metric_id"),
        school_id=OuterRef("school_id"),
        scope=Scope.SCHOOL,
        period_end__gt=OuterRef("period_end"),
        period_end__lte=as_of,
    )
    fresh = Q()
    for frequency, days in STALE_AFTER_DAYS.items():
        fresh |= Q(
            metric__frequency=frequency,
            period_end__gte=as_of - datetime.timedelta(days=days),
        )
    return (
        Measurement.objects.filter(
            district=district, scope=Scope.SCHOOL, period_end__lte=as_of
        )
        .filter(fresh)
        .filter(in_population())
        .filter(~Exists(newer))
    )


def _limit(expected: Decimal, metric: Metric) -> Q:
    """The condition "worse than `expected` by more than the tolerance" on a value."""
    if metric.direction == Direction.LOWER_IS_BETTER:
        limit = (expected + metric.tolerance).quantize(GRID, rounding=ROUND_FLOOR)
        return Q(value__gt=limit)
    limit = (expected - metric.tolerance).quantize(GRID, rounding=ROUND_CEILING)
    return Q(value__lt=limit)


def off_track_condition(
    metrics: Iterable[Metric], pairs: Iterable[tuple[int, datetime.date]]
) -> Q:
    """The condition on current school values (`current_school_values`) of off track.

    `pairs` are the (metric id, period end) of those values; `metrics` have their
    targets prefetched. Each scope with its own target is tried in
    `goals.targets.choose_target`'s order; a school falls to the next scope only when
    the earlier ones do not apply to it.
    """
    by_pk = {metric.pk: metric for metric in metrics}
    periods: dict[int, list[datetime.date]] = {}
    for metric_id, period_end in pairs:
        if metric_id in by_pk:
            periods.setdefault(metric_id, []).append(period_end)
    condition = Q(pk__in=[])
    for metric_id, ends in periods.items():
        metric = by_pk[metric_id]
        targets = metric_targets(metric)
        scopes = [
            (
                Q(
                    Exists(
                        SchoolGroupMember.objects.filter(
                            group_id=group_id, school_id=OuterRef("school_id")
                        )
                    )
                ),
                target.trajectory,
            )
            for group_id, target in sorted(
                targets.school_groups.items(),
                key=lambda item: (item[1].name, item[0]),
            )
        ]
        scopes += [
            (Q(school__network_id=network_id), target.trajectory)
            for network_id, target in targets.networks.items()
        ]
        scopes.append((Q(), targets.district.trajectory))
        for period_end in ends:
            earlier = Q(pk__in=[])
            for applies, trajectory in scopes:
                limit = _limit(expected_value(trajectory, period_end), metric)
                condition |= (
                    Q(metric_id=metric_id, period_end=period_end)
                    & applies
                    & ~earlier
                    & limit
                )
                earlier |= applies
    return condition


def rule_condition(rule: TierRule) -> Q:
    """The condition on an evaluated school (`evaluated_schools`) of matching `rule`."""
    condition = Q()
    if rule.metric_id is not None:
        lookup = "gte" if rule.comparison == Comparison.AT_LEAST else "lte"
        condition &= Q(**{f"{metric_field(rule.metric_id)}__{lookup}": rule.threshold})
    if rule.min_off_track is not None:
        condition &= Q(off_track__gte=rule.min_off_track)
    if rule.max_off_track is not None:
        condition &= Q(off_track__lte=rule.max_off_track)
    return condition


def metric_field(metric_id: int) -> str:
    return f"metric_{metric_id}_value"


@dataclass(frozen=True)
class Prepared:
    """What evaluating a plan needs before its one query over schools."""

    plan: TierPlan
    rules: tuple[TierRule, ...]
    as_of: datetime.date
    metrics: tuple[Metric, ...]
    current: QuerySet[Measurement]
    off_track: Q


def prepare(plan: TierPlan, *, as_of: datetime.date | None = None) -> Prepared:
    """The plan's rules, metrics and off-track condition (four queries)."""
    as_of = as_of or plan_as_of(plan)
    rules = tuple(
        TierRule.objects.filter(plan=plan)
        .select_related("tier", "metric")
        .order_by("position", "pk")
    )
    metrics = tuple(
        metrics_with_details(Metric.objects.filter(district_id=plan.district_id))
    )
    current = current_school_values(plan.district_id, as_of=as_of)
    pairs = current.order_by().values_list("metric_id", "period_end").distinct()
    return Prepared(
        plan=plan,
        rules=rules,
        as_of=as_of,
        metrics=metrics,
        current=current,
        off_track=off_track_condition(metrics, pairs),
    )


def evaluated_schools(prepared: Prepared, schools: QuerySet[School]) -> QuerySet:
    """`schools` annotated with `off_track`, each rule metric's value, `rule_id` and
    `tier_id` (the first matching rule's, else the plan's default tier)."""
    current = prepared.current
    off_track = (
        current.filter(prepared.off_track, school_id=OuterRef("pk"))
        .order_by()
        .values("school_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    annotations: dict[str, Any] = {
        "off_track": Coalesce(
            Subquery(off_track, output_field=IntegerField()), Value(0)
        )
    }
    for metric_id in {r.metric_id for r in prepared.rules if r.metric_id}:
        annotations[metric_field(metric_id)] = Subquery(
            current.filter(metric_id=metric_id, school_id=OuterRef("pk")).values(
                "value"
            )[:1],
            output_field=DecimalField(max_digits=14, decimal_places=4),
        )
    queryset = schools.annotate(**annotations)
    if not prepared.rules:
        return queryset.annotate(
            rule_id=Value(None, output_field=IntegerField()),
            tier_id=Value(prepared.plan.default_tier_id, output_field=IntegerField()),
        )
    return queryset.annotate(
        rule_id=Case(
            *(
                When(rule_condition(rule), then=Value(rule.pk))
                for rule in prepared.rules
            ),
            default=Value(None),
            output_field=IntegerField(),
        ),
        tier_id=Case(
            *(
                When(rule_condition(rule), then=Value(rule.tier_id))
                for rule in prepared.rules
            ),
            default=Value(prepared.plan.default_tier_id),
            output_field=IntegerField(),
        ),
    )


@dataclass(frozen=True)
class MetricReading:
    """A value the explanation cites: a rule's metric, or a metric off track."""

    metric: Metric
    value: Decimal | None
    period_end: datetime.date | None = None

    @property
    def text(self) -> str:
        if self.value is None:
            return _("no current value")
        return format_value(
            self.value, unit=self.metric.unit, decimals=self.metric.decimals
        )


@dataclass(frozen=True)
class Placement:
    """Where the rules place one school, and why."""

    school: School
    tier: Tier
    rule: TierRule | None
    off_track: int
    readings: tuple[MetricReading, ...]  # the values of the rules' metrics
    off_track_metrics: tuple[MetricReading, ...] = ()

    @property
    def explanation(self) -> str:
        """Why: which rule matched (or none), with the values it looked at."""
        facts = [
            _("%(count)s metrics off track") % {"count": self.off_track}
            if self.off_track != 1
            else _("1 metric off track")
        ]
        if self.off_track_metrics:
            listed = ", ".join(
                f"{reading.metric.name} {reading.text}"
                for reading in self.off_track_metrics
            )
            facts[0] += f" ({listed})"
        named = {reading.metric.pk for reading in self.off_track_metrics}
        facts += [
            f"{reading.metric.name} {reading.text}"
            for reading in self.readings
            if reading.metric.pk not in named
        ]
        if self.rule is None:
            head = _("No rule matched; default tier %(tier)s.") % {"tier": self.tier}
        else:
            head = _("Rule %(position)s matched (%(conditions)s).") % {
                "position": self.rule.position,
                "conditions": self.rule.conditions_text(),
            }
        return f"{head} {'; '.join(facts)}."


@dataclass(frozen=True)
class TierCount:
    tier: Tier
    schools: int


@dataclass(frozen=True)
class Evaluation:
    """The rules of a plan applied to schools as of a date: counts and placements."""

    plan: TierPlan
    as_of: datetime.date
    rules: tuple[TierRule, ...]
    counts: tuple[TierCount, ...]
    placements: tuple[Placement, ...]


def count_by_tier(prepared: Prepared, schools: QuerySet[School]) -> dict[int, int]:
    """How many of `schools` each tier gets (tier id -> count), grouped in SQL."""
    rows = (
        evaluated_schools(prepared, schools)
        .order_by()
        .values("tier_id")
        .annotate(schools=Count("pk"))
    )
    return {row["tier_id"]: row["schools"] for row in rows}


def evaluate_plan(
    plan: TierPlan,
    *,
    schools: QuerySet[School] | None = None,
    as_of: datetime.date | None = None,
    with_placements: bool = True,
) -> Evaluation:
    """Apply `plan`'s rules to `schools` (default: every school of the district).

    A fixed number of queries whatever the number of schools: the rules, the metrics
    and their targets, the period ends of current values, the tiers, the counts per
    tier, and (with placements) the schools and their off-track metrics.
    """
    prepared = prepare(plan, as_of=as_of)
    if schools is None:
        schools = School.objects.filter(district_id=plan.district_id)
    tiers = {
        tier.pk: tier for tier in Tier.objects.filter(district_id=plan.district_id)
    }
    counted = count_by_tier(prepared, schools)
    counts = tuple(
        TierCount(tier=tier, schools=counted.get(pk, 0)) for pk, tier in tiers.items()
    )
    placements: tuple[Placement, ...] = ()
    if with_placements:
        placements = tuple(place_schools(prepared, schools, tiers=tiers))
    return Evaluation(
        plan=plan,
        as_of=prepared.as_of,
        rules=prepared.rules,
        counts=counts,
        placements=placements,
    )


def place_schools(
    prepared: Prepared, schools: QuerySet[School], *, tiers: dict[int, Tier]
) -> list[Placement]:
    """Each of `schools` with its tier, rule and the values that decided (two queries)."""
    rules = {rule.pk: rule for rule in prepared.rules}
    metrics = {metric.pk: metric for metric in prepared.metrics}
    rule_metric_ids = sorted({r.metric_id for r in prepared.rules if r.metric_id})
    rows = list(
        evaluated_schools(prepared, schools.select_related("network")).order_by(
            "name", "pk"
        )
    )
    off: dict[int, list[MetricReading]] = {}
    off_rows = (
        prepared.current.filter(prepared.off_track, school__in=schools)
        .order_by("metric__goal__sort_order", "metric__sort_order", "metric__name")
        .values_list("school_id", "metric_id", "value", "period_end")
    )
    for school_id, metric_id, value, period_end in off_rows:
        off.setdefault(school_id, []).append(
            MetricReading(metrics[metric_id], value, period_end)
        )
    return [
        Placement(
            school=school,
            tier=tiers[school.tier_id],
            rule=rules.get(school.rule_id),
            off_track=school.off_track,
            readings=tuple(
                MetricReading(metrics[pk], getattr(school, metric_field(pk)))
                for pk in rule_metric_ids
            ),
            off_track_metrics=tuple(off.get(school.pk, ())),
        )
        for school in rows
    ]


def tier_order(counts: Sequence[TierCount]) -> tuple[TierCount, ...]:
    return tuple(sorted(counts, key=lambda count: count.tier.level))

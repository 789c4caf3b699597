"""The role scorecard: a role's own goals, the joint goals it shares, its other metrics.

District values, as of the end of a school year; a fixed number of queries whatever the
number of schools (the goals and metrics with their details, one rollup, the holders).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from roles.holders import holders_on
from roles.models import Role

from .dashboards import (
    GoalCard,
    MetricCard,
    build_goal_cards,
    build_metric_card,
    goals_with_details,
    metrics_with_details,
)
from .models import Goal, GoalOwner, Metric
from .rollups import district_series
from .status import Status, count_statuses


@dataclass(frozen=True)
class RoleScorecard:
    """A role's own goals, the joint goals it shares, and metrics it owns elsewhere."""

    role: Role
    holders: tuple[str, ...]
    own_goals: tuple[GoalCard, ...]
    joint_goals: tuple[GoalCard, ...]
    other_metrics: tuple[MetricCard, ...]
    counts: tuple[tuple[Status, int], ...]


def build_role_scorecard(
    *,
    district,
    user,
    role: Role,
    as_of: datetime.date,
    can_see_suppressed: bool,
) -> RoleScorecard:
    """The role scorecard: district values of the role's goals and metrics."""
    can_see = can_see_suppressed
    metrics = metrics_with_details(
        Metric.objects.visible_to(user).filter(district=district)
    )
    goals = list(
        goals_with_details(
            Goal.objects.visible_to(user).filter(
                district=district,
                pk__in=GoalOwner.objects.filter(role=role).values("goal"),
            ),
            metrics,
        )
    )
    goal_ids = {goal.pk for goal in goals}
    other_metrics = [
        metric
        for metric in metrics.filter(owners__role=role)
        if metric.goal_id not in goal_ids
    ]
    metric_ids = [m.pk for g in goals for m in g.metrics.all()] + [
        m.pk for m in other_metrics
    ]
    by_metric = district_series(district=district, metric_ids=metric_ids, until=as_of)
    cards = build_goal_cards(
        goals,
        by_metric,
        as_of=as_of,
        can_see_suppressed=can_see,
        series_label=_("District"),
    )
    other_cards = tuple(
        build_metric_card(
            metric,
            by_metric.get(metric.pk, ()),
            as_of=as_of,
            can_see_suppressed=can_see,
            series_label=_("District"),
        )
        for metric in other_metrics
    )
    holders = holders_on(user=user, role_ids=[role.pk], on=timezone.localdate()).get(
        role.pk, ()
    )
    statuses = [m.status.status for g in cards for m in g.metrics] + [
        m.status.status for m in other_cards
    ]
    return RoleScorecard(
        role=role,
        holders=holders,
        own_goals=tuple(card for card in cards if not card.is_joint),
        joint_goals=tuple(card for card in cards if card.is_joint),
        other_metrics=other_cards,
        counts=tuple(count_statuses(statuses).items()),
    )

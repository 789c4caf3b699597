"""What the public sees of a district: its published goals and metrics, nothing else.

A goal is public when the district's publication is on and the goal is published; a
metric when, in addition, the metric is published. Values are suppressed under the
stricter public minimum n (`District.effective_public_min_n`, never below the
district's or the metric's own minimum) and shown as to a viewer, so a suppressed
value, its n and a change that would give it away never reach a public page. Owners
are named by their roles; the people holding them only when the district chooses.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from district.models import District, Network
from goals.dashboards import (
    GOALS_DATA,
    GoalCard,
    build_goal_cards,
    default_school_year,
    goals_with_details,
    metrics_with_details,
    school_years,
)
from goals.models import Goal, Metric
from goals.rollups import district_series
from goals.scorecards import MetricDetail, build_metric_detail
from goals.status import judged_on
from goals.views import natural_key
from roles.models import RoleAssignment

from .models import Publication, PublishedGoal, PublishedMetric

# The tables a public page reads: the goal pages' and the publication's.
PUBLIC_DATA = (
    *GOALS_DATA,
    "publishing.Publication",
    "publishing.PublishedGoal",
    "publishing.PublishedMetric",
)


def published_goals(district: District) -> QuerySet[Goal]:
    """The district's published goals (whatever the publication's switch says)."""
    return Goal.objects.filter(
        district=district,
        pk__in=PublishedGoal.objects.filter(district=district).values("goal"),
    )


def published_metrics(district: District) -> QuerySet[Metric]:
    """The district's published metrics whose goal is published too."""
    return Metric.objects.filter(
        district=district,
        pk__in=PublishedMetric.objects.filter(district=district).values("metric"),
        goal__in=PublishedGoal.objects.filter(district=district).values("goal"),
    )


def with_public_min_n(metrics: Iterable[Metric], district: District) -> None:
    """Raise each metric's minimum n, in memory only, to the public minimum.

    The metrics are read for one public rendering and never saved: every builder of
    goals (cards, charts, network rows) then suppresses by the stricter rule.
    """
    public = district.effective_public_min_n
    for metric in metrics:
        metric.min_n = max(metric.effective_min_n, public)


def owner_names(
    district: District, goals: Sequence[Goal], *, shows_staff_names: bool
) -> dict[tuple[str, int], tuple[str, ...]]:
    """Who owns each goal and metric, as the public may read it.

    Keys are ("goal", pk) and ("metric", pk). Roles are named by their title; with
    `shows_staff_names`, followed by the people holding them today (one query).
    """
    holders: dict[int, list[str]] = {}
    if shows_staff_names:
        on = timezone.localdate()
        current = RoleAssignment.objects.filter(district=district, started_on__lte=on)
        current = current.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        for role_id, name in current.order_by("person__name", "pk").values_list(
            "role_id", "person__name"
        ):
            holders.setdefault(role_id, []).append(name)

    def named(owners) -> tuple[str, ...]:
        names = []
        for owner in owners:
            people = holders.get(owner.role_id)
            title = owner.role.title or owner.role.code
            names.append(f"{title} ({', '.join(people)})" if people else title)
        return tuple(names)

    result = {}
    for goal in goals:
        result["goal", goal.pk] = named(goal.owners.all())
        for metric in goal.metrics.all():
            result["metric", metric.pk] = named(metric.owners.all())
    return result


@dataclass(frozen=True)
class PublicDashboard:
    """The public dashboard of a district."""

    district: District
    publication: Publication
    goals: tuple[GoalCard, ...]
    owners: dict[tuple[str, int], tuple[str, ...]]
    school_year: str
    as_of: datetime.date


def public_school_year(district: District) -> tuple[str, datetime.date]:
    """The school year public pages show (the one the dashboard opens on), and the
    day it is judged as of: today while it runs, else its last day."""
    school_year = default_school_year(district, school_years(district))
    return school_year, judged_on(school_year, today=timezone.localdate())


def build_public_dashboard(publication: Publication) -> PublicDashboard:
    """The published goals of `publication`'s district with their published metrics."""
    district = publication.district
    school_year, as_of = public_school_year(district)
    metrics = metrics_with_details(published_metrics(district))
    goals = list(goals_with_details(published_goals(district), metrics))
    with_public_min_n((m for g in goals for m in g.metrics.all()), district)
    by_metric = district_series(
        district=district,
        metric_ids=[m.pk for g in goals for m in g.metrics.all()],
        until=as_of,
    )
    cards = build_goal_cards(
        goals,
        by_metric,
        as_of=as_of,
        can_see_suppressed=False,
        series_label=_("District"),
    )
    return PublicDashboard(
        district=district,
        publication=publication,
        goals=cards,
        owners=owner_names(
            district,
            goals,
            shows_staff_names=publication.shows_staff_names,
        ),
        school_year=school_year,
        as_of=as_of,
    )


@dataclass(frozen=True)
class PublicMetric:
    """A published metric's public page: its trend and its networks' values."""

    district: District
    publication: Publication
    metric: Metric
    detail: MetricDetail
    owners: tuple[str, ...]
    school_year: str
    as_of: datetime.date


def public_metric_or_none(district: District, pk: int) -> Metric | None:
    """A published metric of `district` (its goal published too), or None."""
    metric = metrics_with_details(published_metrics(district)).filter(pk=pk).first()
    if metric is not None:
        with_public_min_n([metric], district)
    return metric


def build_public_metric(publication: Publication, metric: Metric) -> PublicMetric:
    """The public page of `metric`: district trend and the table of networks."""
    district = publication.district
    school_year, as_of = public_school_year(district)
    networks = sorted(
        Network.objects.filter(district=district),
        key=lambda n: (not n.is_geographic, natural_key(n.name)),
    )
    detail = build_metric_detail(
        district=district,
        user=None,
        metric=metric,
        networks=networks,
        as_of=as_of,
        can_see_suppressed=False,
    )
    goal = goals_with_details(
        Goal.objects.filter(pk=metric.goal_id),
        metrics_with_details(Metric.objects.filter(pk=metric.pk)),
    )
    owners = owner_names(
        district,
        list(goal),
        shows_staff_names=publication.shows_staff_names,
    )
    return PublicMetric(
        district=district,
        publication=publication,
        metric=metric,
        detail=detail,
        owners=owners.get(("metric", metric.pk), ()),
        school_year=school_year,
        as_of=as_of,
    )

"""Links between the matrix and the goals: the rows behind a metric, a role's rows.

A responsibility (a matrix row) serves goals and metrics through `ResponsibilityLink`;
a row linked to a goal stands behind every metric of that goal. Each builder reads a
fixed number of queries whatever the number of rows.
"""

from dataclasses import dataclass

from django.db.models import Q

from roles.models import Ownership, RaciLevel, Responsibility

from .models import Metric, ResponsibilityLink


@dataclass(frozen=True)
class LinkedRow:
    """A matrix row with the roles accountable for it and what it serves."""

    pk: int
    name: str
    work_area: str
    url: str
    accountable: tuple[str, ...]
    serves: tuple[str, ...]  # goal statements and metric names


@dataclass(frozen=True)
class RoleRows:
    """A role's matrix rows at one RACI level."""

    level: str
    label: str
    rows: tuple[LinkedRow, ...]


def _linked_rows(responsibilities, links) -> tuple[LinkedRow, ...]:
    """The rows of `responsibilities` (a queryset), each with its accountable roles."""
    serves: dict[int, list[str]] = {}
    for link in links:
        serves.setdefault(link.responsibility_id, []).append(
            link.goal.statement if link.goal_id else link.metric.name
        )
    rows = list(responsibilities.select_related("work_area", "district"))
    accountable: dict[int, list[str]] = {}
    for responsibility_id, code in (
        Ownership.objects.filter(
            responsibility__in=[row.pk for row in rows],
            level=RaciLevel.ACCOUNTABLE,
        )
        .order_by("role__kind", "role__sort_order", "role__code")
        .values_list("responsibility_id", "role__code")
    ):
        accountable.setdefault(responsibility_id, []).append(code)
    return tuple(
        LinkedRow(
            pk=row.pk,
            name=row.name,
            work_area=row.work_area.name,
            url=row.get_absolute_url(),
            accountable=tuple(accountable.get(row.pk, ())),
            serves=tuple(serves.get(row.pk, ())),
        )
        for row in rows
    )


def rows_behind_metric(metric: Metric, *, user) -> tuple[LinkedRow, ...]:
    """The matrix rows linked to `metric` or to its goal, in matrix order."""
    links = list(
        ResponsibilityLink.objects.visible_to(user)
        .filter(Q(metric=metric) | Q(goal_id=metric.goal_id))
        .select_related("goal", "metric")
    )
    responsibilities = Responsibility.objects.visible_to(user).filter(
        pk__in=[link.responsibility_id for link in links]
    )
    return _linked_rows(responsibilities, links)


def rows_of_role(role, *, user) -> tuple[RoleRows, ...]:
    """A role's matrix rows grouped by its level on them (A, R, C, I), with links."""
    levels = dict(
        Ownership.objects.visible_to(user)
        .filter(role=role)
        .values_list("responsibility_id", "level")
    )
    responsibilities = Responsibility.objects.visible_to(user).filter(
        pk__in=list(levels)
    )
    links = (
        ResponsibilityLink.objects.visible_to(user)
        .filter(responsibility__in=list(levels))
        .select_related("goal", "metric")
    )
    rows = _linked_rows(responsibilities, links)
    order = [
        RaciLevel.ACCOUNTABLE,
        RaciLevel.RESPONSIBLE,
        RaciLevel.CONSULTED,
        RaciLevel.INFORMED,
    ]
    return tuple(
        RoleRows(
            level=level.value,
            label=str(level.label),
            rows=tuple(row for row in rows if levels[row.pk] == level),
        )
        for level in order
        if any(levels[row.pk] == level for row in rows)
    )

"""Who owes a metric's updates on a day, and to whom a long-overdue update is escalated.

The update owner is the person named on the metric, else whoever holds the metric's
first owner role (its responsible role) that day, through the role assignments over
time: an assignment that started on or before the day and has not ended before it,
the most recently started first (an acting holder who took over). The escalation
goes to the holder of that owner role when the update owner is someone else, else to
the holder of the role the owner role reports to.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from district.models import Person
from roles.models import RoleAssignment

from .models import Metric, MetricOwner


@dataclass(frozen=True)
class UpdateOwner:
    """The person who owes a metric's updates, and the one told when they are overdue."""

    person_id: int | None
    user_id: int | None
    escalate_person_id: int | None
    escalate_user_id: int | None


def role_holders(
    role_ids: Iterable[int], *, days: Iterable[datetime.date]
) -> dict[tuple[int, datetime.date], int]:
    """(role id, day) -> the person holding the role that day (one query)."""
    days = sorted(set(days))
    if not days:
        return {}
    assignments = list(
        RoleAssignment.objects.filter(
            role_id__in=set(role_ids), started_on__lte=days[-1]
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=days[0]))
        .order_by("role_id", "-started_on", "-pk")
        .values_list("role_id", "person_id", "started_on", "ended_on")
    )
    holders: dict[tuple[int, datetime.date], int] = {}
    for role_id, person_id, started_on, ended_on in assignments:
        for day in days:
            if started_on <= day and (ended_on is None or ended_on >= day):
                holders.setdefault((role_id, day), person_id)
    return holders


def update_owners(
    metrics: Iterable[Metric], *, days: Iterable[datetime.date]
) -> dict[tuple[int, datetime.date], UpdateOwner]:
    """(metric id, day) -> the metric's update owner and escalation that day.

    Three queries, whatever the number of metrics and days.
    """
    metrics = list(metrics)
    days = sorted(set(days))
    first_role: dict[int, tuple[int | None, int | None]] = {}
    owner_rows = (
        MetricOwner.objects.filter(metric__in=[m.pk for m in metrics])
        .order_by("metric_id", "role__kind", "role__sort_order", "role__code", "pk")
        .values_list("metric_id", "role_id", "role__reports_to_id")
    )
    for metric_id, owner_role_id, manager_role_id in owner_rows:
        first_role.setdefault(metric_id, (owner_role_id, manager_role_id))
    role_ids = {r for pair in first_role.values() for r in pair if r is not None}
    holders = role_holders(role_ids, days=days)
    chosen: dict[tuple[int, datetime.date], tuple[int | None, int | None]] = {}
    for metric in metrics:
        role_id, reports_to_id = first_role.get(metric.pk, (None, None))
        for day in days:
            role_holder = holders.get((role_id, day)) if role_id else None
            person_id: int | None = metric.update_owner_id or role_holder
            escalate: int | None
            if role_holder is not None and role_holder != person_id:
                escalate = role_holder
            elif reports_to_id:
                escalate = holders.get((reports_to_id, day))
            else:
                escalate = None
            if escalate == person_id:
                escalate = None
            chosen[metric.pk, day] = (person_id, escalate)
    person_ids = {p for pair in chosen.values() for p in pair if p is not None}
    users = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "user_id"))
    return {
        key: UpdateOwner(
            person_id=person_id,
            user_id=users.get(person_id) if person_id else None,
            escalate_person_id=escalate,
            escalate_user_id=users.get(escalate) if escalate else None,
        )
        for key, (person_id, escalate) in chosen.items()
    }

"""A partnership's compact: vision, theory of action, non-negotiables, and its matrix.

The joint and distinct work is not typed in: it is read from the ownership matrix and
classified there (`roles.matrix`). A row is the partnership's joint work when the
matrix classifies it joint and two or more of the partnership's roles are accountable
for it; a role's distinct work is the rows classified distinct with that role
accountable. The compact can be read as it stood on a past date: the partnership's own
rows through their history (`as_of`), the matrix through `roles.matrix.build_matrix`.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from goals.dashboards import metrics_with_details
from goals.models import Goal, Metric
from goals.status import Status, goal_status
from roles.matrix import Classification, MatrixRow, build_matrix
from roles.models import RaciLevel, Responsibility, Role

from .briefs import district_cards, shared_goals
from .models import (
    NonNegotiable,
    Partnership,
    PartnershipRole,
    TheoryLink,
    TheoryStatement,
)


@dataclass(frozen=True)
class Statement:
    if_clause: str
    then_clause: str
    rows: tuple[str, ...]
    goals: tuple[str, ...]


@dataclass(frozen=True)
class Commitment:
    statement: str
    owner: str
    monitoring: str
    metric: Metric | None


@dataclass(frozen=True)
class RoleWork:
    """One role's distinct rows."""

    code: str
    title: str
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True)
class SharedGoal:
    goal: Goal
    status: Status
    metrics: tuple[tuple[str, str, Status], ...]  # name, latest value, status


@dataclass(frozen=True)
class Compact:
    """A partnership as it stands (or stood on `as_of`)."""

    pk: int
    name: str
    vision: str
    roles: tuple[str, ...]
    statements: tuple[Statement, ...]
    non_negotiables: tuple[Commitment, ...]
    joint_rows: tuple[MatrixRow, ...]
    distinct: tuple[RoleWork, ...]
    goals: tuple[SharedGoal, ...]
    as_of: datetime.date | None


def end_of(day: datetime.date) -> datetime.datetime:
    """The last moment of `day` in the district's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def build_compact(
    *, partnership: Partnership, user, as_of: datetime.date | None = None
) -> Compact | None:
    """The compact now, or as it stood at the end of `as_of` (None: it did not exist)."""
    district = partnership.district
    moment = end_of(as_of) if as_of else None

    def rows(model):
        source = model.history.as_of(moment) if moment else model.objects
        return source.filter(district_id=district.pk)

    current = rows(Partnership).filter(id=partnership.pk).first()
    if current is None:
        return None
    role_ids = list(
        rows(PartnershipRole)
        .filter(partnership_id=partnership.pk)
        .values_list("role_id", flat=True)
    )
    roles = {role.pk: role for role in Role.objects.filter(pk__in=role_ids)}
    statements = list(
        rows(TheoryStatement)
        .filter(partnership_id=partnership.pk)
        .order_by("sort_order", "id")
    )
    links = list(
        rows(TheoryLink)
        .filter(statement_id__in=[s.id for s in statements])
        .order_by("id")
        .values_list("statement_id", "responsibility_id", "goal_id")
    )
    row_names = dict(
        Responsibility.objects.filter(
            pk__in=[r for _s, r, _g in links if r]
        ).values_list("pk", "name")
    )
    goal_names = dict(
        Goal.objects.filter(pk__in=[g for _s, _r, g in links if g]).values_list(
            "pk", "statement"
        )
    )
    commitments = list(
        rows(NonNegotiable)
        .filter(partnership_id=partnership.pk)
        .order_by("sort_order", "id")
    )
    metrics = {
        m.pk: m
        for m in Metric.objects.filter(
            pk__in=[c.metric_id for c in commitments if c.metric_id]
        )
    }
    owners = {
        role.pk: role
        for role in Role.objects.filter(pk__in=[c.owner_id for c in commitments])
    }

    matrix = build_matrix(district, as_of=moment)
    members = set(role_ids)
    joint: list[MatrixRow] = []
    distinct: dict[int, list[MatrixRow]] = {pk: [] for pk in role_ids}
    for group in matrix.groups:
        for row in group.rows:
            accountable = [
                cell.role.pk
                for cell in row.cells
                if cell.level == RaciLevel.ACCOUNTABLE
            ]
            classification = row.health.classification
            if (
                classification == Classification.JOINT
                and len(members.intersection(accountable)) >= 2
            ):
                joint.append(row)
            elif (
                classification == Classification.DISTINCT and accountable[0] in members
            ):
                distinct[accountable[0]].append(row)

    goals = list(shared_goals(partnership).order_by("sort_order", "pk"))
    goal_metrics = list(metrics_with_details(Metric.objects.filter(goal__in=goals)))
    cards = district_cards(
        district=district,
        metrics=goal_metrics,
        as_of=as_of or timezone.localdate(),
    )
    shared = tuple(
        SharedGoal(
            goal=goal,
            status=goal_status(
                card.status.status for card in cards if card.metric.goal_id == goal.pk
            ),
            metrics=tuple(
                (card.metric.name, card.latest.text, Status(card.status.status))
                for card in cards
                if card.metric.goal_id == goal.pk
            ),
        )
        for goal in goals
    )
    ordered = sorted(
        (roles[pk] for pk in role_ids if pk in roles),
        key=lambda role: (role.kind, role.sort_order, role.code),
    )
    return Compact(
        pk=partnership.pk,
        name=current.name,
        vision=current.vision,
        roles=tuple(role.code for role in ordered),
        statements=tuple(
            Statement(
                if_clause=s.if_clause,
                then_clause=s.then_clause,
                rows=tuple(
                    row_names.get(r, "")
                    for sid, r, _g in links
                    if sid == s.id and r in row_names
                ),
                goals=tuple(
                    goal_names.get(g, "")
                    for sid, _r, g in links
                    if sid == s.id and g in goal_names
                ),
            )
            for s in statements
        ),
        non_negotiables=tuple(
            Commitment(
                statement=c.statement,
                owner=str(owners.get(c.owner_id, "")),
                monitoring=c.monitoring,
                metric=metrics.get(c.metric_id) if c.metric_id else None,
            )
            for c in commitments
        ),
        joint_rows=tuple(joint),
        distinct=tuple(
            RoleWork(code=role.code, title=role.title, rows=tuple(distinct[role.pk]))
            for role in ordered
        ),
        goals=shared,
        as_of=as_of,
    )

"""The matrix's raw content at one moment, read in four queries: now, or as of a past
moment through django-simple-history's `as_of` (the records Role, WorkArea,
Responsibility and Ownership keep). Also the lighter part of it that the rows' health
and the summary need, read in two queries after a cell save.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import FilteredRelation, Q

from district.models import District

from .models import Ownership, RaciLevel, Responsibility, Role, WorkArea


@dataclass(frozen=True)
class RoleColumn:
    """A role as a column of the matrix."""

    pk: int
    code: str
    title: str
    kind: str


@dataclass(frozen=True)
class WorkAreaValues:
    pk: int
    name: str


@dataclass(frozen=True)
class ResponsibilityValues:
    pk: int
    work_area_id: int
    name: str
    description: str
    is_joint: bool
    version: int


@dataclass(frozen=True)
class Snapshot:
    """The matrix's raw content at one moment: columns, groups, rows and levels.

    `levels` maps (responsibility pk, role pk) to "R", "A", "C" or "I"; a missing key
    is an empty cell. `as_of` is None for the current matrix.
    """

    district_id: int
    overload_ratio: Decimal
    roles: tuple[RoleColumn, ...]
    work_areas: tuple[WorkAreaValues, ...]
    responsibilities: tuple[ResponsibilityValues, ...]
    levels: Mapping[tuple[int, int], str]
    as_of: datetime | None = None


# Role.Meta.ordering within one district: cabinet roles first, then network chiefs, then
# others; "id" rather than "pk" because a historical row's pk is its history_id.
ROLE_ORDER = ("kind", "sort_order", "code", "id")
WORK_AREA_ORDER = ("sort_order", "name", "id")
RESPONSIBILITY_ORDER = ("sort_order", "name", "id")


def load_snapshot(district: District, *, as_of: datetime | None = None) -> Snapshot:
    """Read the district's matrix, now or as of a past moment, in four queries."""

    def rows(model):
        source = model.history.as_of(as_of) if as_of else model.objects
        return source.filter(district_id=district.pk)

    roles = rows(Role).order_by(*ROLE_ORDER).values_list("id", "code", "title", "kind")
    areas = rows(WorkArea).order_by(*WORK_AREA_ORDER).values_list("id", "name")
    responsibilities = (
        rows(Responsibility)
        .order_by(*RESPONSIBILITY_ORDER)
        .values_list("id", "work_area_id", "name", "description", "is_joint", "version")
    )
    # No ORDER BY: Ownership's default ordering sorts by the responsibility's own
    # ordering, which joins and sorts three tables for nothing here.
    levels = (
        rows(Ownership).order_by().values_list("responsibility_id", "role_id", "level")
    )
    return Snapshot(
        district_id=district.pk,
        overload_ratio=district.overload_ratio,
        roles=tuple(RoleColumn(*values) for values in roles),
        work_areas=tuple(WorkAreaValues(*values) for values in areas),
        responsibilities=tuple(ResponsibilityValues(*v) for v in responsibilities),
        levels={(row, role): level for row, role, level in levels},
        as_of=as_of,
    )


@dataclass(frozen=True)
class HealthSnapshot:
    """What every row's classification and the matrix summary depend on, now.

    Consulted and informed cells change no classification and no count, so only the
    accountable and responsible cells are read. `rows` holds, per responsibility, its
    pk, whether it is declared joint, and its A and R cells as (role pk, level) pairs.
    """

    district_id: int
    overload_ratio: Decimal
    roles: tuple[RoleColumn, ...]
    rows: tuple[tuple[int, bool, tuple[tuple[int, str], ...]], ...]


def load_health_snapshot(district: District) -> HealthSnapshot:
    """Read the roles, and each row with its A and R cells, in two queries."""
    roles = (
        Role.objects.filter(district_id=district.pk)
        .order_by(*ROLE_ORDER)
        .values_list("id", "code", "title", "kind")
    )
    # One LEFT JOIN: a row without any A or R cell still comes back once (a gap).
    deciding = (
        Responsibility.objects.filter(district_id=district.pk)
        .annotate(
            deciding=FilteredRelation(
                "ownerships",
                condition=Q(
                    ownerships__level__in=[
                        RaciLevel.ACCOUNTABLE,
                        RaciLevel.RESPONSIBLE,
                    ]
                ),
            )
        )
        .order_by()
        .values_list("id", "is_joint", "deciding__role_id", "deciding__level")
    )
    rows: dict[int, tuple[bool, list[tuple[int, str]]]] = {}
    for pk, is_joint, role, level in deciding:
        cells = rows.setdefault(pk, (is_joint, []))[1]
        if level:
            cells.append((role, level))
    return HealthSnapshot(
        district_id=district.pk,
        overload_ratio=district.overload_ratio,
        roles=tuple(RoleColumn(*values) for values in roles),
        rows=tuple(
            (pk, is_joint, tuple(cells)) for pk, (is_joint, cells) in rows.items()
        ),
    )

"""The ownership matrix: row classification, warnings, the assembled matrix, cell edits.

Rules (the matrix's health):

- A row is *distinct* when exactly one role is accountable (A).
- A row is *joint* when it is declared joint and two or more roles are accountable.
- A row is a *gap* when no role is accountable, declared joint or not.
- A row is a *conflict* when two or more roles are accountable but it is not declared
  joint.
- A row declared joint with only one accountable role is *distinct*, with the warning
  "declared joint, but only one role is accountable": one role owns it today, and the
  declaration says a second one should.
- A row with an accountable role but no responsible one carries the warning "accountable,
  but no role is responsible".
- A role is *overloaded* when its count of accountable rows is greater than
  `District.overload_ratio` times the mean count over the roles that are accountable for
  at least one row. Roles with no A do not lower the mean, so a cabinet with many
  informed-only roles is not flagged for that. With two accountable roles and a ratio of
  2 or more, neither can be overloaded (a count above twice the mean of two would exceed
  the sum); the rule compares a role with its peers, which needs three or more.

Everything from `classify_row` to `assemble_matrix` is pure: values in, frozen values out.
`matrix_snapshot.load_snapshot` does the reading (four queries, now or as of a past
moment), `build_matrix` puts both together, `build_health` gives the rows' health and the
summary alone from a lighter read (after a cell save). `roles.cells.set_ownership` is
the one way to change a cell.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from district.models import District

from .matrix_snapshot import (
    ResponsibilityValues,
    RoleColumn,
    Snapshot,
    load_health_snapshot,
    load_snapshot,
)
from .models import RaciLevel

# The tables the matrix reads: their change times make its ETag (district.conditional).
MATRIX_DATA = (
    "district.District",
    "district.Person",
    "roles.Role",
    "roles.RoleAssignment",
    "roles.WorkArea",
    "roles.Responsibility",
    "roles.Ownership",
)


class Classification(models.TextChoices):
    """What a row's accountable roles say about who owns it."""

    DISTINCT = "distinct", _("Distinct")
    JOINT = "joint", _("Joint")
    GAP = "gap", _("Gap")
    CONFLICT = "conflict", _("Conflict")


class RowWarning(models.TextChoices):
    """Something to look at in a row, whatever its classification."""

    JOINT_WITH_ONE_ACCOUNTABLE = (
        "joint_one_accountable",
        _("Declared joint, but only one role is accountable."),
    )
    ACCOUNTABLE_WITHOUT_RESPONSIBLE = (
        "no_responsible",
        _("A role is accountable, but no role is responsible."),
    )


@dataclass(frozen=True)
class RowHealth:
    """A row's classification and its warnings."""

    classification: Classification
    warnings: tuple[RowWarning, ...] = ()


def classify_row(levels: Iterable[str], *, declared_joint: bool) -> RowHealth:
    """Classify one row from its roles' levels ("R", "A", "C", "I"; blanks ignored)."""
    counts = Counter(level for level in levels if level)
    accountable = counts[RaciLevel.ACCOUNTABLE]
    warnings = []
    if accountable == 0:
        classification = Classification.GAP
    elif accountable == 1:
        classification = Classification.DISTINCT
        if declared_joint:
            warnings.append(RowWarning.JOINT_WITH_ONE_ACCOUNTABLE)
    elif declared_joint:
        classification = Classification.JOINT
    else:
        classification = Classification.CONFLICT
    if accountable and not counts[RaciLevel.RESPONSIBLE]:
        warnings.append(RowWarning.ACCOUNTABLE_WITHOUT_RESPONSIBLE)
    return RowHealth(classification, tuple(warnings))


@dataclass(frozen=True)
class Overload:
    """Which roles are accountable for many more rows than their peers, and the limit."""

    mean: Decimal
    limit: Decimal
    overloaded: frozenset[int]


def find_overloaded_roles(
    accountable_counts: Mapping[int, int], *, ratio: Decimal
) -> Overload:
    """Roles whose accountable count exceeds `ratio` x the mean over roles with an A."""
    counted = [count for count in accountable_counts.values() if count > 0]
    if not counted:
        return Overload(Decimal(0), Decimal(0), frozenset())
    mean = Decimal(sum(counted)) / len(counted)
    limit = ratio * mean
    overloaded = frozenset(
        role for role, count in accountable_counts.items() if count > limit
    )
    return Overload(
        mean.quantize(Decimal("0.01")), limit.quantize(Decimal("0.01")), overloaded
    )


@dataclass(frozen=True)
class MatrixFilters:
    """Which rows to show: all of them unless a filter is set."""

    work_area: int | None = None
    role: int | None = None
    level: str | None = None  # with `role`: rows where that role has this level
    classification: str | None = None
    with_warnings: bool = False

    @property
    def is_active(self) -> bool:
        return self != MatrixFilters()


@dataclass(frozen=True)
class Cell:
    role: RoleColumn
    level: str  # "" when the role has no level on the row


@dataclass(frozen=True)
class MatrixRow:
    """A responsibility with its cells, health and place in its work area."""

    pk: int
    work_area_id: int
    name: str
    description: str
    is_joint: bool
    version: int
    cells: tuple[Cell, ...]
    health: RowHealth
    is_first_in_area: bool
    is_last_in_area: bool


@dataclass(frozen=True)
class AreaGroup:
    """A work area and the rows shown under it."""

    pk: int | None  # None groups rows whose work area is not in the snapshot
    name: str
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True)
class RoleLoad:
    """How many rows a role is accountable and responsible for; distinct rows it owns."""

    role: RoleColumn
    accountable: int
    responsible: int
    distinct: int
    is_overloaded: bool


@dataclass(frozen=True)
class MatrixSummary:
    """Counts over the whole matrix (never the filtered part)."""

    rows: int
    joint: int
    distinct: int
    gaps: int
    conflicts: int
    with_warnings: int
    role_loads: tuple[RoleLoad, ...]
    overload: Overload

    @property
    def overloaded_roles(self) -> tuple[RoleLoad, ...]:
        return tuple(load for load in self.role_loads if load.is_overloaded)


@dataclass(frozen=True)
class Matrix:
    """The whole matrix as shown: columns, grouped rows, summary and the filters used."""

    district_id: int
    roles: tuple[RoleColumn, ...]
    groups: tuple[AreaGroup, ...]
    summary: MatrixSummary
    filters: MatrixFilters = field(default_factory=MatrixFilters)
    as_of: datetime | None = None

    @property
    def shown_rows(self) -> int:
        return sum(len(group.rows) for group in self.groups)

    def rows(self) -> Iterable[MatrixRow]:
        for group in self.groups:
            yield from group.rows

    def find_row(self, pk: int) -> MatrixRow | None:
        return next((row for row in self.rows() if row.pk == pk), None)


def summarize_matrix(
    roles: Iterable[RoleColumn],
    rows: Iterable[tuple[RowHealth, Iterable[tuple[int, str]]]],
    *,
    overload_ratio: Decimal,
) -> MatrixSummary:
    """Count over every row, each given as its health and its (role pk, level) cells:
    classifications, rows with warnings, and per role its A and R rows and the distinct
    rows it is the one accountable role for. Cells other than A and R may be left out.
    """
    accountable: Counter[int] = Counter()
    responsible: Counter[int] = Counter()
    distinct: Counter[int] = Counter()
    by_class: Counter[str] = Counter()
    count = with_warnings = 0
    for health, cells in rows:
        count += 1
        by_class[health.classification] += 1
        with_warnings += bool(health.warnings)
        for role, level in cells:
            if level == RaciLevel.ACCOUNTABLE:
                accountable[role] += 1
                if health.classification == Classification.DISTINCT:
                    distinct[role] += 1
            elif level == RaciLevel.RESPONSIBLE:
                responsible[role] += 1
    roles = tuple(roles)
    overload = find_overloaded_roles(
        {role.pk: accountable[role.pk] for role in roles}, ratio=overload_ratio
    )
    return MatrixSummary(
        rows=count,
        joint=by_class[Classification.JOINT],
        distinct=by_class[Classification.DISTINCT],
        gaps=by_class[Classification.GAP],
        conflicts=by_class[Classification.CONFLICT],
        with_warnings=with_warnings,
        role_loads=tuple(
            RoleLoad(
                role=role,
                accountable=accountable[role.pk],
                responsible=responsible[role.pk],
                distinct=distinct[role.pk],
                is_overloaded=role.pk in overload.overloaded,
            )
            for role in roles
        ),
        overload=overload,
    )


def assemble_matrix(snapshot: Snapshot, filters: MatrixFilters | None = None) -> Matrix:
    """Classify every row, count the summary over all rows, then keep the filtered rows."""
    filters = filters or MatrixFilters()
    by_area: dict[int, list[ResponsibilityValues]] = defaultdict(list)
    for responsibility in snapshot.responsibilities:
        by_area[responsibility.work_area_id].append(responsibility)

    all_rows: dict[int | None, list[MatrixRow]] = {}
    areas: list[tuple[int | None, str]] = [
        (area.pk, area.name) for area in snapshot.work_areas
    ]
    known = {pk for pk, _name in areas}
    unknown = [pk for pk in by_area if pk not in known]
    if unknown:
        areas.append((None, str(_("Work area not recorded"))))
    for area_pk, _name in areas:
        members = (
            by_area[area_pk] if area_pk else sum((by_area[pk] for pk in unknown), [])
        )
        rows = all_rows[area_pk] = []
        for index, values in enumerate(members):
            cells = tuple(
                Cell(role, snapshot.levels.get((values.pk, role.pk), ""))
                for role in snapshot.roles
            )
            health = classify_row(
                (cell.level for cell in cells), declared_joint=values.is_joint
            )
            rows.append(
                MatrixRow(
                    **vars(values),  # pk, work_area_id, name, description, ...
                    cells=cells,
                    health=health,
                    is_first_in_area=index == 0,
                    is_last_in_area=index == len(members) - 1,
                )
            )

    summary = summarize_matrix(
        snapshot.roles,
        (
            (row.health, ((cell.role.pk, cell.level) for cell in row.cells))
            for rows in all_rows.values()
            for row in rows
        ),
        overload_ratio=snapshot.overload_ratio,
    )
    groups = tuple(
        AreaGroup(
            pk=area_pk,
            name=name,
            rows=tuple(row for row in all_rows[area_pk] if _matches(row, filters)),
        )
        for area_pk, name in areas
        if filters.work_area is None or area_pk == filters.work_area
    )
    if filters.is_active:
        groups = tuple(group for group in groups if group.rows)
    return Matrix(
        district_id=snapshot.district_id,
        roles=snapshot.roles,
        groups=groups,
        summary=summary,
        filters=filters,
        as_of=snapshot.as_of,
    )


def _matches(row: MatrixRow, filters: MatrixFilters) -> bool:
    if filters.classification and row.health.classification != filters.classification:
        return False
    if filters.with_warnings and not row.health.warnings:
        return False
    if filters.role is not None:
        level = next(
            (cell.level for cell in row.cells if cell.role.pk == filters.role), ""
        )
        if not level or (filters.level and level != filters.level):
            return False
    return True


def build_matrix(
    district: District,
    *,
    filters: MatrixFilters | None = None,
    as_of: datetime | None = None,
) -> Matrix:
    """The district's whole matrix (rows, roles, cells, health, summary) in four queries."""
    return assemble_matrix(load_snapshot(district, as_of=as_of), filters)


@dataclass(frozen=True)
class MatrixHealth:
    """Every row's health and the summary of the whole matrix, without its cells."""

    rows: Mapping[int, RowHealth]
    summary: MatrixSummary


def build_health(district: District) -> MatrixHealth:
    """Every row's classification and the summary, now, in two light queries.

    What a cell save answers with: the same rules and counts as `build_matrix`, from
    the rows' A and R cells only (`load_health_snapshot`).
    """
    snapshot = load_health_snapshot(district)
    health = {
        pk: classify_row((level for _role, level in cells), declared_joint=is_joint)
        for pk, is_joint, cells in snapshot.rows
    }
    summary = summarize_matrix(
        snapshot.roles,
        ((health[pk], cells) for pk, _is_joint, cells in snapshot.rows),
        overload_ratio=snapshot.overload_ratio,
    )
    return MatrixHealth(rows=health, summary=summary)

"""The matrix over time: a row's history, the matrix as of a date, changes between dates.

All of it reads the django-simple-history records that Ownership, Responsibility, Role
and WorkArea keep; nothing here writes. Moments are in the site's time zone: "as of
5 March" is the matrix at the end of 5 March, "as of 5 March 14:05" the matrix at the
end of that minute (`AsOf`), and "changes from 1 to 5 March" compares the matrix at
the start of 1 March with the matrix at the end of 5 March, so changes made on both
days are included.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db import models
from django.db.models import Min
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from district.history import record_changes
from district.models import District

from .matrix import assemble_matrix
from .matrix_snapshot import Snapshot, load_snapshot
from .models import Ownership, RaciLevel, Responsibility, Role, WorkArea


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


@dataclass(frozen=True)
class AsOf:
    """A past moment the matrix is shown at: the end of a day, or the end of one minute
    of it (a change made during 14:05 shows "as of 14:05")."""

    day: datetime.date
    minute: datetime.time | None = None  # None: the end of the day

    @property
    def moment(self) -> datetime.datetime:
        """The last instant included, aware, in the site's time zone."""
        if self.minute is None:
            return end_of_day(self.day)
        start = datetime.datetime.combine(self.day, self.minute.replace(second=0))
        return timezone.make_aware(
            start + datetime.timedelta(minutes=1, microseconds=-1)
        )

    @property
    def param(self) -> str:
        """The moment as the URL's ?as_of= says it: "2026-03-05" or "2026-03-05T14:05"."""
        if self.minute is None:
            return self.day.isoformat()
        return f"{self.day.isoformat()}T{self.minute:%H:%M}"

    @property
    def label(self) -> str:
        """The moment in words: "the end of 5 March 2026" or "5 March 2026, 14:05"."""
        if self.minute is None:
            return str(_("the end of %(day)s")) % {
                "day": dateformat.format(self.day, "j F Y")
            }
        return f"{dateformat.format(self.day, 'j F Y')}, {self.minute:%H:%M}"


def first_record_at(district: District) -> datetime.datetime | None:
    """When the district's matrix was first recorded: its earliest role, work area or
    row record (three queries); None when it has none."""
    dates = [
        model.history.filter(district_id=district.pk).aggregate(
            first=Min("history_date")
        )["first"]
        for model in (Role, WorkArea, Responsibility)
    ]
    return min((date for date in dates if date is not None), default=None)


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _name_of(
    first_name: str | None, last_name: str | None, username: str | None
) -> str:
    """A user's name from its columns, as `_user_name` gives it ("" for nobody)."""
    full_name = f"{first_name or ''} {last_name or ''}".strip()
    return full_name or username or ""


def _level_name(level: str) -> str:
    return str(RaciLevel(level).label if level else _("none"))


@dataclass(frozen=True)
class HistoryEntry:
    """One change to a row: a cell's level or one of the row's own fields."""

    at: datetime.datetime
    user: str  # "" when the change was made by nobody known (a script, a deleted user)
    subject: str  # a role code for a cell, else the field's name
    before: str
    after: str


def row_history(responsibility: Responsibility) -> tuple[HistoryEntry, ...]:
    """Every recorded change to one row, newest first, in four queries."""
    roles = _names(Role, responsibility.district_id, "code")
    areas = _names(WorkArea, responsibility.district_id, "name")
    entries = []
    cell_records = (
        Ownership.history.filter(responsibility_id=responsibility.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    previous: dict[int, str] = {}
    for record in cell_records:
        before = previous.get(record.id, "")
        after = "" if record.history_type == "-" else record.level
        previous[record.id] = after
        if before != after:
            entries.append(
                HistoryEntry(
                    at=record.history_date,
                    user=_user_name(record.history_user),
                    subject=roles.get(record.role_id, f"#{record.role_id}"),
                    before=_level_name(before),
                    after=_level_name(after),
                )
            )
    labels = {
        "name": _("Name"),
        "description": _("Description"),
        "is_joint": _("Declared joint"),
        "work_area": _("Work area"),
    }
    shown = {
        "is_joint": lambda value: str(_("yes") if value else _("no")),
        "work_area": lambda value: areas.get(value, f"#{value}"),
    }
    row_records = (
        Responsibility.history.filter(id=responsibility.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    last = None
    for record in row_records:
        user = _user_name(record.history_user)
        if last is None or record.history_type == "+":
            entries.append(
                HistoryEntry(record.history_date, user, str(_("Row")), "", record.name)
            )
        else:
            for change in record_changes(record, last, fields=labels):
                show = shown.get(change.field, str)
                entries.append(
                    HistoryEntry(
                        record.history_date,
                        user,
                        str(labels[change.field]),
                        show(change.old),
                        show(change.new),
                    )
                )
        last = record
    return tuple(sorted(entries, key=lambda entry: entry.at, reverse=True))


def _names(model, district_id: int, field: str) -> dict[int, str]:
    """Each object's latest recorded `field`, deleted objects included."""
    return dict(
        model.history.filter(district_id=district_id)
        .order_by("history_date", "history_id")
        .values_list("id", field)
    )


class RowChangeKind(models.TextChoices):
    ADDED = "added", _("Added")
    REMOVED = "removed", _("Removed")
    RENAMED = "renamed", _("Renamed")
    MOVED = "moved", _("Moved to another work area")
    JOINT = "joint", _("Declared joint changed")
    CLASSIFICATION = "classification", _("Classification changed")


@dataclass(frozen=True)
class RowChange:
    """A row added, removed or changed between two moments."""

    responsibility_id: int
    name: str
    kind: RowChangeKind
    before: str = ""
    after: str = ""
    editors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellChange:
    """A cell whose level differs between two moments: added, removed or changed."""

    responsibility_id: int
    role_id: int
    responsibility: str
    work_area: str
    role: str
    before: str  # "" for an empty cell
    after: str
    editors: tuple[str, ...] = ()  # who changed the cell in between, in order
    last_changed_at: datetime.datetime | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.responsibility_id, self.role_id)

    @property
    def kind(self) -> str:
        if not self.before:
            return "added"
        return "removed" if not self.after else "changed"


@dataclass(frozen=True)
class MatrixChanges:
    """The differences between the matrix at `start` and at `end`."""

    start: datetime.datetime | None  # None: now
    end: datetime.datetime | None
    rows: tuple[RowChange, ...]
    cells: tuple[CellChange, ...]

    @property
    def is_empty(self) -> bool:
        return not self.rows and not self.cells


def diff_snapshots(before: Snapshot, after: Snapshot) -> MatrixChanges:
    """Rows and cells that differ between two snapshots, in matrix order (pure)."""
    old_rows = {row.pk: row for row in before.responsibilities}
    new_rows = {row.pk: row for row in after.responsibilities}
    areas = {area.pk: area.name for area in (*before.work_areas, *after.work_areas)}
    roles = {role.pk: role for role in (*before.roles, *after.roles)}
    old_health = {row.pk: row.health for row in assemble_matrix(before).rows()}
    new_health = {row.pk: row.health for row in assemble_matrix(after).rows()}
    order = _matrix_order(before, after)
    row_changes: list[RowChange] = []
    for pk in order:
        old, new = old_rows.get(pk), new_rows.get(pk)
        if old is None:
            assert new is not None  # `order` holds the rows of either snapshot
            # An added row's cells are listed with it, not one by one.
            levels = _levels_text(after, pk)
            row_changes.append(RowChange(pk, new.name, RowChangeKind.ADDED, "", levels))
            continue
        if new is None:
            levels = _levels_text(before, pk)
            row_changes.append(RowChange(pk, old.name, RowChangeKind.REMOVED, levels))
            continue
        if old.name != new.name:
            row_changes.append(
                RowChange(pk, new.name, RowChangeKind.RENAMED, old.name, new.name)
            )
        if old.work_area_id != new.work_area_id:
            row_changes.append(
                RowChange(
                    pk,
                    new.name,
                    RowChangeKind.MOVED,
                    areas.get(old.work_area_id, ""),
                    areas.get(new.work_area_id, ""),
                )
            )
        if old.is_joint != new.is_joint:
            yes_no = {True: str(_("yes")), False: str(_("no"))}
            row_changes.append(
                RowChange(
                    pk,
                    new.name,
                    RowChangeKind.JOINT,
                    yes_no[old.is_joint],
                    yes_no[new.is_joint],
                )
            )
        old_class = old_health[pk].classification
        new_class = new_health[pk].classification
        if old_class != new_class:
            row_changes.append(
                RowChange(
                    pk,
                    new.name,
                    RowChangeKind.CLASSIFICATION,
                    str(old_class.label),
                    str(new_class.label),
                )
            )
    role_order = {role.pk: index for index, role in enumerate(after.roles)}
    row_order = {pk: index for index, pk in enumerate(order)}
    keys = sorted(
        {*before.levels, *after.levels},
        key=lambda key: (
            row_order.get(key[0], len(row_order)),
            role_order.get(key[1], len(role_order)),
            key,
        ),
    )
    cell_changes = []
    for row_pk, role_pk in keys:
        old_level = before.levels.get((row_pk, role_pk), "")
        new_level = after.levels.get((row_pk, role_pk), "")
        if old_level == new_level or row_pk not in old_rows or row_pk not in new_rows:
            continue
        row = new_rows.get(row_pk) or old_rows.get(row_pk)
        role = roles.get(role_pk)
        cell_changes.append(
            CellChange(
                responsibility_id=row_pk,
                role_id=role_pk,
                responsibility=row.name if row else f"#{row_pk}",
                work_area=areas.get(row.work_area_id, "") if row else "",
                role=role.code if role else f"#{role_pk}",
                before=old_level,
                after=new_level,
            )
        )
    return MatrixChanges(
        start=before.as_of,
        end=after.as_of,
        rows=tuple(row_changes),
        cells=tuple(cell_changes),
    )


def _matrix_order(before: Snapshot, after: Snapshot) -> list[int]:
    """The rows of either snapshot as the matrix shows them: by work area (in the work
    areas' order), then in each area's row order; rows removed since come last in the
    area they were in."""
    area_rank: dict[int, int] = {}
    for area in (*after.work_areas, *before.work_areas):
        area_rank.setdefault(area.pk, len(area_rank))
    keys: dict[int, tuple[int, int, int]] = {}
    for present, snapshot in enumerate((after, before)):
        for position, row in enumerate(snapshot.responsibilities):
            keys.setdefault(
                row.pk,
                (area_rank.get(row.work_area_id, len(area_rank)), present, position),
            )
    return sorted(keys, key=keys.__getitem__)


def _levels_text(snapshot: Snapshot, row_pk: int) -> str:
    """A row's levels in column order, as "CAO A, CSO R"."""
    return ", ".join(
        f"{role.code} {snapshot.levels[row_pk, role.pk]}"
        for role in snapshot.roles
        if (row_pk, role.pk) in snapshot.levels
    )


def matrix_changes(
    district: District, *, first_day: datetime.date, last_day: datetime.date
) -> MatrixChanges:
    """Changes made from the start of `first_day` to the end of `last_day`, with who made
    each one (history_user), in eleven queries."""
    start = start_of_day(first_day)
    end = end_of_day(last_day)
    changes = diff_snapshots(
        load_snapshot(district, as_of=start - datetime.timedelta(microseconds=1)),
        load_snapshot(district, as_of=end),
    )
    window = {
        "district_id": district.pk,
        "history_date__gte": start,
        "history_date__lte": end,
    }
    # Plain values, not model instances: a new district's window holds every cell.
    who = (
        "history_user__first_name",
        "history_user__last_name",
        "history_user__username",
    )
    cell_editors: dict[tuple[int, int], list[str]] = defaultdict(list)
    cell_times: dict[tuple[int, int], datetime.datetime] = {}
    for row_pk, role_pk, at, *user in (
        Ownership.history.filter(**window)
        .order_by("history_date", "history_id")
        .values_list("responsibility_id", "role_id", "history_date", *who)
    ):
        _append_once(cell_editors[row_pk, role_pk], _name_of(*user))
        cell_times[row_pk, role_pk] = at
    cells = tuple(
        replace(
            change,
            editors=tuple(cell_editors.get(change.key, ())),
            last_changed_at=cell_times.get(change.key),
        )
        for change in changes.cells
    )
    field_editors = _row_field_editors(
        district, {change.responsibility_id for change in changes.rows}, start, end
    )
    # A row's classification follows its accountable and responsible cells (and its
    # declared-joint flag): credited to whoever changed those, not to the row's author.
    deciding_editors: dict[int, list[str]] = defaultdict(list)
    for cell in cells:
        if {cell.before, cell.after} & {
            RaciLevel.ACCOUNTABLE,
            RaciLevel.RESPONSIBLE,
        }:
            for name in cell.editors:
                _append_once(deciding_editors[cell.responsibility_id], name)
    rows: list[RowChange] = []
    for row in changes.rows:
        pk = row.responsibility_id
        if row.kind == RowChangeKind.CLASSIFICATION:
            names = [*deciding_editors[pk], *field_editors[pk, "is_joint"]]
        elif row.kind == RowChangeKind.ADDED:
            names = [
                *field_editors[pk, "added"],
                *_cell_editors_of_row(cell_editors, pk),
            ]
        else:
            names = field_editors[pk, ROW_CHANGE_FIELDS[row.kind]]
        editors: list[str] = []
        for name in names:
            _append_once(editors, name)
        rows.append(replace(row, editors=tuple(editors)))
    return MatrixChanges(start=start, end=end, rows=tuple(rows), cells=cells)


# The Responsibility field (or event) a kind of row change comes from.
ROW_CHANGE_FIELDS: dict[str, str] = {
    RowChangeKind.REMOVED: "removed",
    RowChangeKind.RENAMED: "name",
    RowChangeKind.MOVED: "work_area_id",
    RowChangeKind.JOINT: "is_joint",
}


def _cell_editors_of_row(
    cell_editors: dict[tuple[int, int], list[str]], row_pk: int
) -> list[str]:
    return [
        name
        for (row, _role), names in cell_editors.items()
        if row == row_pk
        for name in names
    ]


def _row_field_editors(
    district: District,
    row_pks: set[int],
    start: datetime.datetime,
    end: datetime.datetime,
) -> defaultdict[tuple[int, str], list[str]]:
    """Who added, removed, renamed, moved or changed the declared-joint flag of each of
    `row_pks` between `start` and `end`, keyed by (row pk, field), in one query.

    Each record in the window is compared with the record before it (which may be
    older than the window), so a record that only changed the description credits
    nobody with a rename."""
    editors: defaultdict[tuple[int, str], list[str]] = defaultdict(list)
    if not row_pks:
        return editors
    fields = ("name", "work_area_id", "is_joint")
    records = (
        Responsibility.history.filter(
            district_id=district.pk, id__in=row_pks, history_date__lte=end
        )
        .order_by("id", "history_date", "history_id")
        .values_list(
            "id",
            "history_date",
            "history_type",
            *fields,
            "history_user__first_name",
            "history_user__last_name",
            "history_user__username",
        )
    )
    previous: dict[int, tuple] = {}
    for pk, at, kind, *rest in records:
        values, user = tuple(rest[: len(fields)]), _name_of(*rest[len(fields) :])
        before = previous.get(pk)
        previous[pk] = values
        if at < start:
            continue
        if kind == "+":
            _append_once(editors[pk, "added"], user)
        elif kind == "-":
            _append_once(editors[pk, "removed"], user)
        elif before is not None:
            for field, old, new in zip(fields, before, values, strict=True):
                if old != new:
                    _append_once(editors[pk, field], user)
    return editors


def _append_once(names: list[str], name: str) -> None:
    if name and name not in names:
        names.append(name)

"""An object's recorded history: who created, changed and deleted it, when, and which
fields changed from what to what, newest first.

One diff serves every reader: the history pages (`history_page`), the API
(`district.api.history`) and a matrix row's history (`roles.matrix_history`). It is
django-simple-history's `diff_against` between each record and the one before it.
Before an object was created every field counts as null, so a creation lists its
initial values that are not null. Only editable fields count: `version` and
`updated_at` change on every write. A field the reader may not see in a record or in
the one before it (`hidden`, decided by the resource: a suppressed value for a viewer)
is left out of that entry's changes.
"""

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.forms.models import model_to_dict

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Which fields of a history record the reader may not see.
HiddenFields = Callable[[Any], Collection[str]]


@dataclass(frozen=True)
class Change:
    """One field's values before and after a recorded write (a related object's id)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Entry:
    """One history record: what happened, when, by whom, and the fields it changed."""

    history_id: int
    date: Any
    type: str  # created, changed or deleted
    user: str | None  # the username; None for a script or a deleted user
    changes: tuple[Change, ...]


def record_changes(
    record,
    before,
    fields: Iterable[str] | None = None,
    excluded: Collection[str] = (),
) -> tuple[Change, ...]:
    """The fields (all editable ones, or `fields`) that differ from `before`, by name.

    `before` is the record just before `record`, or None when `record` is the first:
    then every field that is not null counts as changed. `excluded` fields are left out.
    """
    if before is not None:
        delta = record.diff_against(
            before, included_fields=fields, excluded_fields=list(excluded) or None
        )
        return tuple(Change(c.field, c.old, c.new) for c in delta.changes)
    names = [
        name
        for name in (
            list(fields)
            if fields is not None
            else [field.name for field in record.tracked_fields if field.editable]
        )
        if name not in excluded
    ]
    values = model_to_dict(record, fields=names)
    return tuple(
        Change(name, None, value)
        for name, value in sorted(values.items())
        if value is not None
    )


def history_entries(
    records: Sequence, previous=None, hidden: HiddenFields | None = None
) -> list[Entry]:
    """Entries of `records` (one object's, newest first), each diffed with the one before.

    `previous` is the record just before the oldest of `records` (None when that one
    is the first), so a page of records diffs its last entry too.
    """

    def withheld(record, before) -> set[str]:
        if hidden is None:
            return set()
        return {*hidden(record), *(hidden(before) if before is not None else ())}

    return [
        Entry(
            history_id=record.history_id,
            date=record.history_date,
            type=HISTORY_TYPES[record.history_type],
            user=record.history_user.get_username() if record.history_user_id else None,
            changes=record_changes(record, before, excluded=withheld(record, before)),
        )
        for record, before in zip(records, [*records[1:], previous], strict=True)
    ]


def entries_for_page(
    records, page_records: Sequence, hidden: HiddenFields | None = None
) -> list[Entry]:
    """Entries of `page_records` (a page of `records`, newest first), each diffed with the
    record before it, including the last one on the page (one more query)."""
    if not page_records:
        return []
    previous = None
    if page_records[-1].history_type != "+":
        last = page_records[-1]
        previous = records.filter(
            Q(history_date__lt=last.history_date)
            | Q(history_date=last.history_date, history_id__lt=last.history_id)
        ).first()
    return history_entries(page_records, previous, hidden)


PAGE_SIZE = 50
TYPE_LABELS = {"created": "Created", "changed": "Changed", "deleted": "Deleted"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    date: object
    what: str
    user: str | None
    changes: tuple[FieldChange, ...]


def _text(value) -> str:
    return "—" if value is None or value == "" else str(value)


def history_page(model, records, page_number) -> tuple[Page, list[HistoryRow]]:
    """Page `page_number` of `records` (one object's history, newest first) as rows."""
    paginator = Paginator(records, PAGE_SIZE)
    page = paginator.get_page(page_number)
    entries = entries_for_page(records, list(page.object_list))
    fields = {field.name: field for field in model._meta.concrete_fields}
    # One query per related model named by any change on the page.
    wanted: dict = {}
    for entry in entries:
        for change in entry.changes:
            field = fields.get(change.field)
            if field is not None and field.is_relation:
                ids = wanted.setdefault(field.related_model, set())
                ids.update(v for v in (change.old, change.new) if v is not None)
    names = {
        related: {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }

    def shown(name, value) -> str:
        field = fields.get(name)
        if value is None:
            return "—"
        if field is not None and field.is_relation:
            return names[field.related_model].get(value, f"#{value} (deleted)")
        if field is not None and field.choices:
            return _text(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        return _text(value)

    rows = [
        HistoryRow(
            date=entry.date,
            what=TYPE_LABELS[entry.type],
            user=entry.user,
            changes=tuple(
                FieldChange(
                    label=str(fields[c.field].verbose_name)
                    if c.field in fields
                    else c.field,
                    old=shown(c.field, c.old),
                    new=shown(c.field, c.new),
                )
                for c in entry.changes
            ),
        )
        for entry in entries
    ]
    return page, rows

"""What a history page shows of one object: who created, changed and deleted it, when,
and which fields changed from what to what, newest first.

The entries are the API's (`district.api.history.history_entries`, one implementation
of the diff); this module pages them, names the fields as people read them (their
verbose names) and shows a related object by its name rather than its id, with one
query per related model whatever the number of entries.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from .api.history import entries_for_page

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
        for change in entry["changes"]:
            field = fields.get(change["field"])
            if field is not None and field.is_relation:
                ids = wanted.setdefault(field.related_model, set())
                ids.update(v for v in (change["old"], change["new"]) if v is not None)
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
            date=entry["date"],
            what=TYPE_LABELS[entry["type"]],
            user=entry["user"],
            changes=tuple(
                FieldChange(
                    label=str(fields[c["field"]].verbose_name)
                    if c["field"] in fields
                    else c["field"],
                    old=shown(c["field"], c["old"]),
                    new=shown(c["field"], c["new"]),
                )
                for c in entry["changes"]
            ),
        )
        for entry in entries
    ]
    return page, rows

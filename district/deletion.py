"""Rows that hang on a row in their thousands, removed in bulk before the row is deleted.

Deleting a school deletes its values: thousands of rows. Django's cascade would load
each one, send its signals and write its history record one INSERT at a time (13,000
statements for one school of a large district), and the admin's confirmation page
would list each. An app that owns such rows registers them for the parent model with
`register_bulk_children`. Then:

- every delete of the parent, one row (`Model.delete`: pages, the API, the admin's
  delete) or many (`QuerySet.delete`: the admin's "delete selected"), calls the
  remover first, in the same transaction, so the cascade finds nothing left to do row
  by row; the remover writes their history in batches;
- the admin's confirmation counts them instead of listing them
  (`district.admin_base`).
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class BulkChildren:
    """The rows of `model` whose `field` points at a parent, and how they are removed."""

    model: type[models.Model]
    field: str  # the foreign key to the parent, e.g. "school"
    remove: Callable[[Sequence[int]], object]  # called with the parents' pks

    def count(self, parent_pks: Sequence[int]) -> int:
        return self.model._default_manager.filter(
            **{f"{self.field}__in": list(parent_pks)}
        ).count()


_children: defaultdict[type[models.Model], list[BulkChildren]] = defaultdict(list)


def register_bulk_children(parent: type[models.Model], children: BulkChildren) -> None:
    """Remove `children` in bulk whenever rows of `parent` are deleted."""
    if children not in _children[parent]:
        _children[parent].append(children)


def bulk_children(parent: type[models.Model]) -> list[BulkChildren]:
    return list(_children.get(parent, ()))


def remove_dependents(parent: type[models.Model], pks: Sequence[int]) -> None:
    """Remove what hangs on these rows of `parent` (inside the delete's transaction)."""
    if not pks:
        return
    for children in _children.get(parent, ()):
        children.remove(pks)

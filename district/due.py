"""What a person owes: the items behind "My updates" and the reminders.

Several apps know of work someone owes (values and commentary to report, action items,
reviews of a decision). Each of them describes it as `DueItem`s; "My updates" and the
reminders read them all through `due_items`, without knowing the apps that made them.
An app higher in the stack plugs its source in from its `AppConfig.ready()` with
`register_due_source`, as the API's computed endpoints are plugged into the district's
address (docs/architecture.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class DueItem:
    """One thing one person owes the district by a date."""

    #: Stable across runs ("value:12:2026-11-27:network:4"); reminders are recorded
    #: under it, so the same reminder is never sent twice.
    key: str
    kind: str  # "value", "commentary", "action_item", "review", ...
    district_id: int
    owner_id: int  # the user who owes it
    title: str
    due: datetime.date
    url: str  # where the owner does it (a path within the site)
    done_on: datetime.date | None = None
    #: Who is told when it is long overdue (the holder of the accountable role).
    escalate_to_id: int | None = None
    detail: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def state(self, today: datetime.date, *, soon_days: int = 3) -> str:
        """ "done", "overdue", "due" (today), "due soon" or "upcoming"."""
        if self.done_on is not None:
            return "done"
        if self.due < today:
            return "overdue"
        if self.due == today:
            return "due"
        if (self.due - today).days <= soon_days:
            return "due soon"
        return "upcoming"


class DueSource(Protocol):
    def __call__(
        self,
        *,
        district_id: int,
        today: datetime.date,
        owner_ids: Collection[int] | None,
    ) -> Iterable[DueItem]:
        """The items owed in the district; only those of `owner_ids` unless it is None."""
        ...


_sources: list[Callable[..., Iterable[DueItem]]] = []


def register_due_source(source: DueSource) -> None:
    if source not in _sources:
        _sources.append(source)


def due_items(
    *,
    district_id: int,
    today: datetime.date,
    owner_ids: Collection[int] | None = None,
) -> list[DueItem]:
    """Every source's items, earliest due first (then by title), for one district."""
    items = [
        item
        for source in _sources
        for item in source(district_id=district_id, today=today, owner_ids=owner_ids)
    ]
    return sorted(items, key=lambda item: (item.due, item.title, item.key))

"""A person's "My updates": what they owe in one district, grouped by urgency."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from district.due import DueItem, due_items

# The order groups are shown in, most urgent first.
GROUPS = (
    ("overdue", "Overdue"),
    ("due", "Due today"),
    ("due soon", "Due soon"),
    ("upcoming", "Coming up"),
    ("done", "Done"),
)
OWED_NOW = ("overdue", "due", "due soon")


@dataclass(frozen=True)
class MyUpdates:
    """One person's items in one district, in groups by state."""

    today: datetime.date
    groups: tuple[tuple[str, str, tuple[DueItem, ...]], ...]  # (state, label, items)

    @property
    def owed_now(self) -> int:
        """Overdue, due today and due soon: the count the home page shows."""
        return sum(len(items) for state, _l, items in self.groups if state in OWED_NOW)

    @property
    def total(self) -> int:
        return sum(len(items) for _s, _l, items in self.groups)

    @property
    def overdue(self) -> int:
        return sum(len(items) for state, _l, items in self.groups if state == "overdue")


def build_my_updates(
    *, district_id: int, user_id: int, today: datetime.date
) -> MyUpdates:
    """What `user_id` owes in the district on `today`, every app's items."""
    items = due_items(district_id=district_id, today=today, owner_ids={user_id})
    by_state: dict[str, list[DueItem]] = {state: [] for state, _label in GROUPS}
    for item in items:
        by_state[item.state(today)].append(item)
    return MyUpdates(
        today=today,
        groups=tuple((state, label, tuple(by_state[state])) for state, label in GROUPS),
    )

"""Action items: who owes each one, which carry over to a meeting, and My updates.

The rules live here: an item owned by a role is owed by the person holding the role on
the item's due date (`roles.RoleAssignment` over time); an item is open until its done
date; a meeting shows the open items raised at earlier meetings of its series (carried
over) beside those raised in it.
"""

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from district.due import DueItem
from district.models import Person
from roles.models import RoleAssignment

from .models import ActionItem, Meeting


def role_holders(
    pairs: Iterable[tuple[int, datetime.date]],
) -> dict[tuple[int, datetime.date], Person]:
    """The person holding each role on each date, in one query.

    When two assignments overlap (a holder and an acting one), the one that started
    last wins: the acting holder stands in.
    """
    wanted = set(pairs)
    if not wanted:
        return {}
    roles = {role_id for role_id, _day in wanted}
    first = min(day for _role, day in wanted)
    last = max(day for _role, day in wanted)
    assignments = (
        RoleAssignment.objects.filter(role__in=roles, started_on__lte=last)
        .exclude(ended_on__lt=first)
        .select_related("person")
        .order_by("started_on", "pk")
    )
    holders: dict[tuple[int, datetime.date], Person] = {}
    for assignment in assignments:
        for role_id, day in wanted:
            if (
                role_id == assignment.role_id
                and assignment.started_on <= day
                and (assignment.ended_on is None or day <= assignment.ended_on)
            ):
                holders[(role_id, day)] = assignment.person
    return holders


@dataclass(frozen=True)
class OwnedItem:
    """An action item with the person who owes it (None: nobody holds the role)."""

    item: ActionItem
    owner: Person | None

    @property
    def owner_label(self) -> str:
        item = self.item
        if item.owner_role_id is None:
            return str(self.owner)
        holder = self.owner.name if self.owner else _("nobody holds it")
        return f"{item.owner_role} ({holder})"


def with_owners(items: Sequence[ActionItem]) -> list[OwnedItem]:
    """`items` (with `owner_person` and `owner_role` loaded) and who owes each."""
    holders = role_holders(
        (item.owner_role_id, item.due_on) for item in items if item.owner_role_id
    )
    return [
        OwnedItem(
            item=item,
            owner=item.owner_person
            if item.owner_person_id
            else holders.get((item.owner_role_id, item.due_on)),  # type: ignore[arg-type]
        )
        for item in items
    ]


def items_with_details(queryset: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    return queryset.select_related(
        "district",
        "series",
        "raised_in",
        "owner_person",
        "owner_role",
        "metric",
        "school",
        "network",
        "responsibility",
    )


def open_on(day: datetime.date) -> Q:
    """Items not done before `day` (done that day or later, or not done)."""
    return Q(done_on__isnull=True) | Q(done_on__gte=day)


def carried_over(meeting: Meeting) -> QuerySet[ActionItem]:
    """Open items raised at earlier meetings of the series, or outside any meeting.

    An item is carried over while it is open on the meeting's day: done later (or
    never) than the meeting. Items done since are not carried over again.
    """
    day = meeting.starts_at.date()
    return items_with_details(
        ActionItem.objects.filter(series_id=meeting.series_id)
        .filter(
            Q(raised_in__starts_at__lt=meeting.starts_at) | Q(raised_in__isnull=True)
        )
        .filter(open_on(day))
    ).order_by("due_on", "pk")


def raised_in(meeting: Meeting) -> QuerySet[ActionItem]:
    return items_with_details(ActionItem.objects.filter(raised_in=meeting)).order_by(
        "due_on", "pk"
    )


@transaction.atomic
def add_action_item(*, acting_user, **fields) -> ActionItem:
    """Record an action item after checking it (owner, same district, meeting)."""
    item = ActionItem(**fields)
    item._history_user = acting_user
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def complete_action_item(
    *, item: ActionItem, done_on: datetime.date, acting_user
) -> ActionItem:
    """Mark `item` done on `done_on`; from the next meeting on it no longer carries."""
    item.done_on = done_on
    item._history_user = acting_user
    item.full_clean()
    item.save(update_fields=["done_on"])
    return item


def action_item_due_items(
    *,
    district_id: int,
    today: datetime.date,
    owner_ids: Collection[int] | None,
) -> list[DueItem]:
    """Open action items, each owed by its person or its role's holder on the due date.

    Items whose owner has no Lanes account, or whose role nobody holds, are owed by
    nobody who can see them, and are left out.
    """
    items = list(
        items_with_details(
            ActionItem.objects.filter(district_id=district_id, done_on__isnull=True)
        ).order_by("due_on", "pk")
    )
    result = []
    for owned in with_owners(items):
        owner = owned.owner
        if owner is None or owner.user_id is None:
            continue
        if owner_ids is not None and owner.user_id not in owner_ids:
            continue
        item = owned.item
        target = item.raised_in or item.series
        result.append(
            DueItem(
                key=f"action_item:{item.pk}",
                kind="action_item",
                district_id=district_id,
                owner_id=owner.user_id,
                title=item.title,
                due=item.due_on,
                url=target.get_absolute_url(),
                detail=str(item.series),
            )
        )
    return result

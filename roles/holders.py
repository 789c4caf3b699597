"""Who holds a role on a date: the people pages name next to a role's code."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import RoleAssignment


def holders_on(
    *, user, role_ids: Iterable[int], on: datetime.date
) -> dict[int, tuple[str, ...]]:
    """The names of the people holding each of `role_ids` on `on`, longest-serving first.

    An acting holder is marked "(acting)". Roles nobody holds are missing from the
    answer. One query, whatever the number of roles.
    """
    role_ids = list(role_ids)
    if not role_ids:
        return {}
    holders: dict[int, list[str]] = defaultdict(list)
    assignments = (
        RoleAssignment.objects.visible_to(user)
        .filter(role_id__in=role_ids, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("person")
        .order_by("role_id", "started_on", "pk")
    )
    for assignment in assignments:
        acting = _(" (acting)") if assignment.is_acting else ""
        holders[assignment.role_id].append(f"{assignment.person.name}{acting}")
    return {role_id: tuple(names) for role_id, names in holders.items()}

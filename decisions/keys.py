"""Who holds a key of a decision: the roles accountable or consulted on its matrix row,
and the people holding those roles on a given day.

While a decision is a draft its keys follow the matrix as it is now; sending it for
review copies them into `Review` rows (`workflow.submit_decision`), and later changes
of the matrix leave those alone.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from district.models import Person
from roles.models import RaciLevel, Responsibility, Role, RoleAssignment

# The levels whose roles must review: the accountable ones decide, the consulted ones
# must be asked before a decision is made.
KEY_LEVELS = (RaciLevel.ACCOUNTABLE, RaciLevel.CONSULTED)


def key_roles(responsibility: Responsibility) -> list[Role]:
    """The roles accountable or consulted on `responsibility`, in matrix column order."""
    return list(
        Role.objects.filter(
            ownerships__responsibility=responsibility,
            ownerships__level__in=KEY_LEVELS,
        ).order_by("kind", "sort_order", "code", "pk")
    )


def holders(role_ids: Iterable[int], *, on: datetime.date) -> dict[int, list[Person]]:
    """The people holding each role on `on` (acting holders included), by role id."""
    assignments = (
        RoleAssignment.objects.filter(role_id__in=list(role_ids), started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("person")
        .order_by("person__name", "pk")
    )
    found: dict[int, list[Person]] = defaultdict(list)
    for assignment in assignments:
        found[assignment.role_id].append(assignment.person)
    return dict(found)


def holds_role(user, role: Role, *, on: datetime.date) -> Person | None:
    """The person through whom `user` holds `role` on `on`, or None."""
    if not user.is_authenticated:
        return None
    assignment = (
        RoleAssignment.objects.filter(role=role, person__user=user, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("person")
        .first()
    )
    return assignment.person if assignment else None

"""Changing the matrix's cells: `set_ownership` is the one way a level is written.

Pages (a select saved in place, a row's form without JavaScript), the API and the admin
(through `set_ownership_on_current_row`) go through it. Each change claims the row at the version its editor saw (`claim_row`, one
conditional UPDATE), so a stale change is refused with `StaleRowError` and nothing is
written, and each cell's history names the acting user.
"""

from collections.abc import Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Ownership, RaciLevel, Responsibility, Role
from .responsibilities import claim_row


@transaction.atomic
def set_ownership(
    *,
    responsibility: Responsibility,
    role: Role,
    level: str | None,
    expected_version: int,
    acting_user: AbstractBaseUser | None,
) -> Ownership | None:
    """Give `role` a RACI level on `responsibility`, or clear the cell when `level` is empty.

    Refuses with `StaleRowError` (nothing written) when the row is no longer at
    `expected_version`; on success the row's version grows by one and
    `responsibility.version` holds the new value. Returns the cell written, or None when
    it was cleared. The change is recorded in the Ownership history as `acting_user`.
    """
    level = level or None
    if level is not None and level not in RaciLevel.values:
        raise ValidationError({"level": _("Choose R, A, C, I or none.")})
    if role.district_id != responsibility.district_id:
        raise ValidationError(
            _("Role, responsibility and ownership must belong to one district.")
        )
    claim_row(responsibility_id=responsibility.pk, expected_version=expected_version)
    responsibility.version = expected_version + 1
    current = (
        Ownership.objects.filter(responsibility=responsibility, role=role)
        .order_by("pk")
        .first()
    )
    if level is None:
        if current is not None:
            current._history_user = acting_user
            current.delete()
        return None
    if current is None:
        current = Ownership(
            district_id=responsibility.district_id,
            responsibility=responsibility,
            role=role,
            level=level,
        )
        current.full_clean()
        current._history_user = acting_user
        current.save()
    elif current.level != level:
        current.role, current.responsibility = role, responsibility
        current.level = level
        # Only the level changes: the row and the role were checked above and the
        # (row, role) pair stays, so their existence and uniqueness cost no queries.
        current.full_clean(exclude=["district", "responsibility", "role"])
        current._history_user = acting_user
        current.save(update_fields=["level"])
    return current


@transaction.atomic
def set_ownership_on_current_row(
    *,
    responsibility: Responsibility,
    role: Role,
    level: str | None,
    acting_user: AbstractBaseUser | None,
) -> Ownership | None:
    """`set_ownership` for an editor who holds no row version (the admin).

    Claims the row at the version stored now, read under a lock, so the change is
    never refused but still advances the row's version: a page or client holding the
    row at an older version is refused afterwards.
    """
    version = (
        Responsibility.objects.select_for_update()
        .filter(pk=responsibility.pk)
        .values_list("version", flat=True)
        .get()
    )
    return set_ownership(
        responsibility=responsibility,
        role=role,
        level=level,
        expected_version=version,
        acting_user=acting_user,
    )


@transaction.atomic
def set_row_levels(
    *,
    responsibility: Responsibility,
    levels: Mapping[Role, str | None],
    expected_version: int,
    acting_user: AbstractBaseUser | None,
) -> list[Role]:
    """Save several cells of one row at once (a form without JavaScript), all or none.

    Cells whose level already matches are left alone; each other one goes through
    `set_ownership`, from `expected_version` on, so a stale row refuses the whole
    change with `StaleRowError`. Returns the roles whose cells changed.
    """
    current = dict(
        Ownership.objects.filter(responsibility=responsibility)
        .order_by()
        .values_list("role_id", "level")
    )
    changed = [
        role
        for role, level in levels.items()
        if (level or "") != current.get(role.pk, "")
    ]
    version = expected_version
    for role in changed:
        set_ownership(
            responsibility=responsibility,
            role=role,
            level=levels[role],
            expected_version=version,
            acting_user=acting_user,
        )
        version = responsibility.version
    return changed

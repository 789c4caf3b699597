"""Editing the rows of the matrix: adding, changing and reordering responsibilities.

A row's `version` guards its cells and its fields alike: `claim_row` advances it with
one conditional UPDATE, so a change based on an older copy of the row is refused in the
database, whichever server process handles it. Reordering is not a change to the row's
content, so it leaves versions alone (an editor moving rows does not invalidate another
editor's open cells).
"""

from typing import Literal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from district.models import District

from .models import Responsibility, WorkArea


class StaleRowError(Exception):
    """A change was based on an older version of the row than the one stored."""

    def __init__(self, responsibility_id: int, expected_version: int):
        super().__init__(
            f"Responsibility {responsibility_id} is no longer at version "
            f"{expected_version}."
        )
        self.responsibility_id = responsibility_id
        self.expected_version = expected_version


def claim_row(*, responsibility_id: int, expected_version: int, **changes) -> None:
    """Advance the row's version by one if it is still `expected_version`; else refuse.

    One conditional UPDATE: the database applies the check to the stored row, so it
    holds across server processes. On PostgreSQL the UPDATE also locks the row until the
    transaction ends; a concurrent claim waits, re-reads the row and matches nothing.
    `changes` are further columns written by the same statement. Raises
    `StaleRowError` when no row matched.
    """
    claimed = Responsibility.objects.filter(
        pk=responsibility_id, version=expected_version
    ).update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    if not claimed:
        raise StaleRowError(responsibility_id, expected_version)


def _next_sort_order(work_area: WorkArea) -> int:
    highest = work_area.responsibilities.aggregate(highest=Max("sort_order"))["highest"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def add_responsibility(
    *,
    district: District,
    work_area: WorkArea,
    name: str,
    description: str = "",
    is_joint: bool = False,
    acting_user: AbstractBaseUser | None,
) -> Responsibility:
    """Add a row at the end of `work_area`, recorded in history as `acting_user`."""
    responsibility = Responsibility(
        district=district,
        work_area=work_area,
        name=name.strip(),
        description=description.strip(),
        is_joint=is_joint,
        sort_order=_next_sort_order(work_area),
    )
    responsibility.full_clean()
    responsibility._history_user = acting_user
    responsibility.save()
    return responsibility


@transaction.atomic
def update_responsibility(
    *,
    responsibility: Responsibility,
    expected_version: int,
    acting_user: AbstractBaseUser | None,
    name: str,
    description: str,
    is_joint: bool,
    work_area: WorkArea,
) -> Responsibility:
    """Rename a row, change its description or declared-joint flag, or move it to
    another work area (at the end), if nobody changed it since `expected_version`.

    Raises `StaleRowError` for a stale version and `ValidationError` for invalid values;
    nothing is written then. Returns the row as stored, its history recorded as
    `acting_user`.
    """
    # Compare with the stored row: a ModelForm may already have set the new values on
    # `responsibility`.
    stored_area = (
        Responsibility.objects.filter(pk=responsibility.pk)
        .values_list("work_area_id", flat=True)
        .first()
    )
    moved = work_area.pk != stored_area
    responsibility.name = name.strip()
    responsibility.description = description.strip()
    responsibility.is_joint = is_joint
    responsibility.work_area = work_area
    if moved:
        responsibility.sort_order = _next_sort_order(work_area)
    responsibility.full_clean()
    changes = {
        "name": responsibility.name,
        "description": responsibility.description,
        "is_joint": is_joint,
        "work_area": work_area,
    }
    if moved:
        # Only when moved: a reorder does not advance versions, so the in-memory
        # position may be older than the stored one.
        changes["sort_order"] = responsibility.sort_order
    try:
        with transaction.atomic():
            claim_row(
                responsibility_id=responsibility.pk,
                expected_version=expected_version,
                **changes,
            )
    except IntegrityError as error:
        # Another editor took the name in between full_clean() and the UPDATE.
        raise ValidationError(
            {
                "name": _(
                    "A responsibility with this name already exists in the work area."
                )
            }
        ) from error
    responsibility.refresh_from_db()
    # The UPDATE sent no signal: record the change in history explicitly (R8).
    Responsibility.history.bulk_history_create(
        [responsibility], update=True, default_user=acting_user
    )
    return responsibility


@transaction.atomic
def move_responsibility(
    *,
    responsibility: Responsibility,
    direction: Literal["up", "down"],
    acting_user: AbstractBaseUser | None,
) -> bool:
    """Move a row one place up or down within its work area; False when already at the
    edge. The area's rows are renumbered 0, 1, 2... and each renumbered row's history
    records `acting_user`.
    """
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Choose up or down.")})
    siblings = list(
        Responsibility.objects.select_for_update()
        .filter(work_area_id=responsibility.work_area_id)
        .order_by("sort_order", "name", "pk")
    )
    index = next(i for i, row in enumerate(siblings) if row.pk == responsibility.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    now = timezone.now()
    renumbered = []
    for position, row in enumerate(siblings):
        if row.sort_order != position:
            row.sort_order, row.updated_at = position, now
            renumbered.append(row)
    bulk_update_with_history(
        renumbered,
        Responsibility,
        ["sort_order", "updated_at"],
        default_user=acting_user,
    )
    return True

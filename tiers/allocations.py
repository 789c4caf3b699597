"""Allocating supports: the one place of the capacity rule.

A support's allocations running on any one day never add up to more than its capacity.
`save_allocation` (pages, API, admin) checks a new or changed allocation against the
others of its support, under a lock on the support so that two allocations made at
once cannot both take the last unit; `capacity_error` also refuses lowering a
support's capacity below what is allocated (`Support`'s form, API and admin).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from district.models import SchoolGroupMember

from .assignments import schools_in_charge
from .models import Allocation, CapacityUnit, Support


def running_on(day) -> Q:
    """Allocations running on `day` (a filter on Allocation)."""
    return Q(starts_on__lte=day, ends_on__gte=day)


def peak_load(
    support: Support,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    exclude_pk: int | None = None,
) -> int:
    """The most of `support` allocated on any day from `starts_on` to `ends_on`.

    The load only rises on a day an allocation starts, so the peak is on the first day
    or on one of those days: SQL sums the allocations running on each (one query).
    """
    others = Allocation.objects.filter(support=support)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)

    def load_on(day_ref):
        return Coalesce(
            Subquery(
                others.filter(starts_on__lte=day_ref, ends_on__gte=day_ref)
                .order_by()
                .values("support_id")
                .annotate(total=Sum("amount"))
                .values("total"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    at_start = (
        others.filter(running_on(starts_on))
        .order_by()
        .aggregate(total=Coalesce(Sum("amount"), Value(0)))["total"]
    )
    later = (
        others.filter(starts_on__gt=starts_on, starts_on__lte=ends_on)
        .annotate(load=load_on(OuterRef("starts_on")))
        .order_by("-load")
        .values_list("load", flat=True)
        .first()
    )
    return max(at_start, later or 0)


def capacity_error(
    support: Support,
    *,
    amount: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    exclude_pk: int | None = None,
) -> str | None:
    """Why `amount` more of `support` from `starts_on` to `ends_on` is refused, or None."""
    load = peak_load(
        support, starts_on=starts_on, ends_on=ends_on, exclude_pk=exclude_pk
    )
    if load + amount <= support.capacity:
        return None
    unit = CapacityUnit(support.unit).label.lower()
    return _(
        "%(support)s has a capacity of %(capacity)s %(unit)s; %(load)s are already "
        "allocated between %(start)s and %(end)s, so %(amount)s more would exceed it "
        "(%(left)s left)."
    ) % {
        "support": support.name,
        "capacity": support.capacity,
        "unit": unit,
        "load": load,
        "start": starts_on.isoformat(),
        "end": ends_on.isoformat(),
        "amount": amount,
        "left": max(support.capacity - load, 0),
    }


def overcommitted_error(support: Support) -> str | None:
    """Why `support`'s (new) capacity is below what is allocated, or None."""
    if support.pk is None:
        return None
    bounds = Allocation.objects.filter(support_id=support.pk).order_by()
    first = bounds.order_by("starts_on").values_list("starts_on", flat=True).first()
    last = bounds.order_by("-ends_on").values_list("ends_on", flat=True).first()
    if first is None or last is None:
        return None
    load = peak_load(support, starts_on=first, ends_on=last)
    if load <= support.capacity:
        return None
    return _(
        "Up to %(load)s %(unit)s of this support are allocated at once; end or remove "
        "allocations before lowering its capacity below that."
    ) % {"load": load, "unit": CapacityUnit(support.unit).label.lower()}


@dataclass(frozen=True)
class Remaining:
    support: Support
    allocated: int
    left: int


def remaining_on(supports, day: datetime.date) -> list[Remaining]:
    """What each support has allocated and left on `day` (one query)."""
    allocated = (
        Allocation.objects.filter(running_on(day), support_id=OuterRef("pk"))
        .order_by()
        .values("support_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = supports.annotate(
        allocated=Coalesce(Subquery(allocated, output_field=IntegerField()), Value(0))
    )
    return [
        Remaining(support=s, allocated=s.allocated, left=s.capacity - s.allocated)
        for s in rows
    ]


@transaction.atomic
def save_allocation(*, allocation: Allocation, acting_user) -> Allocation:
    """Create or change `allocation`, refused with a message when over capacity.

    For a support counted in schools the amount is the number of schools reached: one
    school, or the school group's schools. A network chief allocates to the schools of
    their own networks only.
    """
    if allocation.support_id is None:
        raise ValidationError({"support": _("Choose a support.")})
    support = Support.objects.select_for_update().get(pk=allocation.support_id)
    allocation.support = support
    if support.unit == CapacityUnit.SCHOOLS:
        if allocation.school_group_id is not None:
            allocation.amount = (
                SchoolGroupMember.objects.filter(
                    group_id=allocation.school_group_id
                ).aggregate(n=Count("pk"))["n"]
                or 0
            )
        else:
            allocation.amount = 1
    allocation.full_clean()
    in_charge = schools_in_charge(district=support.district, user=acting_user)
    if allocation.school_id is not None:
        if not in_charge.filter(pk=allocation.school_id).exists():
            raise ValidationError(
                {"school": _("You may allocate supports to your own schools only.")}
            )
    elif (
        SchoolGroupMember.objects.filter(group_id=allocation.school_group_id)
        .exclude(school__in=in_charge)
        .exists()
    ):
        raise ValidationError(
            {
                "school_group": _(
                    "This group has schools outside your networks: allocate to your "
                    "own schools only."
                )
            }
        )
    error = capacity_error(
        support,
        amount=allocation.amount,
        starts_on=allocation.starts_on,
        ends_on=allocation.ends_on,
        exclude_pk=allocation.pk,
    )
    if error:
        raise ValidationError({"amount": error})
    if allocation.pk is None:
        allocation.allocated_by = acting_user
    allocation._history_user = acting_user
    allocation.save()
    return allocation


@transaction.atomic
def delete_allocation(*, allocation: Allocation, acting_user) -> None:
    """End an allocation by removing it (its history stays)."""
    if (
        not schools_in_charge(district=allocation.district, user=acting_user)
        .filter(
            Q(pk=allocation.school_id)
            | Q(group_memberships__group_id=allocation.school_group_id)
        )
        .exists()
    ):
        raise ValidationError(
            _("You may remove the allocations of your own schools only.")
        )
    allocation._history_user = acting_user
    allocation.delete()

"""The network chief's page: their schools by tier, each school's principal and the
supports it receives, and what each support has left to allocate.

A fixed number of queries whatever the number of schools.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from district.models import (
    Network,
    Principal,
    School,
    SchoolGroupMember,
    principals_on,
)
from goals.models import school_year_end

from .allocations import Remaining, remaining_on
from .models import Allocation, Support, Tier, TierAssignment


def school_year_bounds(school_year: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a school year (1 July to 30 June)."""
    end = school_year_end(school_year)
    return datetime.date(end.year - 1, 7, 1), end


def allocations_of(
    schools: QuerySet[School], *, starts_on: datetime.date, ends_on: datetime.date
) -> dict[int, list[Allocation]]:
    """The allocations reaching each school (directly or through a school group)
    that run at some time between `starts_on` and `ends_on` (two queries)."""
    members: dict[int, list[int]] = {}
    for group_id, school_id in SchoolGroupMember.objects.filter(
        school__in=schools
    ).values_list("group_id", "school_id"):
        members.setdefault(group_id, []).append(school_id)
    allocations = (
        Allocation.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
        .filter(Q(school__in=schools) | Q(school_group_id__in=list(members)))
        .select_related("support", "school_group")
        .order_by("support__name", "starts_on", "pk")
    )
    reached: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        ids = (
            [allocation.school_id]
            if allocation.school_id is not None
            else members.get(allocation.school_group_id or 0, [])
        )
        for school_id in ids:
            reached.setdefault(school_id, []).append(allocation)
    return reached


@dataclass(frozen=True)
class SchoolSupport:
    """A school of the network: its principal, its tier and the supports it gets."""

    school: School
    principal: Principal | None
    assignment: TierAssignment | None
    allocations: tuple[Allocation, ...]


@dataclass(frozen=True)
class TierGroup:
    """The network's schools of one tier (tier None: not placed this year)."""

    tier: Tier | None
    schools: tuple[SchoolSupport, ...]


@dataclass(frozen=True)
class NetworkSupport:
    network: Network
    school_year: str
    day: datetime.date
    groups: tuple[TierGroup, ...]
    remaining: tuple[Remaining, ...]


def build_network_support(
    *,
    network: Network,
    school_year: str,
    day: datetime.date,
    tier: Tier | None = None,
) -> NetworkSupport:
    """`network`'s schools grouped by their current tier in `school_year`, the tier
    of most support first.

    Principals as of `day`; allocations running during the school year; what each
    support of the district has left on `day`. With `tier`, that tier's schools only.
    """
    schools = School.objects.filter(district_id=network.district_id, network=network)
    assignments = {
        a.school_id: a
        for a in TierAssignment.objects.filter(
            school__in=schools, school_year=school_year, is_current=True
        ).select_related("tier", "rule")
    }
    principals = principals_on(schools, day)
    first, last = school_year_bounds(school_year)
    reached = allocations_of(schools, starts_on=first, ends_on=last)
    tiers = list(Tier.objects.filter(district_id=network.district_id))
    rows: dict[int | None, list[SchoolSupport]] = {}
    for school in schools.order_by("name", "pk"):
        assignment = assignments.get(school.pk)
        tier_id = assignment.tier_id if assignment is not None else None
        if tier is not None and tier_id != tier.pk:
            continue
        rows.setdefault(tier_id, []).append(
            SchoolSupport(
                school=school,
                principal=principals.get(school.pk),
                assignment=assignment,
                allocations=tuple(reached.get(school.pk, ())),
            )
        )
    # The schools needing the most support first.
    groups = [
        TierGroup(tier=t, schools=tuple(rows[t.pk]))
        for t in sorted(tiers, key=lambda t: -t.level)
        if t.pk in rows
    ]
    if None in rows:
        groups.append(TierGroup(tier=None, schools=tuple(rows[None])))
    remaining = remaining_on(
        Support.objects.filter(district_id=network.district_id), day
    )
    return NetworkSupport(
        network=network,
        school_year=school_year,
        day=day,
        groups=tuple(groups),
        remaining=tuple(remaining),
    )

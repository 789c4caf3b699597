"""Allocations of supports against their capacity, on every write path."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    AllocationFactory,
    SchoolFactory,
    SchoolGroupFactory,
    SchoolGroupMemberFactory,
    SupportFactory,
)
from tiers.allocations import peak_load, save_allocation
from tiers.models import Allocation, CapacityUnit

D = datetime.date


def new(support, school, start, end, **kwargs):
    return Allocation(
        district=support.district,
        support=support,
        school=school,
        starts_on=start,
        ends_on=end,
        reason="Tier 3",
        **kwargs,
    )


@pytest.fixture
def coach(district):
    return SupportFactory(district=district, name="Literacy coach", capacity=2)


def test_allocations_up_to_capacity_are_saved_then_refused_with_a_message(
    district, coach, editor
):
    a, b, c = (SchoolFactory(district=district) for _ in range(3))
    for school in (a, b):
        save_allocation(
            allocation=new(coach, school, D(2017, 9, 1), D(2018, 6, 15)),
            acting_user=editor,
        )

    with pytest.raises(ValidationError) as refused:
        save_allocation(
            allocation=new(coach, c, D(2018, 1, 8), D(2018, 3, 1)), acting_user=editor
        )

    assert (
        "Literacy coach has a capacity of 2 schools; 2 are already allocated between "
        "2018-01-08 and 2018-03-01, so 1 more would exceed it (0 left)."
    ) in refused.value.messages
    assert Allocation.objects.count() == 2


def test_periods_that_do_not_overlap_share_the_capacity(district, coach, editor):
    schools = [SchoolFactory(district=district) for _ in range(4)]
    # Autumn: two schools; spring: two others. Never more than 2 at once.
    save_allocation(
        allocation=new(coach, schools[0], D(2017, 9, 1), D(2017, 12, 20)),
        acting_user=editor,
    )
    save_allocation(
        allocation=new(coach, schools[1], D(2017, 9, 1), D(2017, 12, 20)),
        acting_user=editor,
    )
    save_allocation(
        allocation=new(coach, schools[2], D(2018, 1, 8), D(2018, 6, 15)),
        acting_user=editor,
    )
    save_allocation(
        allocation=new(coach, schools[3], D(2018, 1, 8), D(2018, 6, 15)),
        acting_user=editor,
    )

    assert peak_load(coach, starts_on=D(2017, 9, 1), ends_on=D(2018, 6, 15)) == 2
    # The year-long one overlaps both halves: refused.
    with pytest.raises(ValidationError):
        save_allocation(
            allocation=new(coach, schools[0], D(2017, 12, 1), D(2018, 2, 1)),
            acting_user=editor,
        )


def test_the_peak_counts_allocations_that_start_inside_the_period(district, editor):
    support = SupportFactory(district=district, capacity=1)
    save_allocation(
        allocation=new(
            support, SchoolFactory(district=district), D(2018, 3, 1), D(2018, 3, 31)
        ),
        acting_user=editor,
    )

    # Starts before the other begins and ends after it: overlaps on its later days.
    with pytest.raises(ValidationError):
        save_allocation(
            allocation=new(
                support, SchoolFactory(district=district), D(2018, 1, 1), D(2018, 6, 1)
            ),
            acting_user=editor,
        )


def test_a_group_allocation_takes_one_unit_per_school_of_the_group(
    district, coach, editor
):
    group = SchoolGroupFactory(district=district)
    for _ in range(3):
        SchoolGroupMemberFactory(district=district, group=group)
    allocation = Allocation(
        district=district,
        support=coach,
        school_group=group,
        starts_on=D(2017, 9, 1),
        ends_on=D(2018, 6, 15),
        reason="Cohort",
    )

    with pytest.raises(ValidationError, match="3 more would exceed"):
        save_allocation(allocation=allocation, acting_user=editor)


def test_hours_are_allocated_as_asked(district, editor):
    hours = SupportFactory(
        district=district, unit=CapacityUnit.HOURS_PER_WEEK, capacity=10
    )
    school = SchoolFactory(district=district)

    saved = save_allocation(
        allocation=new(hours, school, D(2017, 9, 1), D(2018, 6, 1), amount=6),
        acting_user=editor,
    )
    with pytest.raises(ValidationError, match="4 left"):
        save_allocation(
            allocation=new(hours, school, D(2017, 9, 1), D(2018, 6, 1), amount=5),
            acting_user=editor,
        )
    assert saved.amount == 6
    assert saved.allocated_by == editor


def test_changing_an_allocation_counts_it_once(district, coach, editor):
    allocation = AllocationFactory(district=district, support=coach)
    AllocationFactory(district=district, support=coach)

    allocation.ends_on = D(2018, 6, 29)
    save_allocation(allocation=allocation, acting_user=editor)

    allocation.refresh_from_db()
    assert allocation.ends_on == D(2018, 6, 29)


def test_lowering_capacity_below_what_is_allocated_is_refused(district, coach):
    AllocationFactory(district=district, support=coach)
    AllocationFactory(district=district, support=coach)

    coach.capacity = 1
    with pytest.raises(ValidationError, match="Up to 2 schools"):
        coach.full_clean()


def test_an_allocation_without_reason_or_with_reversed_dates_is_refused(
    district, coach, editor
):
    school = SchoolFactory(district=district)
    bad = new(coach, school, D(2018, 6, 1), D(2018, 1, 1))
    bad.reason = ""

    with pytest.raises(ValidationError) as refused:
        save_allocation(allocation=bad, acting_user=editor)

    errors = refused.value.message_dict
    assert "An allocation cannot end before it starts." in errors["__all__"]
    assert errors["reason"] == ["This field cannot be blank."]
    assert not Allocation.objects.exists()


def test_the_api_refuses_an_over_allocation_with_400(
    district, coach, editor, api_client_for
):
    AllocationFactory(district=district, support=coach)
    AllocationFactory(district=district, support=coach)
    school = SchoolFactory(district=district)

    response = api_client_for(editor).post(
        "/api/v1/allocations/",
        {
            "district": district.slug,
            "support": coach.pk,
            "school": school.pk,
            "starts_on": "2017-10-01",
            "ends_on": "2017-11-01",
            "reason": "Tier 3",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "capacity of 2 schools" in str(response.json())
    assert Allocation.objects.count() == 2


def test_the_api_allocates_within_capacity_and_records_who(
    district, coach, editor, api_client_for
):
    school = SchoolFactory(district=district)

    response = api_client_for(editor).post(
        "/api/v1/allocations/",
        {
            "district": district.slug,
            "support": coach.pk,
            "school": school.pk,
            "starts_on": "2017-10-01",
            "ends_on": "2017-11-01",
            "reason": "Tier 3",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["allocated_by"] == "editor"
    assert Allocation.objects.get().history.get().history_user == editor


def test_the_admin_refuses_an_over_allocation(district, coach, client_for, superuser):
    AllocationFactory(district=district, support=coach)
    AllocationFactory(district=district, support=coach)
    school = SchoolFactory(district=district)

    response = client_for(superuser).post(
        "/admin/tiers/allocation/add/",
        {
            "district": district.pk,
            "support": coach.pk,
            "school": school.pk,
            "amount": 1,
            "starts_on": "2017-10-01",
            "ends_on": "2017-11-01",
            "reason": "Tier 3",
        },
        follow=True,
    )

    assert "capacity of 2 schools" in response.content.decode()
    assert Allocation.objects.count() == 2

"""Action items: carry-over between meetings, owners by role over time, My updates."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from district.due import due_items
from routines.action_items import (
    action_item_due_items,
    add_action_item,
    carried_over,
    raised_in,
    with_owners,
)
from tests.factories import (
    ActionItemFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    MembershipFactory,
    PersonFactory,
    RoleAssignmentFactory,
    RoleFactory,
    UserFactory,
)


def at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T15:00:00+00:00")


def test_open_items_carry_over_to_every_later_meeting_until_done(district):
    series = MeetingSeriesFactory(district=district)
    january = MeetingFactory(
        district=district, series=series, starts_at=at("2017-01-09")
    )
    february = MeetingFactory(
        district=district, series=series, starts_at=at("2017-02-06")
    )
    march = MeetingFactory(district=district, series=series, starts_at=at("2017-03-06"))
    still_open = ActionItemFactory(
        district=district, series=series, raised_in=january, title="Still open"
    )
    done_in_february = ActionItemFactory(
        district=district,
        series=series,
        raised_in=january,
        title="Done after February's meeting",
        done_on=datetime.date(2017, 2, 20),
    )
    from_february = ActionItemFactory(
        district=district, series=series, raised_in=february, title="From February"
    )
    other_series = ActionItemFactory(
        district=district,
        series=MeetingSeriesFactory(district=district),
        title="Another series",
    )

    assert set(carried_over(january)) == set()
    assert set(raised_in(january)) == {still_open, done_in_february}
    assert set(carried_over(february)) == {still_open, done_in_february}
    assert set(raised_in(february)) == {from_february}
    assert set(carried_over(march)) == {still_open, from_february}
    assert other_series not in carried_over(march)


def test_a_role_owned_item_is_owed_by_whoever_holds_the_role_on_its_due_date(
    district,
):
    cso = RoleFactory(district=district, code="CSO")
    leaving, arriving = UserFactory(), UserFactory()
    for user in (leaving, arriving):
        MembershipFactory(district=district, user=user)
    before = PersonFactory(district=district, name="Before", user=leaving)
    after = PersonFactory(district=district, name="After", user=arriving)
    RoleAssignmentFactory(
        district=district,
        role=cso,
        person=before,
        started_on=datetime.date(2015, 7, 1),
        ended_on=datetime.date(2017, 1, 31),
    )
    RoleAssignmentFactory(
        district=district,
        role=cso,
        person=after,
        started_on=datetime.date(2017, 2, 1),
    )
    early = ActionItemFactory(
        district=district,
        owner_person=None,
        owner_role=cso,
        due_on=datetime.date(2017, 1, 15),
    )
    late = ActionItemFactory(
        district=district,
        owner_person=None,
        owner_role=cso,
        due_on=datetime.date(2017, 3, 1),
    )

    owners = {owned.item: owned.owner for owned in with_owners([early, late])}
    assert owners == {early: before, late: after}
    assert with_owners([late])[0].owner_label == "CSO (After)"

    items = due_items(
        district_id=district.pk,
        today=datetime.date(2017, 3, 2),
        owner_ids=[arriving.pk],
    )
    mine = [item for item in items if item.kind == "action_item"]
    assert [(item.key, item.state(datetime.date(2017, 3, 2))) for item in mine] == [
        (f"action_item:{late.pk}", "overdue")
    ]


def test_done_items_and_owners_without_an_account_are_not_owed(district):
    user = UserFactory()
    MembershipFactory(district=district, user=user)
    person = PersonFactory(district=district, user=user)
    ActionItemFactory(
        district=district, owner_person=person, done_on=datetime.date(2017, 1, 1)
    )
    ActionItemFactory(district=district, owner_person=PersonFactory(district=district))
    open_item = ActionItemFactory(district=district, owner_person=person)

    items = action_item_due_items(
        district_id=district.pk, today=datetime.date(2017, 1, 2), owner_ids=None
    )

    assert [item.key for item in items] == [f"action_item:{open_item.pk}"]
    assert items[0].url == open_item.series.get_absolute_url()


def test_an_item_needs_exactly_one_owner_and_its_own_series_meeting(district):
    series = MeetingSeriesFactory(district=district)
    other_meeting = MeetingFactory(district=district)
    person = PersonFactory(district=district)
    role = RoleFactory(district=district)
    common = {
        "district": district,
        "series": series,
        "title": "Call the principal",
        "due_on": datetime.date(2017, 3, 1),
    }
    with pytest.raises(ValidationError, match="a person or by a role"):
        add_action_item(
            acting_user=None, **common, owner_person=person, owner_role=role
        )
    with pytest.raises(ValidationError, match="a person or by a role"):
        add_action_item(acting_user=None, **common)
    with pytest.raises(ValidationError, match="one of the item's series"):
        add_action_item(
            acting_user=None, **common, owner_person=person, raised_in=other_meeting
        )
    item = add_action_item(acting_user=None, **common, owner_role=role)
    assert item.history.count() == 1

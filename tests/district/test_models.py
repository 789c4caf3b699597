"""District, Person, Network, School and Membership: database rules, guards, history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from simple_history.models import HistoricalRecords

from district.models import (
    NOT_A_MEMBER,
    AccessLevel,
    District,
    Membership,
    Network,
    Person,
    School,
)

from ..constraints import assert_refused, clean_messages
from ..factories import (
    DistrictFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_district_refuses_an_overload_ratio_of_one_or_less():
    district = District(name="Flat", slug="flat", overload_ratio=Decimal("1.00"))
    assert_refused(district, "overload_ratio_above_one")


def test_district_slug_is_unique():
    DistrictFactory(slug="lakeside")
    assert "District with this Slug already exists." in clean_messages(
        District(name="Other", slug="lakeside")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        District.objects.create(name="Other", slug="lakeside")


def test_person_links_a_user_once_per_district(district):
    user = MembershipFactory(district=district).user
    PersonFactory(district=district, user=user)
    assert_refused(Person(district=district, name="Twin", user=user), "one_per_user")


def test_a_person_links_only_a_member_of_its_district(district, other_district):
    outsider = MembershipFactory(district=other_district).user
    unaffiliated = UserFactory()

    for user in (outsider, unaffiliated):
        with pytest.raises(ValidationError) as refused:
            Person(district=district, name="Linked", user=user).full_clean()
        assert refused.value.message_dict == {"user": [str(NOT_A_MEMBER)]}


def test_a_person_whose_user_left_the_district_can_still_be_edited(district):
    membership = MembershipFactory(district=district)
    person = PersonFactory(district=district, user=membership.user)
    membership.delete()

    person.title = "Retired"
    person.full_clean()


def test_people_without_a_user_are_not_duplicates(district):
    PersonFactory(district=district, user=None)
    second = Person(district=district, name="Also unlinked")
    second.full_clean()
    second.save()


def test_one_user_may_be_a_person_in_two_districts(district, other_district):
    user = MembershipFactory(district=district).user
    MembershipFactory(district=other_district, user=user)
    PersonFactory(district=district, user=user)
    Person(district=other_district, name="Same user", user=user).full_clean()


def test_network_names_are_unique_per_district(district, other_district):
    NetworkFactory(district=district, name="Network 1")
    assert_refused(Network(district=district, name="Network 1"), "unique_name")
    Network(district=other_district, name="Network 1").full_clean()


def test_school_ids_are_unique_per_district(district, other_district):
    SchoolFactory(district=district, school_id="609966")
    duplicate = School(district=district, school_id="609966", name="Twin")
    assert_refused(duplicate, "unique_school_id")
    School(district=other_district, school_id="609966", name="Elsewhere").full_clean()


def test_school_category_must_be_a_known_one(district):
    school = School(district=district, school_id="1", name="Odd", category="XX")
    assert_refused(school, "category_valid", by_full_clean=False)


def test_a_user_is_a_member_of_a_district_once(district):
    membership = MembershipFactory(district=district)
    duplicate = Membership(
        district=district, user=membership.user, access_level=AccessLevel.EDITOR
    )
    assert_refused(duplicate, "one_per_user")


def test_membership_access_level_must_be_a_known_one(district):
    membership = Membership(district=district, user=UserFactory(), access_level="root")
    assert_refused(membership, "access_level_valid", by_full_clean=False)


def test_version_grows_by_one_on_each_save(district):
    school = SchoolFactory(district=district)
    assert school.version == 1
    school.name = "Renamed"
    school.save()
    school.enrollment = 600
    school.save(update_fields=["enrollment"])
    school.refresh_from_db()
    assert school.version == 3
    assert school.enrollment == 600


def test_saving_with_update_fields_also_stores_the_new_version(district):
    network = NetworkFactory(district=district)
    network.name = "North"
    network.save(update_fields=["name"])
    assert Network.objects.get(pk=network.pk).version == 2


def test_history_records_the_user_set_on_the_instance(district):
    editor = UserFactory()
    school = SchoolFactory(district=district)
    school.name = "Renamed"
    school._history_user = editor
    school.save()
    latest = school.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == editor
    assert latest.name == "Renamed"
    assert latest.version == 2


def test_history_records_the_user_of_the_current_request(district, rf):
    editor = UserFactory()
    request = rf.post("/")
    request.user = editor
    HistoricalRecords.context.request = request
    try:
        person = PersonFactory(district=district, name="Ada")
    finally:
        del HistoricalRecords.context.request
    created = person.history.get()
    assert created.history_type == "+"
    assert created.history_user == editor


def test_deleting_a_district_keeps_its_history(district):
    SchoolFactory(district=district)
    district_pk = district.pk
    district.delete()
    assert District.history.filter(id=district_pk, history_type="-").exists()
    assert School.history.filter(district_id=district_pk, history_type="-").exists()

"""Principals of a school over time: acting or not, never two appointed at once."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from district.models import Principal, principal_on
from tests.factories import PersonFactory, PrincipalFactory, SchoolFactory

D = datetime.date


@pytest.fixture
def school(district):
    return SchoolFactory(district=district)


def term(school, start, end=None, *, is_acting=False, name="Head"):
    return Principal(
        district=school.district,
        school=school,
        person=PersonFactory(district=school.district, name=name),
        starts_on=start,
        ends_on=end,
        is_acting=is_acting,
    )


def test_two_appointed_terms_of_a_school_may_not_overlap(school):
    PrincipalFactory(
        district=school.district, school=school, starts_on=D(2014, 7, 1), ends_on=None
    )

    with pytest.raises(ValidationError, match="two appointed terms cannot overlap"):
        term(school, D(2017, 7, 1)).full_clean()


def test_an_acting_principal_may_stand_in_beside_an_appointed_one(school):
    PrincipalFactory(district=school.district, school=school, starts_on=D(2014, 7, 1))

    term(school, D(2017, 1, 9), D(2017, 3, 31), is_acting=True).full_clean()


def test_terms_that_follow_each_other_are_fine(school):
    PrincipalFactory(
        district=school.district,
        school=school,
        starts_on=D(2012, 7, 1),
        ends_on=D(2017, 6, 30),
    )

    term(school, D(2017, 7, 1)).full_clean()


def test_a_term_cannot_end_before_it_starts(school):
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        term(school, D(2017, 7, 1), D(2017, 6, 30)).full_clean()


def test_the_principal_on_a_date(school):
    old = PrincipalFactory(
        district=school.district,
        school=school,
        starts_on=D(2012, 7, 1),
        ends_on=D(2017, 6, 30),
    )
    new = PrincipalFactory(
        district=school.district, school=school, starts_on=D(2017, 7, 1)
    )
    running = Principal.objects.filter(school=school)

    assert list(running.filter(principal_on(D(2016, 1, 1)))) == [old]
    assert list(running.filter(principal_on(D(2017, 7, 1)))) == [new]
    assert not running.filter(principal_on(D(2010, 1, 1))).exists()


def test_the_api_refuses_an_overlapping_term_with_400(school, api_client_for, editor):
    first = PrincipalFactory(
        district=school.district, school=school, starts_on=D(2014, 7, 1)
    )

    response = api_client_for(editor).post(
        "/api/v1/principals/",
        {
            "district": school.district.slug,
            "school": school.pk,
            "person": first.person_id,
            "starts_on": "2016-07-01",
            "is_acting": False,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "starts_on" in response.json()
    assert Principal.objects.count() == 1


def test_the_network_scorecard_names_each_schools_principal(school, client_for, viewer):
    PrincipalFactory(
        district=school.district,
        school=school,
        person=PersonFactory(district=school.district, name="Ada Acting"),
        starts_on=D(2017, 7, 1),
        is_acting=True,
    )

    page = client_for(viewer).get(
        f"/districts/{school.district.slug}/networks/{school.network_id}/?year=2017-18"
    )

    assert "Principal Ada Acting (acting)" in page.content.decode()

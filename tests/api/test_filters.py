"""Filters, search, ordering and pagination of API lists; bad query parameters are 400."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goals.models import Measurement, Scope
from tests.factories import (
    GoalOwnerFactory,
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    OwnershipFactory,
    ResponsibilityFactory,
    RoleFactory,
    SchoolFactory,
    WorkAreaFactory,
)


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_schools_filter_by_district_slug_and_network(
    api_client_for, superuser, district, other_district
):
    network = NetworkFactory(district=district)
    inside = SchoolFactory(district=district, network=network)
    SchoolFactory(district=district)
    SchoolFactory(district=other_district)
    client = api_client_for(superuser)

    assert len(results(client.get("/api/v1/schools/?district=lakeside"))) == 2
    in_network = results(client.get(f"/api/v1/schools/?network={network.pk}"))
    assert [row["id"] for row in in_network] == [inside.pk]


def test_ownerships_filter_by_role_and_work_area(api_client_for, viewer, district):
    role = RoleFactory(district=district)
    work_area = WorkAreaFactory(district=district)
    wanted = OwnershipFactory(
        district=district,
        role=role,
        responsibility=ResponsibilityFactory(district=district, work_area=work_area),
    )
    OwnershipFactory(district=district, role=role)
    OwnershipFactory(district=district)
    client = api_client_for(viewer)

    assert len(results(client.get(f"/api/v1/ownerships/?role={role.pk}"))) == 2
    by_area = results(client.get(f"/api/v1/ownerships/?work_area={work_area.pk}"))
    assert [row["id"] for row in by_area] == [wanted.pk]


def test_goals_filter_by_owner_role_without_repeating_rows(
    api_client_for, viewer, district
):
    owner = GoalOwnerFactory(district=district)
    GoalOwnerFactory(district=district, goal=owner.goal)

    rows = results(api_client_for(viewer).get(f"/api/v1/goals/?role={owner.role_id}"))

    assert [row["id"] for row in rows] == [owner.goal_id]
    assert len(rows[0]["owner_roles"]) == 2


def test_measurements_filter_by_metric_school_and_period_range(
    api_client_for, viewer, district
):
    metric = MetricFactory(district=district, code="attendance")
    school = SchoolFactory(district=district)
    for year in (2015, 2016, 2017, 2018):
        MeasurementFactory(
            district=district,
            metric=metric,
            school=school,
            period_end=datetime.date(year, 6, 30),
        )
    MeasurementFactory(district=district)
    client = api_client_for(viewer)

    rows = results(
        client.get(
            "/api/v1/measurements/?metric_code=attendance"
            "&period_end__gte=2016-01-01&period_end__lte=2017-12-31"
        )
    )
    assert [row["period_end"] for row in rows] == ["2016-06-30", "2017-06-30"]
    assert len(results(client.get(f"/api/v1/measurements/?school={school.pk}"))) == 4
    assert len(results(client.get(f"/api/v1/measurements/?metric={metric.pk}"))) == 4


def test_updated_since_returns_rows_changed_since(api_client_for, viewer, district):
    old = RoleFactory(district=district)
    new = RoleFactory(district=district)
    Role = type(old)
    Role.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    rows = results(
        api_client_for(viewer).get("/api/v1/roles/", {"updated_since": since})
    )

    assert [row["id"] for row in rows] == [new.pk]


def test_updated_since_accepts_any_valid_offset(api_client_for, viewer, district):
    RoleFactory(district=district)

    response = api_client_for(viewer).get(
        "/api/v1/roles/", {"updated_since": "2001-06-27T03:08:23+19:06"}
    )

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_search_and_ordering(api_client_for, viewer, district):
    RoleFactory(district=district, code="CTO", title="Chief Technology Officer")
    RoleFactory(district=district, code="CAO", title="Chief Academic Officer")
    RoleFactory(district=district, code="CSO", title="Chief Schools Officer")
    client = api_client_for(viewer)

    found = results(client.get("/api/v1/roles/?search=academic"))
    assert [row["code"] for row in found] == ["CAO"]
    ordered = results(client.get("/api/v1/roles/?ordering=-code"))
    assert [row["code"] for row in ordered] == ["CTO", "CSO", "CAO"]


def test_filter_by_another_districts_object_is_400(
    api_client_for, viewer, district, other_district
):
    network = NetworkFactory(district=other_district)

    response = api_client_for(viewer).get(f"/api/v1/schools/?network={network.pk}")

    assert response.status_code == 400
    assert "network" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "search=a%00b",
        "ordering=na%00me",
        "district=lake%00side",
        "network=1%00",
        "x%00y=1",
        "network=99999999999999999999999999",
        "network=-1",
        "network=1.5",
        "updated_since=not-a-date",
        "updated_since=99999-01-01T00:00:00",
        "updated_since=0001-01-01T00:00:00%2B05:00",
        "category=XX",
    ],
)
def test_bad_query_parameters_are_400(api_client_for, viewer, district, query):
    response = api_client_for(viewer).get(f"/api/v1/schools/?{query}")

    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "query",
    [
        "period_end__gte=2016-13-45",
        "metric=99999999999999999999999",
        "cursor=%00",
        "cursor=cD0xJnI9eA",  # p=1&r=x
        "cursor=cD1hYmM",  # p=abc
        "cursor=cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # p=999...
        "limit=abc",
    ],
)
def test_bad_measurement_query_parameters_are_400(
    api_client_for, viewer, district, query
):
    response = api_client_for(viewer).get(f"/api/v1/measurements/?{query}")

    assert response.status_code in (200, 400), response.content
    if "limit" not in query:
        assert response.status_code == 400


def test_huge_offset_and_limit_are_answered(api_client_for, viewer, district):
    RoleFactory(district=district)
    client = api_client_for(viewer)

    far = client.get("/api/v1/roles/?offset=99999999999999999999999")
    big = client.get("/api/v1/roles/?limit=99999999999999999999999")

    assert far.status_code == 200
    assert far.json()["results"] == []
    assert big.status_code == 200
    assert len(big.json()["results"]) == 1


def test_small_lists_have_a_count_and_a_maximum_page_size(
    api_client_for, viewer, district
):
    for _ in range(3):
        RoleFactory(district=district)

    page = api_client_for(viewer).get("/api/v1/roles/?limit=2").json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert "offset=2" in page["next"]


def test_measurements_page_by_cursor_without_counting(api_client_for, viewer, district):
    metric = MetricFactory(district=district)
    school = SchoolFactory(district=district)
    Measurement.objects.bulk_create(
        Measurement(
            district=district,
            metric=metric,
            scope=Scope.SCHOOL,
            school=school,
            period_end=datetime.date(2000 + i, 6, 30),
            value=Decimal(i),
        )
        for i in range(25)
    )
    client = api_client_for(viewer)
    seen = []
    url = "/api/v1/measurements/?limit=10"

    with CaptureQueriesContext(connection) as queries:
        while url:
            page = client.get(url).json()
            assert "count" not in page
            seen += [row["id"] for row in page["results"]]
            url = page["next"]

    assert seen == sorted(Measurement.objects.values_list("id", flat=True))
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]

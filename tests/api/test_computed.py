"""Computed endpoints: the matrix, a metric's status and rollups, the dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Scope
from roles.matrix import build_matrix
from roles.models import RaciLevel
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


@pytest.fixture
def matrix_rows(district):
    """A gap, a distinct row and a conflict."""
    cao, cso = (
        RoleFactory(district=district, code="CAO"),
        RoleFactory(district=district, code="CSO"),
    )
    area = WorkAreaFactory(district=district, name="Curriculum")
    gap = ResponsibilityFactory(district=district, work_area=area, name="Gap row")
    distinct = ResponsibilityFactory(district=district, work_area=area, name="Mine")
    OwnershipFactory(district=district, responsibility=distinct, role=cao)
    OwnershipFactory(
        district=district,
        responsibility=distinct,
        role=cso,
        level=RaciLevel.RESPONSIBLE,
    )
    conflict = ResponsibilityFactory(district=district, work_area=area, name="Both")
    for role in (cao, cso):
        OwnershipFactory(district=district, responsibility=conflict, role=role)
    return {"gap": gap, "distinct": distinct, "conflict": conflict, "cao": cao}


def test_matrix_answers_the_whole_matrix_as_build_matrix_computes_it(
    api_client_for, viewer, district, matrix_rows
):
    response = api_client_for(viewer).get(f"/api/v1/districts/{district.slug}/matrix/")

    assert response.status_code == 200, response.content
    data = response.json()
    expected = build_matrix(district)
    assert [role["code"] for role in data["roles"]] == ["CAO", "CSO"]
    rows = {row["name"]: row for area in data["work_areas"] for row in area["rows"]}
    assert {name: row["classification"] for name, row in rows.items()} == {
        row.name: row.health.classification.value for row in expected.rows()
    }
    assert rows["Gap row"]["classification"] == "gap"
    assert rows["Both"]["classification"] == "conflict"
    assert {"role": matrix_rows["cao"].pk, "level": "A"} in rows["Mine"]["cells"]
    assert data["summary"]["gaps"] == 1
    assert data["summary"]["conflicts"] == 1
    assert data["as_of"] is None


def test_matrix_filters_rows_but_counts_the_summary_over_all(
    api_client_for, viewer, district, matrix_rows
):
    response = api_client_for(viewer).get(
        f"/api/v1/districts/{district.slug}/matrix/?classification=gap"
    )

    rows = [row for area in response.json()["work_areas"] for row in area["rows"]]
    assert [row["name"] for row in rows] == ["Gap row"]
    assert response.json()["summary"]["rows"] == 3


def test_matrix_as_of_a_past_day(api_client_for, viewer, district, matrix_rows):
    response = api_client_for(viewer).get(
        f"/api/v1/districts/{district.slug}/matrix/?as_of=2000-01-01"
    )

    assert response.status_code == 200
    assert response.json()["work_areas"] == []


@pytest.mark.parametrize(
    "query",
    ["as_of=2999-01-01", "as_of=nope", "level=A", "role=0", "role=9" * 30, "level=X"],
)
def test_matrix_refuses_bad_parameters(api_client_for, viewer, district, query):
    response = api_client_for(viewer).get(
        f"/api/v1/districts/{district.slug}/matrix/?{query}"
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("persona", "status"), [(None, 401), ("outsider", 404), ("viewer", 200)]
)
def test_matrix_access(request, api_client_for, district, persona, status):
    user = None if persona is None else request.getfixturevalue(persona)

    response = api_client_for(user).get(f"/api/v1/districts/{district.slug}/matrix/")

    assert response.status_code == status


def test_matrix_query_count_does_not_grow_with_rows(api_client_for, viewer, district):
    client = api_client_for(viewer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(f"/api/v1/districts/{district.slug}/matrix/").status_code
                == 200
            )
        return len(queries)

    for _ in range(2):
        OwnershipFactory(district=district)
    small = count()
    for _ in range(18):
        OwnershipFactory(district=district)
    assert count() == small


@pytest.fixture
def metric_values(district):
    """A metric with school values in two networks, one school value with a small n."""
    metric = MetricFactory(district=district, code="attendance", min_n=10)
    north, south = (
        NetworkFactory(district=district, name="North"),
        NetworkFactory(district=district, name="South"),
    )
    for network, values in ((north, ("90", "92")), (south, ("80", "82"))):
        for value in values:
            MeasurementFactory(
                district=district,
                metric=metric,
                school=SchoolFactory(district=district, network=network),
                period_end=datetime.date(2016, 6, 30),
                value=Decimal(value),
                n=100,
            )
    MeasurementFactory(
        district=district,
        metric=metric,
        scope=Scope.NETWORK,
        school=None,
        network=south,
        period_end=datetime.date(2017, 6, 30),
        value=Decimal("70"),
        n=5,
    )
    return metric


def test_metric_status_rolls_up_by_network_and_district(
    api_client_for, editor, district, metric_values
):
    response = api_client_for(editor).get(
        f"/api/v1/metrics/{metric_values.pk}/status/?school_year=2016-17"
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["as_of"] == "2017-06-30"
    assert data["district"]["value"] == "86.0000"
    assert data["district"]["schools_reporting"] == 4
    networks = {row["network"]["display"]: row for row in data["networks"]}
    assert networks["North"]["value"] == "91.0000"
    assert networks["South"]["value"] == "70.0000"
    assert networks["South"]["is_entered"] is True
    assert networks["North"]["status"] in {"on_track", "at_risk", "off_track", "stale"}


def test_metric_status_suppresses_small_n_for_viewers(
    api_client_for, viewer, district, metric_values
):
    response = api_client_for(viewer).get(
        f"/api/v1/metrics/{metric_values.pk}/status/?as_of=2017-06-30"
    )

    south = next(
        row
        for row in response.json()["networks"]
        if row["network"]["display"] == "South"
    )
    assert south["value"] is None
    assert south["is_suppressed"] is True


@pytest.mark.parametrize(
    "query", ["as_of=2017-06-30&school_year=2016-17", "school_year=2016-18", "as_of=x"]
)
def test_metric_status_refuses_bad_periods(
    api_client_for, viewer, district, metric_values, query
):
    response = api_client_for(viewer).get(
        f"/api/v1/metrics/{metric_values.pk}/status/?{query}"
    )

    assert response.status_code == 400


def test_metric_status_of_another_district_is_404(
    api_client_for, outsider, district, metric_values
):
    response = api_client_for(outsider).get(
        f"/api/v1/metrics/{metric_values.pk}/status/"
    )

    assert response.status_code == 404


def test_dashboard_counts_statuses_of_the_districts_goals(
    api_client_for, viewer, district, metric_values
):
    GoalOwnerFactory(district=district, goal=metric_values.goal)

    response = api_client_for(viewer).get(
        f"/api/v1/districts/{district.slug}/dashboard/?school_year=2016-17"
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["scope"] == "District"
    assert [goal["goal"]["id"] for goal in data["goals"]] == [metric_values.goal_id]
    card = data["goals"][0]["metrics"][0]
    assert card["code"] == "attendance"
    assert card["value"] == "86.0000"
    assert sum(data["counts"].values()) == 1
    assert data["counts"][card["status"]] == 1


def test_dashboard_for_one_network(api_client_for, viewer, district, metric_values):
    north = metric_values.measurements.filter(school__network__name="North").first()
    network_id = north.school.network_id

    response = api_client_for(viewer).get(
        f"/api/v1/districts/{district.slug}/dashboard/"
        f"?school_year=2016-17&network={network_id}"
    )

    assert response.json()["scope"] == "North"
    assert response.json()["goals"][0]["metrics"][0]["value"] == "91.0000"


def test_dashboard_refuses_another_districts_network(
    api_client_for, viewer, district, other_district
):
    network = NetworkFactory(district=other_district)

    response = api_client_for(viewer).get(
        f"/api/v1/districts/{district.slug}/dashboard/?network={network.pk}"
    )

    assert response.status_code == 400


def test_dashboard_query_count_does_not_grow_with_schools(
    api_client_for, viewer, district, metric_values
):
    client = api_client_for(viewer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(f"/api/v1/districts/{district.slug}/dashboard/").status_code
                == 200
            )
        return len(queries)

    small = count()
    for _ in range(10):
        MeasurementFactory(district=district, metric=metric_values)
    assert count() == small

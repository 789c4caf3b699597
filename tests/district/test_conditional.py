"""Conditional GET: an unchanged district page answers 304; any change answers 200."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.conditional import data_version
from goals.dashboards import GOALS_DATA
from goals.models import Measurement
from roles.models import RaciLevel
from tests.factories import (
    MeasurementFactory,
    OwnershipFactory,
    RoleAssignmentFactory,
)
from tests.goals.district_data import build_district_data


@pytest.fixture
def data(district):
    return build_district_data(district, schools=6)


def goal_pages(data):
    slug = data.district.slug
    metric, network, role = data.attendance.pk, data.north.pk, data.cao.pk
    return [
        f"/districts/{slug}/dashboard/",
        f"/districts/{slug}/dashboard/?network={network}",
        f"/districts/{slug}/metrics/{metric}/",
        f"/districts/{slug}/metrics/{metric}/networks/{network}/",
        f"/districts/{slug}/networks/{network}/",
        f"/districts/{slug}/roles/{role}/",
    ]


@pytest.mark.parametrize("page", range(6))
def test_unchanged_page_answers_304_to_its_etag(client_for, data, viewer, page):
    url = goal_pages(data)[page]
    client = client_for(viewer)
    first = client.get(url)
    assert first.status_code == 200
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    second = client.get(url, headers={"if-none-match": first["ETag"]})
    assert second.status_code == 304
    assert second["ETag"] == first["ETag"]
    assert second.content == b""


@pytest.mark.parametrize(
    "url",
    [
        "/districts/{slug}/metrics/{metric}/?format=csv",
        "/districts/{slug}/measurements.csv",
        "/districts/{slug}/matrix/export.csv",
        "/districts/{slug}/matrix/export.xlsx",
    ],
)
def test_downloads_are_never_stored_so_they_carry_no_etag(
    client_for, data, viewer, url
):
    url = url.format(slug=data.district.slug, metric=data.attendance.pk)
    response = client_for(viewer).get(url, headers={"if-none-match": "*"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("ETag")


def test_changed_measurement_makes_the_dashboard_answer_200_again(
    client_for, data, viewer
):
    url = goal_pages(data)[0]
    client = client_for(viewer)
    etag = client.get(url)["ETag"]
    measurement = Measurement.objects.filter(district=data.district).first()
    measurement.value = measurement.value + Decimal("1")
    measurement.save(update_fields=["value"])
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_deleted_measurement_makes_the_dashboard_answer_200_again(
    client_for, data, viewer
):
    url = goal_pages(data)[0]
    client = client_for(viewer)
    etag = client.get(url)["ETag"]
    Measurement.objects.filter(district=data.district).order_by("pk").first().delete()
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_new_measurement_makes_the_metric_page_answer_200_again(
    client_for, data, viewer
):
    url = goal_pages(data)[2]
    client = client_for(viewer)
    etag = client.get(url)["ETag"]
    school = data.small_school
    MeasurementFactory(
        district=data.district,
        metric=data.attendance,
        school=school,
        period_end=datetime.date(2018, 6, 29),
        value=50,
    )
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_another_districts_change_keeps_the_page_unchanged(
    client_for, data, viewer, other_district
):
    url = goal_pages(data)[0]
    client = client_for(viewer)
    etag = client.get(url)["ETag"]
    MeasurementFactory(district=other_district)
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304


def test_viewer_and_editor_get_different_etags(client_for, data, viewer, editor):
    url = goal_pages(data)[0]
    viewer_etag = client_for(viewer).get(url)["ETag"]
    editor_client = client_for(editor)
    assert editor_client.get(url)["ETag"] != viewer_etag
    response = editor_client.get(url, headers={"if-none-match": viewer_etag})
    assert response.status_code == 200


def test_query_string_is_part_of_the_etag(client_for, data, viewer):
    first, filtered = goal_pages(data)[:2]
    client = client_for(viewer)
    etag = client.get(first)["ETag"]
    assert client.get(filtered, headers={"if-none-match": etag}).status_code == 200


def test_outsider_gets_404_whatever_etag_it_sends(client_for, data, viewer, outsider):
    url = goal_pages(data)[0]
    etag = client_for(viewer).get(url)["ETag"]
    response = client_for(outsider).get(url, headers={"if-none-match": etag})
    assert response.status_code == 404
    assert (
        client_for(outsider).get(url, headers={"if-none-match": "*"}).status_code == 404
    )


def test_anonymous_is_sent_to_log_in_whatever_etag_it_sends(client_for, data, viewer):
    url = goal_pages(data)[0]
    etag = client_for(viewer).get(url)["ETag"]
    response = client_for(None).get(url, headers={"if-none-match": etag})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_304_reads_two_queries_and_no_rollups(client_for, data, viewer):
    url = goal_pages(data)[0]
    client = client_for(viewer)
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    # The session and user, the membership, and the data version.
    assert len(queries.captured_queries) <= 4
    assert "GROUP BY" not in tables


def test_data_version_is_one_query_whatever_the_number_of_districts(data):
    with CaptureQueriesContext(connection) as queries:
        version = data_version([data.district.pk, data.district.pk + 1], GOALS_DATA)
    assert len(queries.captured_queries) == 1
    assert len(version) == 2 * len(GOALS_DATA)
    assert data_version([], GOALS_DATA) == ()


def test_unchanged_matrix_answers_304_and_a_changed_cell_answers_200(
    client_for, district, editor
):
    ownership = OwnershipFactory(district=district, level=RaciLevel.CONSULTED)
    url = f"/districts/{district.slug}/matrix/"
    client = client_for(editor)
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    ownership.level = RaciLevel.ACCOUNTABLE
    ownership.save(update_fields=["level"])
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_cleared_matrix_cell_answers_200(client_for, district, editor):
    ownership = OwnershipFactory(district=district, level=RaciLevel.CONSULTED)
    url = f"/districts/{district.slug}/matrix/"
    client = client_for(editor)
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    ownership.delete()
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


@pytest.mark.parametrize("action", ["dashboard/?as_of=2018-06-30", "matrix/"])
def test_unchanged_api_dashboard_and_matrix_answer_304(
    api_client_for, data, viewer, action
):
    url = f"/api/v1/districts/{data.district.slug}/{action}"
    client = api_client_for(viewer)
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    assert "csrftoken" not in first.cookies


def test_api_dashboard_answers_200_after_a_measurement_changes(
    api_client_for, data, viewer
):
    url = f"/api/v1/districts/{data.district.slug}/dashboard/?as_of=2018-06-30"
    client = api_client_for(viewer)
    etag = client.get(url)["ETag"]
    measurement = Measurement.objects.filter(district=data.district).first()
    measurement.value += 1
    measurement.save(update_fields=["value"])
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_api_outsider_gets_404_whatever_etag_it_sends(api_client_for, data, outsider):
    url = f"/api/v1/districts/{data.district.slug}/dashboard/?as_of=2018-06-30"
    response = api_client_for(outsider).get(url, headers={"if-none-match": "*"})
    assert response.status_code == 404


def test_new_role_holder_makes_the_role_scorecard_answer_200(client_for, data, viewer):
    url = goal_pages(data)[5]
    client = client_for(viewer)
    etag = client.get(url)["ETag"]
    RoleAssignmentFactory(district=data.district, role=data.cao)
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200

"""Dates lie between 1990-01-01 and 2100-12-31: every write path refuses others, and a
row stored before the rule held never makes a page fail."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from goals.dashboards import as_of_date, school_years
from goals.importers import read_measurements_csv, upsert_measurements
from goals.models import Measurement, Metric, Scope, school_year_end

from ..admin_pages import errors, staff, url
from ..factories import MeasurementFactory, MetricFactory, SchoolFactory
from .district_data import build_district_data

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31"]
MESSAGE = "Dates lie between 1990-01-01 and 2100-12-31."


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2018, 5, 20, 12, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def school(district):
    SchoolFactory(district=district, school_id="600005")
    return MetricFactory(district=district, code="attendance")


@pytest.mark.parametrize("period_end", OUT_OF_RANGE)
def test_bulk_api_refuses_a_period_end_out_of_range(
    api_client_for, editor, district, school, period_end
):
    row = {"metric": "attendance", "school_id": "600005", "value": 95, "n": 30}
    response = api_client_for(editor).post(
        "/api/v1/measurements/bulk/",
        {"district": district.slug, "rows": [{**row, "period_end": period_end}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 0, "column": "period_end", "message": MESSAGE}
    ]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("school_year", ["0000-01", "1988-89", "2100-01"])
def test_bulk_api_refuses_a_school_year_out_of_range(
    api_client_for, editor, district, school, school_year
):
    row = {"metric": "attendance", "school_id": "600005", "value": 95}
    response = api_client_for(editor).post(
        "/api/v1/measurements/bulk/",
        {"district": district.slug, "rows": [{**row, "school_year": school_year}]},
        format="json",
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["column"] == "school_year"
    assert not Measurement.objects.exists()


def test_bulk_api_accepts_the_first_and_last_day_of_the_range(
    api_client_for, editor, district, school
):
    row = {"metric": "attendance", "school_id": "600005", "value": 95}
    rows = [{**row, "period_end": day} for day in ("1990-01-01", "2100-12-31")]
    response = api_client_for(editor).post(
        "/api/v1/measurements/bulk/",
        {"district": district.slug, "rows": rows},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Measurement.objects.count() == 2


def test_api_refuses_a_measurement_and_a_metric_out_of_range(
    api_client_for, editor, district, school
):
    api = api_client_for(editor)
    measurement = MeasurementFactory(district=district, metric=school)
    response = api.patch(
        f"/api/v1/measurements/{measurement.pk}/",
        {"period_end": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["period_end"] == [MESSAGE]
    response = api.patch(
        f"/api/v1/metrics/{school.pk}/", {"target_on": "0001-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["target_on"] == [MESSAGE]
    assert Metric.objects.get(pk=school.pk).target_on == school.target_on


def test_csv_import_names_the_row_with_a_date_out_of_range(district, editor, school):
    rows = read_measurements_csv(
        b"metric,school_id,period_end,value\n"
        b"attendance,600005,2017-06-30,95\n"
        b"attendance,600005,9999-12-31,95\n"
    )
    result = upsert_measurements(district=district, rows=rows, acting_user=editor)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "period_end", MESSAGE)
    ]
    assert not Measurement.objects.exists()


def test_entry_grid_refuses_a_period_out_of_range(client_for, editor, district, school):
    response = client_for(editor).get(
        reverse("goals:measurement-entry", args=[district.slug, school.pk]),
        {"period_end": "9999-12-31", "scope": Scope.SCHOOL},
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()


def test_admin_refuses_a_measurement_out_of_range(client_for, editor, district, school):
    client = client_for(staff(editor))
    response = client.post(
        url(Measurement, "add"),
        {
            "district": district.pk,
            "metric": school.pk,
            "period_end": "0001-01-01",
            "scope": Scope.DISTRICT,
            "value": "95",
        },
    )
    assert response.status_code == 200
    assert MESSAGE in errors(response)
    assert not Measurement.objects.exists()


def test_the_database_refuses_a_date_out_of_range(district, school):
    with pytest.raises(ValidationError) as refused:
        Measurement(
            district=district,
            metric=school,
            scope=Scope.DISTRICT,
            period_end=datetime.date(9999, 12, 31),
            value=Decimal("95"),
        ).full_clean()
    assert refused.value.message_dict == {"period_end": [MESSAGE]}


@pytest.fixture
def constraint_off():
    """Let rows past the date constraint in, as rows stored before it held were."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # undone with the test's transaction
            cursor.execute(
                "ALTER TABLE goals_measurement "
                "DROP CONSTRAINT goals_measurement_period_end_in_range"
            )
        yield
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = 1")
        yield
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = 0")


def test_pages_answer_with_rows_stored_before_the_range_held(
    client_for, viewer, editor, district, constraint_off
):
    data = build_district_data(district, schools=4)
    Measurement.objects.bulk_create(
        Measurement(
            district=district,
            metric=data.attendance,
            scope=scope,
            school=data.small_school if scope == Scope.SCHOOL else None,
            period_end=day,
            value=Decimal("95"),
            n=300,
        )
        for day in (datetime.date(1, 1, 1), datetime.date(9999, 12, 31))
        for scope in (Scope.SCHOOL, Scope.DISTRICT)
    )
    assert school_years(district)[0] == "2017-18"
    slug = district.slug
    pages = [
        reverse("goals:dashboard", args=[slug]),
        reverse("goals:metric-detail", args=[slug, data.attendance.pk]),
        reverse("goals:metric-network", args=[slug, data.attendance.pk, data.north.pk]),
        reverse("goals:network-scorecard", args=[slug, data.north.pk]),
        reverse("goals:network-trends", args=[slug, data.north.pk]),
        reverse("goals:role-scorecard", args=[slug, data.cao.pk]),
        reverse("goals:measurements-csv", args=[slug]),
        f"/api/v1/metrics/{data.attendance.pk}/status/",
        f"/api/v1/measurements/?district={slug}",
    ]
    for client in (client_for(viewer), client_for(editor)):
        for page in pages:
            assert client.get(page).status_code == 200, page
    entry = reverse("goals:measurement-entry", args=[slug, data.attendance.pk])
    assert client_for(editor).get(entry).status_code == 200
    admin = client_for(staff(editor))
    for school_year in ("10000", "0", "2018"):
        response = admin.get(
            url(Measurement, "changelist"), {"school_year": school_year}
        )
        assert response.status_code == 200, school_year


def test_school_years_and_year_ends_never_fail_on_extreme_dates():
    assert as_of_date("2017-18") == datetime.date(2018, 6, 30)
    for label in ("9999-00", "0-01", "abcd-ef", "", "99999-100000"):
        with pytest.raises(ValueError):
            school_year_end(label)

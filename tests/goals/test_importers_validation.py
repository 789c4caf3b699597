"""upsert_measurements: how invalid rows are explained, and that nothing is saved then."""

import datetime
from decimal import Decimal

import pytest

from district.import_rows import RowError
from goals.importers import parse_value, upsert_measurements
from goals.models import Measurement, Unit
from tests.factories import (
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
)

JUNE_2015 = datetime.date(2015, 6, 30)


@pytest.fixture
def attendance(district):
    return MetricFactory(district=district, code="attendance", unit=Unit.PERCENT)


@pytest.fixture
def suspensions(district):
    return MetricFactory(district=district, code="suspensions", unit=Unit.PER_100)


@pytest.fixture
def network(district):
    return NetworkFactory(district=district, name="Network 1")


@pytest.fixture
def schools(district, network):
    return [
        SchoolFactory(district=district, network=network, school_id=school_id)
        for school_id in ("400001", "400002", "400003")
    ]


def upsert(district, rows, user, **options):
    return upsert_measurements(
        district=district, rows=rows, acting_user=user, **options
    )


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ({"metric": "attendence"}, "metric", "Unknown metric code 'attendence'."),
        ({"metric": None}, "metric", "Required: the metric's code."),
        ({"school_id": "999999"}, "school_id", "Unknown school id '999999'."),
        (
            {"school_id": None, "network": "Network 99"},
            "network",
            "Unknown network 'Network 99'.",
        ),
        ({"network": "Network 1"}, None, "Give a school id or a network, not both"),
        (
            {"scope": "district"},
            "scope",
            "Scope district needs no school_id and no network.",
        ),
        (
            {"school_id": "", "scope": "school"},
            "scope",
            "Scope school needs a school_id.",
        ),
        (
            {"scope": "county"},
            "scope",
            "Unknown scope 'county': use school, network or district.",
        ),
        (
            {"school_year": "2014"},
            "school_year",
            "Not a school year: '2014'. Write it as 2014-15.",
        ),
        ({"school_year": "2014-16"}, "school_year", "Not a school year: '2014-16'."),
        (
            {"school_year": None, "period_end": "30/06/2015"},
            "period_end",
            "Not a date: '30/06/2015'. Write it as YYYY-MM-DD.",
        ),
        (
            {"school_year": None, "period_end": "2015-02-30"},
            "period_end",
            "Not a date: '2015-02-30'.",
        ),
        (
            {"period_end": "2015-06-01"},
            "period_end",
            "2015-06-01 is not the end of school year 2014-15 (2015-06-30)",
        ),
        (
            {"school_year": ""},
            "period_end",
            "Required: period_end (YYYY-MM-DD) or school_year",
        ),
        ({"value": "abc"}, "value", "Not a number: 'abc'."),
        (
            {"value": "95,5"},
            "value",
            "Not a number: '95,5'. Use a point, not a comma, for decimals.",
        ),
        ({"value": ""}, "value", "Required: a number."),
        ({"value": None}, "value", "Required: a number."),
        ({"value": True}, "value", "Not a number: True."),
        ({"value": "NaN"}, "value", "Not a finite number: 'NaN'."),
        ({"value": float("nan")}, "value", "Not a finite number: 'nan'."),
        ({"value": "-inf"}, "value", "Not a finite number: '-inf'."),
        ({"value": Decimal("Infinity")}, "value", "Not a finite number: 'Infinity'."),
        (
            {"value": "1e20"},
            "value",
            "Too large: '1e20'. Values have at most 10 digits before the point.",
        ),
        ({"value": "12345678901"}, "value", "Too large: '12345678901'."),
        ({"value": "9999999999.99999"}, "value", "Too large: '9999999999.99999'."),
        (
            {"value": "100.1"},
            "value",
            "100.1 is out of range: A percent lies between 0 and 100.",
        ),
        (
            {"value": "-1"},
            "value",
            "-1 is out of range: A percent lies between 0 and 100.",
        ),
        ({"n": "-5"}, "n", "Not a whole number: '-5'."),
        ({"n": "12.5"}, "n", "Not a whole number: '12.5'."),
        ({"n": 3_000_000_000}, "n", "Must be between 0 and 2147483647."),
    ],
)
def test_an_invalid_row_is_explained_and_nothing_is_saved(
    district, editor, attendance, schools, network, row, column, message
):
    valid = {
        "metric": "attendance",
        "school_id": "400001",
        "school_year": "2014-15",
        "value": "90",
    }
    rows = [valid, {**valid, "school_id": "400002", **row}]

    result = upsert(district, rows, editor)

    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (1, column)
    assert message in error.message
    assert (result.created, result.skipped, result.saved) == (1, 1, False)
    assert not Measurement.objects.exists()
    assert not Measurement.history.exists()


def test_a_negative_rate_per_100_is_out_of_range(
    district, editor, suspensions, schools
):
    rows = [
        {
            "metric": "suspensions",
            "school_id": "400001",
            "school_year": "2014-15",
            "value": "-2",
        }
    ]

    result = upsert(district, rows, editor)

    assert result.errors == (
        RowError(0, "value", "-2 is out of range: This value cannot be negative."),
    )


def test_a_row_with_several_problems_reports_each(district, editor, attendance):
    result = upsert(district, [{"metric": "x", "school_id": "1", "value": "y"}], editor)

    assert {error.column for error in result.errors} == {
        "metric",
        "school_id",
        "period_end",
        "value",
    }
    assert result.skipped == 1


def test_the_same_metric_scope_and_period_twice_names_both_rows(
    district, editor, attendance, schools
):
    row = {
        "metric": "attendance",
        "school_id": "400001",
        "school_year": "2014-15",
        "value": "90",
    }
    rows = [
        row,
        {**row, "school_id": "400002"},
        {**row, "period_end": "2015-06-30", "school_year": None, "value": "91"},
    ]

    result = upsert(district, rows, editor, first_row=1)

    assert result.errors == (
        RowError(
            3, None, "Same metric, scope and period as on row 1; give each value once."
        ),
    )
    assert not Measurement.objects.exists()


def test_skip_invalid_saves_the_valid_rows(district, editor, attendance, schools):
    rows = [
        {
            "metric": "attendance",
            "school_id": "400001",
            "school_year": "2014-15",
            "value": "90",
        },
        {
            "metric": "attendance",
            "school_id": "400009",
            "school_year": "2014-15",
            "value": "90",
        },
        {
            "metric": "attendance",
            "school_id": "400002",
            "school_year": "2014-15",
            "value": "NaN",
        },
    ]

    result = upsert(district, rows, editor, skip_invalid=True)

    assert (result.created, result.skipped, result.saved) == (1, 2, True)
    assert [error.row for error in result.errors] == [1, 2]
    assert list(Measurement.objects.values_list("school__school_id", flat=True)) == [
        "400001"
    ]


def test_a_dry_run_reports_what_would_change_and_saves_nothing(
    district, editor, attendance, schools
):
    MeasurementFactory(
        district=district,
        metric=attendance,
        school=schools[0],
        period_end=JUNE_2015,
        value=Decimal("90"),
    )
    rows = [
        {
            "metric": "attendance",
            "school_id": "400001",
            "school_year": "2014-15",
            "value": "91",
        },
        {
            "metric": "attendance",
            "school_id": "400002",
            "school_year": "2014-15",
            "value": "92",
        },
    ]

    result = upsert(district, rows, editor, dry_run=True)

    assert (result.created, result.updated, result.saved) == (1, 1, False)
    assert Measurement.objects.get().value == Decimal("90")
    assert Measurement.objects.count() == 1


def test_another_districts_metrics_schools_and_measurements_are_out_of_reach(
    district, other_district, editor, attendance
):
    MetricFactory(district=other_district, code="theirs")
    SchoolFactory(district=other_district, school_id="777")
    rows = [
        {"metric": "theirs", "school_year": "2014-15", "value": "1"},
        {
            "metric": "attendance",
            "school_id": "777",
            "school_year": "2014-15",
            "value": "1",
        },
    ]

    result = upsert(district, rows, editor)

    assert [(error.row, error.column) for error in result.errors] == [
        (0, "metric"),
        (1, "school_id"),
    ]


def test_a_source_label_longer_than_the_field_is_refused(district, editor):
    with pytest.raises(ValueError, match="too long"):
        upsert(district, [], editor, source="x" * 201)


def test_parse_value_takes_strings_and_numbers():
    assert parse_value(" 95.5 ") == (Decimal("95.5000"), None)
    assert parse_value(3) == (Decimal("3.0000"), None)
    assert parse_value(0.1) == (Decimal("0.1000"), None)
    assert parse_value("1e3") == (Decimal("1000.0000"), None)
    assert parse_value("-0") == (Decimal("0.0000"), None)
    assert parse_value("9999999999.9999") == (Decimal("9999999999.9999"), None)

"""upsert_measurements: what it writes and records, idempotence, files, and speed."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.import_rows import CsvFileError, RowError
from goals.importers import read_measurements_csv, upsert_measurements
from goals.models import Measurement, Scope, Unit
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


def good_rows():
    return [
        {
            "metric": "attendance",
            "school_id": "400001",
            "school_year": "2014-15",
            "value": "95.5",
        },
        {
            "metric": "attendance",
            "school_id": "400002",
            "period_end": "2015-06-30",
            "value": 91,
            "n": "420",
        },
        {
            "metric": "attendance",
            "network": "Network 1",
            "school_year": "2014-15",
            "value": 93.25,
        },
        {"metric": "attendance", "school_year": "2014-15", "value": Decimal("92.1")},
        {
            "metric": "suspensions",
            "school_id": "400003",
            "school_year": "2014-15",
            "value": "127.3",
        },
    ]


def test_upsert_creates_school_network_and_district_values(
    district, editor, attendance, suspensions, schools, network
):
    result = upsert(district, good_rows(), editor, source="Progress reports")

    assert (result.created, result.updated, result.unchanged, result.skipped) == (
        5,
        0,
        0,
        0,
    )
    assert result.saved and result.errors == ()
    stored = {
        (m.scope, m.school_id, m.network_id, m.metric_id): m
        for m in Measurement.objects.all()
    }
    school = stored[(Scope.SCHOOL, schools[1].pk, None, attendance.pk)]
    assert (school.value, school.n, school.period_end) == (
        Decimal("91"),
        420,
        JUNE_2015,
    )
    assert (school.source, school.entered_by, school.version) == (
        "Progress reports",
        editor,
        1,
    )
    assert stored[(Scope.NETWORK, None, network.pk, attendance.pk)].value == Decimal(
        "93.25"
    )
    assert stored[(Scope.DISTRICT, None, None, attendance.pk)].value == Decimal("92.1")
    # Suspensions per 100 students may pass 100: a student can be suspended twice.
    assert stored[(Scope.SCHOOL, schools[2].pk, None, suspensions.pk)].value == Decimal(
        "127.3"
    )


def test_every_written_value_has_a_history_record_by_the_acting_user(
    district, editor, attendance, suspensions, schools, network
):
    upsert(district, good_rows(), editor, source="Progress reports")

    records = Measurement.history.all()
    assert records.count() == 5
    assert {
        (r.history_type, r.history_user_id, r.history_change_reason) for r in records
    } == {("+", editor.pk, "Progress reports")}
    record = records.get(id=Measurement.objects.get(school__school_id="400001").pk)
    assert (record.value, record.period_end, record.district_id) == (
        Decimal("95.5"),
        JUNE_2015,
        district.pk,
    )


def test_importing_the_same_rows_again_writes_nothing(
    district, editor, attendance, suspensions, schools, network
):
    upsert(district, good_rows(), editor)
    before = list(
        Measurement.objects.order_by("pk").values_list("pk", "version", "updated_at")
    )
    history = Measurement.history.count()

    result = upsert(district, good_rows(), editor)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert (
        list(
            Measurement.objects.order_by("pk").values_list(
                "pk", "version", "updated_at"
            )
        )
        == before
    )
    assert Measurement.history.count() == history


def test_a_changed_value_or_n_updates_the_stored_measurement(
    district, editor, viewer, attendance, schools
):
    stored = MeasurementFactory(
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
            "value": "90.5",
            "n": 300,
        },
        {
            "metric": "attendance",
            "school_id": "400002",
            "school_year": "2014-15",
            "value": "88",
        },
    ]

    result = upsert(district, rows, viewer, source="Corrected file")

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    stored.refresh_from_db()
    assert (stored.value, stored.n, stored.version) == (Decimal("90.5"), 300, 2)
    assert (stored.source, stored.entered_by) == ("Corrected file", viewer)
    latest = stored.history.first()
    assert (latest.history_type, latest.value, latest.version, latest.history_user) == (
        "~",
        Decimal("90.5"),
        2,
        viewer,
    )


def test_values_are_rounded_to_four_decimals(district, editor, attendance, schools):
    rows = [
        {
            "metric": "attendance",
            "school_id": "400001",
            "school_year": "2014-15",
            "value": "95.123456",
        }
    ]

    upsert(district, rows, editor)
    result = upsert(district, [{**rows[0], "value": 95.1235}], editor)

    assert Measurement.objects.get().value == Decimal("95.1235")
    assert result.unchanged == 1


# Files


def measurements_csv(lines: list[str]) -> bytes:
    return (
        "school_id,school_year,metric,value\n" + "".join(f"{line}\n" for line in lines)
    ).encode()


def test_errors_in_a_file_name_its_line_numbers(district, editor, attendance, schools):
    data = measurements_csv(
        [
            "400001,2014-15,attendance,90",
            "400002,2014-15,attendance,91",
            "400001,2014-15,attendance,92",
            "400003,2014-15,attendance,95,5",
        ]
    )

    result = upsert(district, read_measurements_csv(data), editor)

    assert result.errors == (
        RowError(
            4, None, "Same metric, scope and period as on line 2; give each value once."
        ),
        RowError(
            5,
            None,
            "The row has 1 more cell(s) than the header (5). Is a value written with a "
            "decimal comma, or a name with an unquoted comma?",
        ),
    )


def test_a_measurements_file_without_a_value_column_is_refused():
    with pytest.raises(CsvFileError, match="Required column missing: value"):
        read_measurements_csv(b"school_id,school_year,metric\n1,2014-15,a\n")


# Speed


def rows_for(schools, period: str):
    return [
        {
            "metric": "attendance",
            "school_id": school.school_id,
            "period_end": period,
            "value": "90",
        }
        for school in schools
    ]


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.mark.parametrize("second_pass", ["create", "update", "unchanged"])
def test_upsert_queries_do_not_grow_with_the_rows(
    district, editor, attendance, second_pass
):
    # One network: the rows grow, not the rollups written (100 networks' rollups
    # take more than one INSERT on SQLite, whose statements hold 999 parameters).
    network = NetworkFactory(district=district)
    schools = [
        SchoolFactory(district=district, school_id=str(500000 + i), network=network)
        for i in range(100)
    ]
    counts = []
    for size, period in ((10, "2015-06-30"), (100, "2016-06-30")):
        rows = rows_for(schools[:size], period)
        if second_pass != "create":
            upsert(district, rows, editor)
        if second_pass == "update":
            rows = [{**row, "value": "91"} for row in rows]
        counts.append(count_queries(lambda rows=rows: upsert(district, rows, editor)))
    assert counts[0] == counts[1]


def test_thousands_of_rows_are_written_in_batches_and_all_recorded(
    district, editor, attendance
):
    schools = SchoolFactory.create_batch(50, district=district, network=None)
    periods = [f"{year}-06-30" for year in range(1991, 2041)]
    rows = [row for period in periods for row in rows_for(schools, period)]

    created = upsert(district, rows, editor)
    updated = upsert(district, [{**row, "value": "80"} for row in rows], editor)

    assert (created.created, updated.updated) == (2500, 2500)
    assert Measurement.objects.filter(value=Decimal("80"), version=2).count() == 2500
    assert Measurement.history.filter(history_type="+").count() == 2500
    assert (
        Measurement.history.filter(history_type="~", value=Decimal("80")).count()
        == 2500
    )

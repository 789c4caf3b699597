"""Importers fed random rows: all good rows saved, or errors and nothing saved.

For any rows, `goals.importers.upsert_measurements` and
`district.importers.import_schools` either save every row (no errors) or return
row errors and leave the database as it was, and they never raise. Each example runs
in a transaction that is rolled back, so examples do not see each other's rows.

Text that no database can store (NUL characters, lone surrogates) is refused with a
row error; the tests at the end pin that.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from district.importers import import_schools
from district.models import Network, School
from goals.importers import upsert_measurements
from goals.models import Measurement, Unit

from .factories import MetricFactory, NetworkFactory, SchoolFactory, UserFactory

EXAMPLES = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

SCHOOL_IDS = ["400001", "400002", "400003"]
NETWORK_NAMES = ["Network 1", "Network 2"]
METRIC_UNITS = {
    "attendance": Unit.PERCENT,
    "suspensions": Unit.COUNT,
    "growth": Unit.SCORE,
}


class Rollback(Exception):
    """Raised to undo one example's writes."""


def run_and_roll_back(function):
    """Run `function` in a transaction that is always rolled back; return its result."""
    outcome = {}
    try:
        with transaction.atomic():
            outcome["result"] = function()
            raise Rollback
    except Rollback:
        pass
    return outcome["result"]


@pytest.fixture
def measured_district(district):
    networks = [NetworkFactory(district=district, name=name) for name in NETWORK_NAMES]
    for school_id, network in zip(SCHOOL_IDS, networks * 2, strict=False):
        SchoolFactory(district=district, school_id=school_id, network=network)
    for code, unit in METRIC_UNITS.items():
        MetricFactory(district=district, code=code, unit=unit)
    return district


@pytest.fixture
def acting_user(db):
    return UserFactory(username="importer")


# --- Row strategies: mostly plausible cells, with every kind of wrong one mixed in ---


def text(max_size: int):
    """Any text, NUL characters included."""
    return st.text(alphabet=st.characters(), max_size=max_size)


blank = st.sampled_from(["", "  ", None])
any_text = text(12)
dates = st.dates(
    min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2040, 12, 31)
)
numbers = st.one_of(
    st.decimals(min_value=-1000, max_value=1000, places=6),
    st.integers(min_value=-10, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
)

measurement_cells = {
    "metric": st.one_of(st.sampled_from([*METRIC_UNITS, "unknown"]), blank, any_text),
    "school_id": st.one_of(
        st.sampled_from([*SCHOOL_IDS, "999999"]), blank, st.integers()
    ),
    "network": st.one_of(st.sampled_from([*NETWORK_NAMES, "Nowhere"]), blank),
    "scope": st.one_of(
        st.sampled_from(["school", "network", "district", "Galaxy"]), blank
    ),
    "period_end": st.one_of(dates.map(str), dates, blank, any_text),
    "school_year": st.one_of(
        st.sampled_from(["2015-16", "2016-2017", "2015-17"]), blank, any_text
    ),
    "value": st.one_of(numbers, numbers.map(str), blank, any_text, st.booleans()),
    "n": st.one_of(
        st.integers(min_value=-5, max_value=2**32), st.floats(), blank, any_text
    ),
}
measurement_rows = st.lists(
    st.one_of(
        st.fixed_dictionaries({}, optional=measurement_cells),
        st.sampled_from([None, 7, "metric,value", ["metric"]]),  # not mappings
    ),
    max_size=8,
)

# Rows that are valid cell by cell: a school, network or district value of a known
# metric in a school year, in range for every unit. Repeated keys still make errors.
valid_measurement_rows = st.lists(
    st.fixed_dictionaries(
        {
            "metric": st.sampled_from(list(METRIC_UNITS)),
            "school_year": st.sampled_from(["2015-16", "2016-17", "2017-18"]),
            "value": st.decimals(min_value=0, max_value=100, places=4).map(str),
        },
        optional={"n": st.integers(min_value=0, max_value=5000)},
    ).flatmap(
        lambda row: st.one_of(
            st.just(row),
            st.sampled_from(SCHOOL_IDS).map(
                lambda school: {**row, "school_id": school}
            ),
            st.sampled_from(NETWORK_NAMES).map(
                lambda network: {**row, "network": network}
            ),
        )
    ),
    max_size=10,
)


def measurements_table(district) -> list[tuple]:
    return list(
        Measurement.objects.filter(district=district)
        .order_by("pk")
        .values_list(
            "pk",
            "metric_id",
            "scope",
            "school_id",
            "network_id",
            "period_end",
            "value",
            "n",
            "version",
        )
    )


def measurement_history_count(district) -> int:
    return Measurement.history.filter(district_id=district.pk).count()


def check_upsert(district, acting_user, rows):
    before = measurements_table(district)
    history_before = measurement_history_count(district)
    result = upsert_measurements(district=district, rows=rows, acting_user=acting_user)
    event("refused" if result.errors else "saved")
    if result.errors:
        assert not result.saved
        assert measurements_table(district) == before
        assert measurement_history_count(district) == history_before
        assert 0 < result.skipped <= len(rows)
    else:
        assert result.saved
        assert result.created + result.updated + result.unchanged == len(rows)
        assert len(measurements_table(district)) == len(before) + result.created
        assert (
            measurement_history_count(district)
            == history_before + result.created + result.updated
        )
        again = upsert_measurements(
            district=district, rows=rows, acting_user=acting_user
        )
        assert (again.created, again.updated, again.errors) == (0, 0, ())
    return result


@EXAMPLES
@given(rows=measurement_rows)
def test_upsert_measurements_saves_all_rows_or_none_and_never_raises(
    measured_district, acting_user, rows
):
    run_and_roll_back(lambda: check_upsert(measured_district, acting_user, rows))


@EXAMPLES
@given(rows=valid_measurement_rows)
def test_upsert_measurements_stores_every_value_of_valid_rows(
    measured_district, acting_user, rows
):
    def check():
        result = check_upsert(measured_district, acting_user, rows)
        if result.errors:
            # Only a repeated metric, scope and period makes valid cells an error.
            assert all(
                "give each value once" in error.message for error in result.errors
            )
            return
        for row in rows:
            stored = Measurement.objects.get(
                district=measured_district,
                metric__code=row["metric"],
                school__school_id=row.get("school_id"),
                network__name=row.get("network"),
                period_end=datetime.date(int(row["school_year"][:4]) + 1, 6, 30),
            )
            assert stored.value == Decimal(row["value"])
            assert stored.n == row.get("n")

    run_and_roll_back(check)


# --- Schools ---

school_cells = {
    "school_id": st.one_of(
        st.sampled_from([*SCHOOL_IDS, "500001", "500002"]),
        blank,
        any_text,
        st.integers(),
    ),
    "long_name": st.one_of(
        st.sampled_from(["Addams ES", "Banneker HS"]), blank, text(210)
    ),
    "short_name": st.one_of(st.sampled_from(["Addams", "Banneker"]), blank, text(110)),
    "category": st.one_of(
        st.sampled_from(["ES", "ms", "HS", "OT", "XX"]), blank, any_text
    ),
    "grades": st.one_of(st.sampled_from(["K-8", "9-12"]), blank, text(40)),
    "enrollment": st.one_of(
        st.integers(min_value=-5, max_value=2**32), st.floats(), blank, any_text
    ),
    "network": st.one_of(
        st.sampled_from([*NETWORK_NAMES, "Network 9", "Options"]),
        blank,
        text(110),
    ),
    "sqrp_rating": st.one_of(st.sampled_from(["Level 1+", "Level 2"]), blank, text(50)),
}
school_rows = st.lists(
    st.one_of(
        st.fixed_dictionaries({}, optional=school_cells),
        st.sampled_from([None, 3, ["school_id"]]),
    ),
    max_size=8,
)
valid_school_rows = st.lists(
    st.fixed_dictionaries(
        {
            "school_id": st.from_regex(r"\A[1-9][0-9]{5}\Z"),
            "long_name": st.text(
                alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                min_size=1,
                max_size=60,
            ).filter(str.strip),
        },
        optional={
            "category": st.sampled_from(["ES", "MS", "HS", "OT", "es", ""]),
            "enrollment": st.one_of(
                st.integers(min_value=0, max_value=5000), st.integers(0, 5000).map(str)
            ),
            "network": st.sampled_from([*NETWORK_NAMES, "Network 9", "Options", ""]),
            "grades": st.sampled_from(["K-8", "9-12", ""]),
        },
    ),
    max_size=8,
)


def schools_table(district) -> list[tuple]:
    return list(
        School.objects.filter(district=district)
        .order_by("pk")
        .values_list(
            "pk",
            "school_id",
            "name",
            "short_name",
            "category",
            "grades",
            "enrollment",
            "network_id",
            "performance_rating",
            "version",
        )
    )


def networks_table(district) -> list[tuple]:
    return list(
        Network.objects.filter(district=district)
        .order_by("pk")
        .values_list("pk", "name", "is_geographic")
    )


def check_import_schools(district, acting_user, rows):
    before = (schools_table(district), networks_table(district))
    result = import_schools(district=district, rows=rows, acting_user=acting_user)
    event("refused" if result.errors else "saved")
    if result.errors:
        assert not result.saved
        assert (schools_table(district), networks_table(district)) == before
        assert 0 < result.skipped <= len(rows)
    else:
        assert result.saved
        assert result.created + result.updated + result.unchanged == len(rows)
        assert len(schools_table(district)) == len(before[0]) + result.created
        assert len(networks_table(district)) == len(before[1]) + result.networks_created
        again = import_schools(district=district, rows=rows, acting_user=acting_user)
        assert (again.created, again.updated, again.networks_created, again.errors) == (
            0,
            0,
            0,
            (),
        )
    return result


@EXAMPLES
@given(rows=school_rows)
def test_import_schools_saves_all_rows_or_none_and_never_raises(
    measured_district, acting_user, rows
):
    run_and_roll_back(
        lambda: check_import_schools(measured_district, acting_user, rows)
    )


@EXAMPLES
@given(rows=valid_school_rows)
def test_import_schools_stores_every_valid_row(measured_district, acting_user, rows):
    def check():
        result = check_import_schools(measured_district, acting_user, rows)
        if result.errors:
            # Only a school id given twice makes valid cells an error.
            assert all(error.column == "school_id" for error in result.errors)
            return
        for row in rows:
            school = School.objects.select_related("network").get(
                district=measured_district, school_id=row["school_id"]
            )
            assert school.name == row["long_name"].strip()
            if "enrollment" in row:
                assert school.enrollment == int(row["enrollment"])
            if "category" in row:
                assert school.category == (row["category"].upper() or "OT")
            if row.get("network"):
                assert school.network.name == row["network"]
            elif "network" in row:
                assert school.network is None

    run_and_roll_back(check)


# --- Text that cannot be stored: refused with a row error, nothing saved ---


@pytest.mark.parametrize("column", ["school_id", "long_name", "network"])
def test_import_schools_refuses_nul_characters_with_a_row_error(
    measured_district, acting_user, column
):
    row = {"school_id": "500001", "long_name": "Addams ES", "network": "Network 1"}
    row[column] += "\x00"
    result = import_schools(
        district=measured_district, rows=[row], acting_user=acting_user
    )
    assert result.errors
    assert not School.objects.filter(school_id__startswith="500001").exists()


def test_import_schools_refuses_lone_surrogates_with_a_row_error(
    measured_district, acting_user
):
    row = {"school_id": "500001", "long_name": "Addams \ud800 ES"}
    result = import_schools(
        district=measured_district, rows=[row], acting_user=acting_user
    )
    assert result.errors
    assert not School.objects.filter(school_id="500001").exists()

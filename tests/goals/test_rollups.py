"""Rollups against values computed by hand from a small district.

Schools (value, n, enrollment) in the period ending 30 June 2017:

    North: A 80 (n 100, 400 enrolled), B 90 (n 300, 600 enrolled)
    South: C 70 (n 50, 1000 enrolled), D 60 (n 5, 200 enrolled: suppressed, n < 10)
    no network: E 100 (n 20, 100 enrolled)
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Aggregation, Scope
from goals.rollups import (
    district_series,
    latest_and_previous,
    latest_rows_by_index,
    latest_rows_by_window,
    latest_school_values,
    network_series,
    publishable,
    refresh_rollups,
)
from goals.status import is_suppressed
from tests.factories import (
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
)

JUNE_2016 = datetime.date(2016, 6, 30)
JUNE_2017 = datetime.date(2017, 6, 30)


@pytest.fixture
def town(district):
    north = NetworkFactory(district=district, name="North")
    south = NetworkFactory(district=district, name="South")
    schools = {
        "A": SchoolFactory(district=district, network=north, enrollment=400),
        "B": SchoolFactory(district=district, network=north, enrollment=600),
        "C": SchoolFactory(district=district, network=south, enrollment=1000),
        "D": SchoolFactory(district=district, network=south, enrollment=200),
        "E": SchoolFactory(district=district, network=None, enrollment=100),
    }
    return {"north": north, "south": south, **schools}


def metric_with_values(district, town, aggregation, values=None):
    metric = MetricFactory(district=district, aggregation=aggregation, min_n=10)
    values = values or {
        "A": ("80", 100),
        "B": ("90", 300),
        "C": ("70", 50),
        "D": ("60", 5),
        "E": ("100", 20),
    }
    for name, (value, n) in values.items():
        MeasurementFactory(
            district=district,
            metric=metric,
            school=town[name],
            period_end=JUNE_2017,
            value=Decimal(value),
            n=n,
        )
    return metric


def district_value(district, metric):
    (value,) = district_series(district=district, metric_ids=[metric.pk])[metric.pk]
    return value


def network_value(district, metric, network):
    series = network_series(district=district, metric_ids=[metric.pk])
    (value,) = series[(metric.pk, network.pk)]
    return value


@pytest.mark.parametrize(
    ("aggregation", "district_expected", "north_expected", "south_expected"),
    [
        # (80 + 90 + 70 + 100) / 4; North (80 + 90) / 2; South only C.
        (Aggregation.MEAN, "85", "85", "70"),
        # (80*100 + 90*300 + 70*50 + 100*20) / 470 = 40500 / 470
        (Aggregation.WEIGHTED_N, "86.1702", "87.5", "70"),
        # (80*400 + 90*600 + 70*1000 + 100*100) / 2100 = 166000 / 2100
        (Aggregation.WEIGHTED_ENROLLMENT, "79.0476", "86", "70"),
        (Aggregation.SUM, "340", "170", "70"),
        (Aggregation.MIN, "70", "80", "70"),
        (Aggregation.MAX, "100", "90", "70"),
    ],
)
def test_rollup_follows_the_metrics_aggregation(
    district, town, aggregation, district_expected, north_expected, south_expected
):
    metric = metric_with_values(district, town, aggregation)
    assert district_value(district, metric).value == Decimal(district_expected)
    assert network_value(district, metric, town["north"]).value == Decimal(
        north_expected
    )
    assert network_value(district, metric, town["south"]).value == Decimal(
        south_expected
    )


def test_rollup_counts_the_schools_reporting_and_their_total_n(district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    value = district_value(district, metric)
    assert value.schools_reporting == 4  # D is suppressed and left out
    assert value.n == 470
    assert not value.is_entered
    assert network_value(district, metric, town["north"]).schools_reporting == 2


def test_suppressed_school_values_are_left_out_of_rollups(district, town):
    metric = metric_with_values(
        district, town, Aggregation.MEAN, values={"C": ("70", 50), "D": ("10", 9)}
    )
    assert network_value(district, metric, town["south"]).value == Decimal("70")
    assert network_value(district, metric, town["south"]).schools_reporting == 1


def test_a_network_whose_only_values_are_suppressed_has_no_rollup(district, town):
    metric = metric_with_values(
        district, town, Aggregation.MEAN, values={"A": ("80", 100), "D": ("10", 9)}
    )
    series = network_series(district=district, metric_ids=[metric.pk])
    assert (metric.pk, town["south"].pk) not in series


def test_metric_without_min_n_uses_the_districts_minimum(district, town):
    district.suppression_min_n = 60
    district.save()
    metric = metric_with_values(district, town, Aggregation.MEAN)
    metric.min_n = None
    metric.save()
    # C (n 50), D (n 5) and E (n 20) fall below 60: A and B remain.
    assert district_value(district, metric).value == Decimal("85")
    assert district_value(district, metric).schools_reporting == 2


def test_publishable_values_agree_with_the_suppression_rule(district, town):
    metric = metric_with_values(
        district,
        town,
        Aggregation.MEAN,
        values={"A": ("1", 9), "B": ("2", 10), "C": ("3", None), "D": ("4", 11)},
    )
    from goals.models import Measurement

    shown = set(
        Measurement.objects.filter(metric=metric)
        .filter(publishable())
        .values_list("n", flat=True)
    )
    for n in (9, 10, None, 11):
        assert (n in shown) == (not is_suppressed(n, metric.effective_min_n))


def test_weighted_mean_falls_back_to_the_mean_when_no_school_has_a_weight(
    district, town
):
    metric = metric_with_values(
        district,
        town,
        Aggregation.WEIGHTED_N,
        values={"A": ("80", None), "B": ("90", None)},
    )
    assert district_value(district, metric).value == Decimal("85")


def test_weighted_mean_leaves_out_schools_without_a_weight(district, town):
    metric = metric_with_values(
        district,
        town,
        Aggregation.WEIGHTED_N,
        values={"A": ("80", 100), "B": ("90", 300), "C": ("10", None)},
    )
    # (8000 + 27000) / 400
    assert district_value(district, metric).value == Decimal("87.5")


def test_entered_network_value_takes_precedence_over_the_computed_one(district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    MeasurementFactory(
        district=district,
        metric=metric,
        scope=Scope.NETWORK,
        school=None,
        network=town["north"],
        period_end=JUNE_2017,
        value=Decimal("81.5"),
        n=410,
    )
    north = network_value(district, metric, town["north"])
    assert north.value == Decimal("81.5")
    assert north.is_entered
    assert north.n == 410
    assert north.schools_reporting == 2
    # The district is still computed from schools.
    assert district_value(district, metric).value == Decimal("85")


def test_entered_district_value_takes_precedence_over_the_computed_one(district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    MeasurementFactory(
        district=district,
        metric=metric,
        scope=Scope.DISTRICT,
        school=None,
        period_end=JUNE_2017,
        value=Decimal("84.2"),
    )
    value = district_value(district, metric)
    assert value.value == Decimal("84.2")
    assert value.is_entered


def test_entered_value_without_school_values_is_its_own_period(district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    MeasurementFactory(
        district=district,
        metric=metric,
        scope=Scope.DISTRICT,
        school=None,
        period_end=JUNE_2016,
        value=Decimal("75"),
    )
    series = district_series(district=district, metric_ids=[metric.pk])[metric.pk]
    assert [(v.period_end, v.value, v.schools_reporting) for v in series] == [
        (JUNE_2016, Decimal("75"), 0),
        (JUNE_2017, Decimal("85"), 4),
    ]


def test_series_are_ordered_by_period_and_limited_by_date(district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    for school, value in (("A", "70"), ("B", "74")):
        MeasurementFactory(
            district=district,
            metric=metric,
            school=town[school],
            period_end=JUNE_2016,
            value=Decimal(value),
            n=100,
        )
    series = district_series(district=district, metric_ids=[metric.pk])[metric.pk]
    assert [v.value for v in series] == [Decimal("72"), Decimal("85")]
    latest, previous = latest_and_previous(series)
    assert latest.value - previous.value == Decimal("13")

    until_2016 = district_series(
        district=district, metric_ids=[metric.pk], until=JUNE_2016
    )[metric.pk]
    assert [v.value for v in until_2016] == [Decimal("72")]
    one_period = district_series(
        district=district, metric_ids=[metric.pk], period_end=JUNE_2017
    )[metric.pk]
    assert [v.period_end for v in one_period] == [JUNE_2017]


def test_newest_periods_are_the_last_of_the_whole_series_entered_values_included(
    district, town
):
    """A scorecard's table reads each series' last two periods, never every week."""
    metric = metric_with_values(district, town, Aggregation.MEAN)
    other = metric_with_values(district, town, Aggregation.MAX)
    for year, value in ((2013, "60"), (2014, "62"), (2015, "64"), (2016, "66")):
        for name in ("A", "C"):
            for each in (metric, other):
                MeasurementFactory(
                    district=district,
                    metric=each,
                    school=town[name],
                    period_end=datetime.date(year, 6, 30),
                    value=Decimal(value),
                    n=100,
                )
    entered = [
        # Newer than any school value, for the district and for North.
        (Scope.DISTRICT, None, datetime.date(2018, 6, 30), "90"),
        (Scope.NETWORK, town["north"], datetime.date(2018, 6, 30), "91"),
        # In place of a computed period among the newest (South, 2017).
        (Scope.NETWORK, town["south"], JUNE_2017, "55"),
        # Older than the newest two: not read.
        (Scope.NETWORK, town["south"], datetime.date(2012, 6, 30), "10"),
    ]
    for scope, network, period, value in entered:
        MeasurementFactory(
            district=district,
            metric=metric,
            scope=scope,
            school=None,
            network=network,
            period_end=period,
            value=Decimal(value),
        )
    ids = [metric.pk, other.pk]
    for read in (district_series, network_series):
        for until in (None, datetime.date(2017, 12, 31), JUNE_2016):
            every = read(district=district, metric_ids=ids, until=until)
            newest = read(district=district, metric_ids=ids, until=until, newest=2)
            assert newest == {key: values[-2:] for key, values in every.items()}
    north = network_series(district=district, metric_ids=ids, newest=2)
    assert [(v.period_end.year, v.value, v.is_entered) for v in north[
        metric.pk, town["north"].pk
    ]] == [(2017, Decimal("85"), False), (2018, Decimal("91"), True)]  # fmt: skip
    south = network_series(district=district, metric_ids=ids, newest=2)
    assert [(v.period_end.year, v.value, v.schools_reporting) for v in south[
        metric.pk, town["south"].pk
    ]] == [(2016, Decimal("66"), 1), (2017, Decimal("55"), 1)]  # fmt: skip


def test_rollups_of_several_metrics_use_each_metrics_aggregation(district, town):
    mean = metric_with_values(district, town, Aggregation.MEAN)
    total = metric_with_values(district, town, Aggregation.SUM)
    series = district_series(district=district, metric_ids=[mean.pk, total.pk])
    assert series[mean.pk][0].value == Decimal("85")
    assert series[total.pk][0].value == Decimal("340")


def test_rollups_read_only_the_given_district(district, other_district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    assert district_series(district=other_district, metric_ids=[metric.pk]) == {}


def test_network_series_can_be_limited_to_some_networks(district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    series = network_series(
        district=district, metric_ids=[metric.pk], network_ids=[town["south"].pk]
    )
    assert list(series) == [(metric.pk, town["south"].pk)]


def test_latest_school_value_comes_with_the_previous_one(district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    MeasurementFactory(
        district=district,
        metric=metric,
        school=town["A"],
        period_end=JUNE_2016,
        value=Decimal("75.25"),
        n=90,
    )
    latest = latest_school_values(
        district=district, metric_ids=[metric.pk], until=JUNE_2017
    )
    a = latest[(metric.pk, town["A"].pk)]
    assert (a.period_end, a.value, a.n) == (JUNE_2017, Decimal("80"), 100)
    assert (a.previous_period_end, a.previous_value, a.previous_n) == (
        JUNE_2016,
        Decimal("75.25"),
        90,
    )
    b = latest[(metric.pk, town["B"].pk)]
    assert b.previous_value is None
    assert len(latest) == 5


def test_latest_school_value_respects_the_as_of_date_and_network(district, town):
    metric = metric_with_values(district, town, Aggregation.MEAN)
    MeasurementFactory(
        district=district,
        metric=metric,
        school=town["A"],
        period_end=JUNE_2016,
        value=Decimal("75"),
        n=90,
    )
    latest = latest_school_values(
        district=district,
        metric_ids=[metric.pk],
        until=JUNE_2016,
        network_id=town["north"].pk,
    )
    assert list(latest) == [(metric.pk, town["A"].pk)]
    assert latest[(metric.pk, town["A"].pk)].value == Decimal("75")


def test_rollup_queries_do_not_grow_with_the_number_of_schools(
    district, town, django_assert_num_queries
):
    metric = metric_with_values(district, town, Aggregation.WEIGHTED_ENROLLMENT)
    with django_assert_num_queries(2):
        district_series(district=district, metric_ids=[metric.pk])
    with django_assert_num_queries(2):
        network_series(district=district, metric_ids=[metric.pk])
    with django_assert_num_queries(1):
        latest_school_values(district=district, metric_ids=[metric.pk], until=JUNE_2017)


@pytest.mark.parametrize("aggregation", Aggregation.values)
def test_refreshing_some_rollups_gives_the_same_values_as_all(
    district, town, aggregation
):
    metric = metric_with_values(district, town, aggregation)
    every = district_series(district=district, metric_ids=[metric.pk])
    by_network = network_series(district=district, metric_ids=[metric.pk])
    refresh_rollups(district, metric_ids=[metric.pk])
    assert district_series(district=district, metric_ids=[metric.pk]) == every
    refresh_rollups(district, pairs=[(metric.pk, JUNE_2017)])
    assert network_series(district=district, metric_ids=[metric.pk]) == by_network
    refresh_rollups(district, network_ids=[town["north"].pk])
    assert network_series(district=district, metric_ids=[metric.pk]) == by_network
    refresh_rollups(district)
    assert district_series(district=district, metric_ids=[metric.pk]) == every


@pytest.mark.django_db
def test_rollup_groups_by_metric_and_period_only(district):
    """Grouping by the metric's aggregation too made PostgreSQL sort every value."""
    metric = MetricFactory(district=district, aggregation=Aggregation.WEIGHTED_N)
    with CaptureQueriesContext(connection) as queries:
        refresh_rollups(district, metric_ids=[metric.pk])
    grouped = [
        q["sql"]
        for q in queries.captured_queries
        if "GROUP BY" in q["sql"] and 'FROM "goals_measurement"' in q["sql"]
    ]
    # The district's and the networks' school values (no network has schools, so
    # there is no network value to chain up).
    assert len(grouped) == 2
    for sql in grouped:
        assert "aggregation" not in sql.split("GROUP BY")[1]


@pytest.mark.postgresql
def test_latest_values_through_the_index_equal_the_window_query(district, town):
    """PostgreSQL reads latest values through the index; SQLite through a window."""
    metrics = [
        metric_with_values(district, town, Aggregation.MEAN),
        metric_with_values(district, town, Aggregation.SUM),
    ]
    for day, value in ((JUNE_2016, "75"), (datetime.date(2015, 6, 30), "70")):
        for school in ("A", "C", "E"):
            MeasurementFactory(
                district=district,
                metric=metrics[0],
                school=town[school],
                period_end=day,
                value=Decimal(value),
                n=None,
            )
    ids = [m.pk for m in metrics]
    for arguments in (
        {},
        {"network_id": town["north"].pk},
        {"network_id": town["south"].pk, "school_ids": [town["C"].pk]},
        {"school_ids": [town["E"].pk, town["A"].pk]},
    ):
        for until in (JUNE_2017, JUNE_2016, datetime.date(2015, 6, 30)):
            options = {"district": district, "metric_ids": ids, "until": until}
            by_window = latest_rows_by_window(**options, **arguments)
            assert sorted(latest_rows_by_index(**options, **arguments)) == sorted(
                by_window
            )
    assert latest_rows_by_window(district=district, metric_ids=ids, until=JUNE_2017)

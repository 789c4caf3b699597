"""Coverage, populations and the rollup chain, with hand-computed expectations.

The town: North is a district-run network (an elementary and a high school), South a
charter network (the same), and one high school belongs to no network. In 2015-16
every school reports; in 2016-17 only North's elementary school has, so far.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.models import NetworkKind, SchoolCategory
from goals.backup import export_district, import_district, read_backup
from goals.dashboards import build_dashboard, default_school_year, school_years
from goals.importers import upsert_measurements
from goals.models import Aggregation, Metric, Population, Rollup, Scope
from goals.rollups import district_series, network_series
from goals.scorecards import build_metric_detail, build_network_scorecard
from goals.status import Status
from tests.admin_pages import errors, form_data, url
from tests.factories import (
    GoalOwnerFactory,
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    RoleFactory,
    SchoolFactory,
)
from tests.rollup_checks import assert_rollups_fresh

pytestmark = pytest.mark.django_db

JUNE_2016 = datetime.date(2016, 6, 30)
JUNE_2017 = datetime.date(2017, 6, 30)
VALUES_2016 = {"n_es": 90, "n_hs": 80, "s_es": 70, "s_hs": 60, "lone_hs": 50}


@pytest.fixture
def town(district):
    north = NetworkFactory(
        district=district, name="North", kind=NetworkKind.DISTRICT_RUN
    )
    south = NetworkFactory(district=district, name="South", kind=NetworkKind.CHARTER)
    es, hs = SchoolCategory.ELEMENTARY, SchoolCategory.HIGH
    schools = {
        "n_es": SchoolFactory(district=district, network=north, category=es),
        "n_hs": SchoolFactory(district=district, network=north, category=hs),
        "s_es": SchoolFactory(district=district, network=south, category=es),
        "s_hs": SchoolFactory(district=district, network=south, category=hs),
        "lone_hs": SchoolFactory(district=district, network=None, category=hs),
    }
    return {"north": north, "south": south, **schools}


def metric_with_values(district, town, **fields) -> Metric:
    metric = MetricFactory(district=district, **fields)
    for key, value in VALUES_2016.items():
        MeasurementFactory(
            district=district,
            metric=metric,
            school=town[key],
            period_end=JUNE_2016,
            value=Decimal(value),
        )
    MeasurementFactory(
        district=district,
        metric=metric,
        school=town["n_es"],
        period_end=JUNE_2017,
        value=Decimal(100),
    )
    return metric


def stored(metric, network=None, period=JUNE_2016) -> Rollup:
    return Rollup.objects.get(metric=metric, network=network, period_end=period)


def coverage(row) -> tuple:
    return (row.value, row.reported, row.expected, row.from_networks)


# --- Coverage ---


def test_every_rollup_counts_who_reported_against_who_was_expected(district, town):
    metric = metric_with_values(district, town)
    # 2015-16: (90 + 80 + 70 + 60 + 50) / 5; everyone reported.
    assert coverage(stored(metric)) == (Decimal("70.0000"), 5, 5, False)
    assert coverage(stored(metric, town["north"])) == (Decimal("85.0000"), 2, 2, False)
    # 2016-17: one school of five, one of North's two.
    assert coverage(stored(metric, period=JUNE_2017)) == (
        Decimal("100.0000"),
        1,
        5,
        False,
    )
    assert coverage(stored(metric, town["north"], JUNE_2017))[1:3] == (1, 2)
    assert not Rollup.objects.filter(network=town["south"], period_end=JUNE_2017)
    assert_rollups_fresh(district)


def test_a_suppressed_value_reports_but_stays_out_of_the_value(district, town):
    metric = metric_with_values(district, town)
    MeasurementFactory(
        district=district,
        metric=metric,
        school=town["n_hs"],
        period_end=JUNE_2017,
        value=Decimal(10),
        n=3,  # below the district's minimum n of 10
    )
    row = stored(metric, period=JUNE_2017)
    assert (row.value, row.schools_reporting, row.reported) == (
        Decimal("100.0000"),
        1,
        2,
    )


def test_the_headline_stays_on_the_latest_complete_period(district, town, editor):
    metric_with_values(district, town)
    board = build_dashboard(
        district=district, user=editor, as_of=JUNE_2017, can_see_suppressed=True
    )
    card = board.goals[0].metrics[0]
    assert card.latest.value == Decimal("70.0000")  # 2015-16, not the partial 100
    assert card.latest_period == "2015-16"
    assert card.coverage.text == "5 of 5 schools reported"
    assert not card.coverage.is_partial
    assert card.in_progress.period_end == JUNE_2017
    assert card.in_progress.latest.value == Decimal("100.0000")
    assert card.in_progress.coverage.text == "1 of 5 schools reported"
    assert card.in_progress.coverage.is_partial
    # The chart marks the partial period by shape and says so in its table.
    chart = card.chart
    assert "chart-partial-mark" in chart.value_marks
    assert "Partial: 1 of 5 schools reported." in chart.table_rows
    assert "2017-06-30" not in " ".join(
        f"{p.on}" for p in chart.values.points if not p.partial_note
    )


def test_a_metric_or_the_district_may_lower_the_threshold(district, town, editor):
    metric = metric_with_values(district, town)
    metric.coverage_threshold = 20  # 1 of 5 is 20 %: complete
    metric.save()
    metric = Metric.objects.select_related("district").get(pk=metric.pk)
    board = build_dashboard(
        district=district, user=editor, as_of=JUNE_2017, can_see_suppressed=True
    )
    card = board.goals[0].metrics[0]
    assert (card.latest.value, card.in_progress) == (Decimal("100.0000"), None)
    metric.coverage_threshold = None
    metric.save()
    district.coverage_threshold = 21
    district.save()
    board = build_dashboard(
        district=district, user=editor, as_of=JUNE_2017, can_see_suppressed=True
    )
    assert board.goals[0].metrics[0].latest.value == Decimal("70.0000")


def test_the_pages_say_how_many_reported_and_that_a_period_is_partial(
    district, town, client_for, viewer
):
    metric = metric_with_values(district, town)
    client = client_for(viewer)
    dashboard = client.get(f"/districts/{district.slug}/dashboard/?year=2016-17")
    page = dashboard.content.decode()
    assert "5 of 5 schools reported" in page
    assert "1 of 5 schools reported: <strong>partial</strong>" in page
    detail = client.get(f"/districts/{district.slug}/metrics/{metric.pk}/?year=2016-17")
    page = detail.content.decode()
    assert "1 of 2 schools reported: <strong>partial</strong>" in page  # North's row
    scorecard = client.get(
        f"/districts/{district.slug}/networks/{town['north'].pk}/?year=2016-17"
    )
    assert (
        "1 of 2 schools reported: <strong>partial</strong>"
        in scorecard.content.decode()
    )


def test_the_default_year_skips_a_year_with_only_partial_periods(district, town):
    metric_with_values(district, town)
    assert school_years(district) == ("2016-17", "2015-16")
    assert default_school_year(district, school_years(district)) == "2015-16"
    MeasurementFactory(
        district=district,
        metric=Metric.objects.get(district=district),
        scope=Scope.DISTRICT,
        school=None,
        period_end=JUNE_2017,
        value=Decimal(88),
    )  # an official district figure is complete
    assert default_school_year(district, school_years(district)) == "2016-17"


# --- Populations ---


def test_a_category_population_counts_only_its_schools(district, town):
    metric = metric_with_values(
        district,
        town,
        population=Population.CATEGORY,
        population_category=SchoolCategory.HIGH,
    )
    # High schools only: (80 + 60 + 50) / 3.
    assert coverage(stored(metric)) == (Decimal("63.3333"), 3, 3, False)
    assert coverage(stored(metric, town["south"])) == (Decimal("60.0000"), 1, 1, False)
    # North's elementary value of 2016-17 is outside the population: no rollup at all.
    assert not Rollup.objects.filter(metric=metric, period_end=JUNE_2017).exists()
    assert_rollups_fresh(district)


def test_a_network_kind_population_leaves_other_networks_out(district, town, editor):
    metric = metric_with_values(
        district,
        town,
        population=Population.NETWORK_KIND,
        population_network_kind=NetworkKind.DISTRICT_RUN,
    )
    # District-run schools only: (90 + 80) / 2, out of 2 expected.
    assert coverage(stored(metric)) == (Decimal("85.0000"), 2, 2, False)
    assert not Rollup.objects.filter(metric=metric, network=town["south"]).exists()
    metric = Metric.objects.select_related("district").get(pk=metric.pk)
    detail = build_metric_detail(
        district=district,
        user=editor,
        metric=metric,
        networks=[town["north"], town["south"]],
        as_of=JUNE_2016,
        can_see_suppressed=True,
    )
    statuses = {row.place.name: row.status.status for row in detail.networks}
    assert statuses["South"] == Status.NOT_APPLICABLE
    assert statuses["North"] != Status.NOT_APPLICABLE
    assert_rollups_fresh(district)


def test_a_listed_population_counts_the_listed_schools(district, town):
    metric = metric_with_values(district, town, population=Population.SCHOOLS)
    metric.population_schools.set([town["n_es"], town["s_hs"]])
    # (90 + 60) / 2, one school expected in each network.
    assert coverage(stored(metric)) == (Decimal("75.0000"), 2, 2, False)
    assert coverage(stored(metric, town["north"]))[1:3] == (1, 1)
    assert coverage(stored(metric, town["south"])) == (Decimal("60.0000"), 1, 1, False)
    # 2016-17: the one listed school of North reported: complete for North.
    assert coverage(stored(metric, town["north"], JUNE_2017))[1:3] == (1, 1)
    assert_rollups_fresh(district)
    metric.population_schools.remove(town["s_hs"])
    assert coverage(stored(metric)) == (Decimal("90.0000"), 1, 1, False)
    assert_rollups_fresh(district)


def test_school_rankings_leave_out_schools_outside_the_population(
    district, town, editor
):
    high = metric_with_values(
        district,
        town,
        population=Population.CATEGORY,
        population_category=SchoolCategory.HIGH,
    )
    district_run = metric_with_values(
        district,
        town,
        population=Population.NETWORK_KIND,
        population_network_kind=NetworkKind.DISTRICT_RUN,
    )
    scorecard = build_network_scorecard(
        district=district,
        user=editor,
        network=town["south"],
        as_of=JUNE_2016,
        can_see_suppressed=True,
    )
    # No school of the charter network is in the district-run population.
    assert [m.pk for m in scorecard.school_metrics] == [high.pk]
    cells = {row.school.pk: row.cells[0] for row in scorecard.schools}
    assert cells[town["s_es"].pk].status.status == Status.NOT_APPLICABLE
    assert cells[town["s_hs"].pk].latest.value == Decimal("60.0000")
    statuses = {
        item.card.metric.pk: item.card.status.status for item in scorecard.metrics
    }
    assert statuses[district_run.pk] == Status.NOT_APPLICABLE


def test_a_network_without_the_population_says_not_applicable(
    district, town, client_for, viewer
):
    metric = metric_with_values(
        district,
        town,
        population=Population.NETWORK_KIND,
        population_network_kind=NetworkKind.DISTRICT_RUN,
    )
    page = client_for(viewer).get(
        f"/districts/{district.slug}/metrics/{metric.pk}/?year=2015-16"
    )
    south = next(r for r in page.context["detail"].networks if r.place.name == "South")
    assert south.status.status == Status.NOT_APPLICABLE
    assert "Not applicable" in page.content.decode()


# --- The rollup chain ---


def network_value(district, metric, network, value, n=None, period=JUNE_2016):
    return MeasurementFactory(
        district=district,
        metric=metric,
        scope=Scope.NETWORK,
        school=None,
        network=network,
        period_end=period,
        value=Decimal(value),
        n=n,
    )


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        (Aggregation.MEAN, Decimal("70.0000")),  # (80 + 60) / 2
        (Aggregation.WEIGHTED_N, Decimal("65.0000")),  # (80*100 + 60*300) / 400
        (Aggregation.WEIGHTED_ENROLLMENT, Decimal("65.0000")),  # by n as well
        (Aggregation.SUM, Decimal("140.0000")),
        (Aggregation.MIN, Decimal("60.0000")),
    ],
)
def test_network_values_roll_up_to_the_district_without_school_values(
    district, town, aggregation, expected
):
    metric = MetricFactory(district=district, aggregation=aggregation)
    network_value(district, metric, town["north"], 80, n=100)
    assert coverage(stored(metric)) == (Decimal("80.0000"), 1, 2, True)
    network_value(district, metric, town["south"], 60, n=300)
    assert coverage(stored(metric)) == (expected, 2, 2, True)
    assert_rollups_fresh(district)
    series = district_series(district=district, metric_ids=[metric.pk])[metric.pk]
    assert series[0].from_networks and series[0].value == expected
    # The networks' own values stay the entered ones.
    by_network = network_series(district=district, metric_ids=[metric.pk])
    assert by_network[metric.pk, town["south"].pk][0].is_entered


def test_school_values_win_over_network_values_for_their_period(district, town):
    metric = MetricFactory(district=district)
    network_value(district, metric, town["north"], 80)
    network_value(district, metric, town["south"], 60)
    school = MeasurementFactory(
        district=district,
        metric=metric,
        school=town["s_hs"],
        period_end=JUNE_2016,
        value=Decimal(40),
    )
    # One school of five: from schools, partial, never mixed with network values.
    assert coverage(stored(metric)) == (Decimal("40.0000"), 1, 5, False)
    assert_rollups_fresh(district)
    school.delete()
    assert coverage(stored(metric)) == (Decimal("70.0000"), 2, 2, True)
    assert_rollups_fresh(district)


def test_the_chain_follows_every_change_of_network_values(district, town, editor):
    metric = MetricFactory(district=district)
    north = network_value(district, metric, town["north"], 80)
    network_value(district, metric, town["south"], 60)
    north.value = Decimal(90)
    north.save()
    assert stored(metric).value == Decimal("75.0000")
    north.delete()
    assert coverage(stored(metric)) == (Decimal("60.0000"), 1, 2, True)
    assert_rollups_fresh(district)
    town["south"].delete()  # its value goes with it
    assert not Rollup.objects.filter(metric=metric).exists()
    assert_rollups_fresh(district)


def test_network_values_written_in_bulk_roll_up_to_the_district(district, town, editor):
    metric = MetricFactory(district=district)
    result = upsert_measurements(
        district=district,
        rows=[
            {
                "metric": metric.code,
                "network": town["north"].name,
                "period_end": JUNE_2016.isoformat(),
                "value": 80,
            },
            {
                "metric": metric.code,
                "network": town["south"].name,
                "period_end": JUNE_2016.isoformat(),
                "value": 60,
            },
        ],
        acting_user=editor,
    )
    assert not result.errors
    assert coverage(stored(metric)) == (Decimal("70.0000"), 2, 2, True)
    upsert_measurements(
        district=district,
        rows=[
            {
                "metric": metric.code,
                "network": town["north"].name,
                "period_end": JUNE_2016.isoformat(),
                "value": 90,
            },
        ],
        acting_user=editor,
    )
    assert stored(metric).value == Decimal("75.0000")  # (90 + 60) / 2
    assert_rollups_fresh(district)


def test_the_role_scorecard_shows_a_district_value_from_three_networks(
    district, town, client_for, viewer
):
    west = NetworkFactory(district=district, name="West")
    SchoolFactory(district=district, network=west)
    metric = MetricFactory(district=district)
    role = RoleFactory(district=district)
    GoalOwnerFactory(district=district, goal=metric.goal, role=role)
    for network, value in ((town["north"], 80), (town["south"], 60), (west, 70)):
        network_value(district, metric, network, value)
    page = client_for(viewer).get(
        f"/districts/{district.slug}/roles/{role.pk}/?year=2015-16"
    )
    card = page.context["scorecard"].own_goals[0].metrics[0]
    assert card.latest.value == Decimal("70.0000")  # (80 + 60 + 70) / 3
    assert card.coverage.text == "3 of 3 networks reported"
    assert card.status.status != Status.NO_DATA
    assert "3 of 3 networks reported" in page.content.decode()


# --- Stored rollups follow every change of population ---


def test_population_changes_keep_the_stored_rollups_fresh(district, town):
    category = metric_with_values(
        district,
        town,
        population=Population.CATEGORY,
        population_category=SchoolCategory.HIGH,
    )
    kind = metric_with_values(
        district,
        town,
        population=Population.NETWORK_KIND,
        population_network_kind=NetworkKind.DISTRICT_RUN,
    )
    metric_with_values(district, town)
    town["n_es"].category = SchoolCategory.HIGH
    town["n_es"].save()
    assert stored(category).reported == 4
    assert_rollups_fresh(district)
    town["south"].kind = NetworkKind.DISTRICT_RUN
    town["south"].save()
    assert stored(kind).expected == 4
    assert_rollups_fresh(district)
    town["lone_hs"].network = town["north"]
    town["lone_hs"].save()
    assert_rollups_fresh(district)
    SchoolFactory(district=district, network=town["north"])  # one more expected
    assert stored(kind).expected == 6
    assert_rollups_fresh(district)
    category.population = Population.ALL
    category.population_category = ""
    category.save()
    assert stored(category).expected == 6
    assert_rollups_fresh(district)


# --- Queries ---


def test_reads_with_coverage_and_populations_do_not_grow_with_schools(
    district, editor, api_client_for
):
    north = NetworkFactory(district=district, kind=NetworkKind.DISTRICT_RUN)
    metric = MetricFactory(
        district=district,
        population=Population.NETWORK_KIND,
        population_network_kind=NetworkKind.DISTRICT_RUN,
    )
    listed = MetricFactory(district=district, population=Population.SCHOOLS)
    client = api_client_for(editor)
    counts = []
    for size in (3, 30):
        for _ in range(size):
            school = SchoolFactory(district=district, network=north)
            listed.population_schools.add(school)
            for period in (JUNE_2016, JUNE_2017):
                MeasurementFactory(
                    district=district, metric=metric, school=school, period_end=period
                )
        with CaptureQueriesContext(connection) as queries:
            for url in (
                f"/api/v1/metrics/{metric.pk}/status/?as_of=2017-06-30",
                f"/api/v1/districts/{district.slug}/dashboard/?network={north.pk}",
                f"/api/v1/metrics/?district={district.slug}",
            ):
                assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- API ---


def test_the_api_gives_coverage_and_the_period_in_progress(
    district, town, api_client_for, viewer
):
    metric = metric_with_values(district, town)
    client = api_client_for(viewer)
    data = client.get(f"/api/v1/metrics/{metric.pk}/status/?as_of=2017-06-30").json()
    assert data["district"]["value"] == "70.0000"
    assert data["district"]["period_end"] == "2016-06-30"
    assert data["district"]["coverage"] == {
        "reported": 5,
        "expected": 5,
        "units": "schools",
        "is_partial": False,
        "text": "5 of 5 schools reported",
    }
    assert data["district"]["in_progress"] == {
        "period_end": "2017-06-30",
        "value": "100.0000",
        "coverage": {
            "reported": 1,
            "expected": 5,
            "units": "schools",
            "is_partial": True,
            "text": "1 of 5 schools reported",
        },
    }
    north = next(r for r in data["networks"] if r["network"]["display"] == "North")
    assert north["in_progress"]["coverage"]["text"] == "1 of 2 schools reported"
    board = client.get(
        f"/api/v1/districts/{district.slug}/dashboard/?as_of=2017-06-30"
    ).json()
    card = board["goals"][0]["metrics"][0]
    assert (card["value"], card["in_progress"]["value"]) == ("70.0000", "100.0000")


def test_the_api_says_not_applicable_and_counts_it(
    district, town, api_client_for, viewer
):
    metric = metric_with_values(
        district,
        town,
        population=Population.NETWORK_KIND,
        population_network_kind=NetworkKind.DISTRICT_RUN,
    )
    client = api_client_for(viewer)
    data = client.get(f"/api/v1/metrics/{metric.pk}/status/?as_of=2016-06-30").json()
    south = next(r for r in data["networks"] if r["network"]["display"] == "South")
    assert (south["status"], south["coverage"]) == ("not_applicable", None)
    board = client.get(
        f"/api/v1/districts/{district.slug}/dashboard/"
        f"?as_of=2016-06-30&network={town['south'].pk}"
    ).json()
    assert board["counts"]["not_applicable"] == 1
    assert board["counts"]["no_data"] == 0


def test_the_api_edits_a_metrics_population_and_threshold(
    district, town, api_client_for, editor
):
    metric = metric_with_values(district, town)
    client = api_client_for(editor)
    url = f"/api/v1/metrics/{metric.pk}/"
    response = client.patch(
        url,
        {
            "population": "schools",
            "population_schools": [town["n_es"].pk, town["s_hs"].pk],
            "coverage_threshold": 50,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert sorted(data["population_schools"]) == sorted(
        [town["n_es"].pk, town["s_hs"].pk]
    )
    assert (data["coverage_threshold"], data["effective_coverage_threshold"]) == (
        50,
        50,
    )
    assert coverage(stored(metric)) == (Decimal("75.0000"), 2, 2, False)
    assert_rollups_fresh(district)
    response = client.patch(
        url,
        {"population": "network_kind", "population_network_kind": "district_run"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert coverage(stored(metric)) == (Decimal("85.0000"), 2, 2, False)
    assert_rollups_fresh(district)


@pytest.mark.parametrize(
    "body",
    [
        {"population": "category"},  # which category?
        {"population": "all", "population_category": "HS"},
        {"population": "network_kind", "population_network_kind": "pirate"},
        {"coverage_threshold": 0},
        {"coverage_threshold": 101},
        {"population": "nobody"},
    ],
)
def test_the_api_refuses_a_population_or_threshold_that_makes_no_sense(
    district, town, api_client_for, editor, body
):
    metric = metric_with_values(district, town)
    before = set(Rollup.objects.values_list("metric", "network", "value"))
    response = api_client_for(editor).patch(
        f"/api/v1/metrics/{metric.pk}/", body, format="json"
    )
    assert response.status_code == 400, response.json()
    assert set(Rollup.objects.values_list("metric", "network", "value")) == before
    metric.refresh_from_db()
    assert (metric.population, metric.coverage_threshold) == (Population.ALL, None)


def test_the_api_refuses_another_districts_schools_in_a_population(
    district, other_district, town, api_client_for, editor, superuser
):
    metric = metric_with_values(district, town)
    foreign = SchoolFactory(district=other_district)
    for user in (editor, superuser):  # the superuser sees the foreign school
        response = api_client_for(user).patch(
            f"/api/v1/metrics/{metric.pk}/",
            {"population": "schools", "population_schools": [foreign.pk]},
            format="json",
        )
        assert response.status_code == 400
        assert "population_schools" in response.json()
    assert not metric.population_schools.exists()


def test_only_editors_change_a_population(
    district, town, api_client_for, viewer, outsider
):
    metric = metric_with_values(district, town)
    body = {"population": "category", "population_category": "HS"}
    url = f"/api/v1/metrics/{metric.pk}/"
    assert api_client_for(viewer).patch(url, body, format="json").status_code == 403
    assert api_client_for(outsider).patch(url, body, format="json").status_code == 404
    assert api_client_for(None).patch(url, body, format="json").status_code in (
        401,
        403,
    )
    metric.refresh_from_db()
    assert metric.population == Population.ALL


# --- Admin, CSV, backup ---


def test_the_admin_edits_a_population_and_refuses_foreign_schools(
    district, other_district, town, client_for, superuser
):
    metric = metric_with_values(district, town)
    client = client_for(superuser)
    page = client.get(url(Metric, "change", metric.pk))
    data = form_data(page)
    foreign = SchoolFactory(district=other_district)
    data.update(population="schools", population_schools=[foreign.pk])
    response = client.post(url(Metric, "change", metric.pk), data)
    assert response.status_code == 200
    assert "population_schools" in response.context["adminform"].form.errors
    assert not metric.population_schools.exists()
    data.update(population_schools=[town["n_hs"].pk, town["s_hs"].pk])
    response = client.post(url(Metric, "change", metric.pk), data)
    assert response.status_code == 302, errors(response)
    assert coverage(stored(metric)) == (
        Decimal("70.0000"),
        2,
        2,
        False,
    )  # (80 + 60) / 2
    assert_rollups_fresh(district)


def test_the_metric_csv_says_how_many_reported_and_what_is_in_progress(
    district, town, client_for, viewer
):
    metric = metric_with_values(district, town)
    response = client_for(viewer).get(
        f"/districts/{district.slug}/metrics/{metric.pk}/?year=2016-17&format=csv"
    )
    rows = {
        row["name"]: row
        for row in csv.DictReader(io.StringIO(response.content.decode()))
    }
    assert rows[district.name]["coverage"] == "5 of 5 schools reported"
    assert rows[district.name]["in_progress"] == (
        "2017-06-30: 100.0 (1 of 5 schools reported)"
    )
    assert rows["South"]["in_progress"] == ""


def test_a_restored_district_keeps_its_populations_and_coverage(district, town):
    metric = metric_with_values(district, town, population=Population.SCHOOLS)
    metric.population_schools.set([town["n_es"], town["s_hs"]])
    stream = io.StringIO()
    export_district(district=district, stream=stream)
    backup = read_backup(io.StringIO(stream.getvalue()))
    district.delete()
    restored = import_district(backup=backup).district
    metric = Metric.objects.get(district=restored)
    assert metric.population_schools.count() == 2
    assert coverage(stored(metric)) == (Decimal("75.0000"), 2, 2, False)
    assert_rollups_fresh(restored)

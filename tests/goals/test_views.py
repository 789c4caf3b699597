"""Dashboard, metric page and scorecards: access, filters, as-of, suppression, queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.models import District, Network, School
from goals.models import Scope
from tests.factories import (
    GoalFactory,
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    RoleFactory,
)

from .district_data import add_schools, build_district_data


@pytest.fixture
def data(district):
    return build_district_data(district, schools=20)


def page_urls(data):
    slug = data.district.slug
    metric, network, role = data.attendance.pk, data.north.pk, data.cao.pk
    return {
        "dashboard": f"/districts/{slug}/dashboard/",
        "filtered dashboard": (
            f"/districts/{slug}/dashboard/?role={role}&network={network}&year=2016-17"
        ),
        "metric": f"/districts/{slug}/metrics/{metric}/",
        "metric csv": f"/districts/{slug}/metrics/{metric}/?format=csv",
        "metric network": f"/districts/{slug}/metrics/{metric}/networks/{network}/",
        "metric network csv": (
            f"/districts/{slug}/metrics/{metric}/networks/{network}/?format=csv"
        ),
        "network scorecard": f"/districts/{slug}/networks/{network}/",
        "network trends": f"/districts/{slug}/networks/{network}/trends/",
        "network trends (loaded by the scorecard)": (
            f"/districts/{slug}/networks/{network}/trends/?year=2016-17"
        ),
        "role scorecard": f"/districts/{slug}/roles/{role}/",
    }


PAGES = [
    "dashboard",
    "filtered dashboard",
    "metric",
    "metric csv",
    "metric network",
    "metric network csv",
    "network scorecard",
    "network trends",
    "network trends (loaded by the scorecard)",
    "role scorecard",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["viewer", "editor", "district_admin", "superuser"])
def test_members_can_open_every_page(client_for, data, page, persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(page_urls(data)[page])
    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_outsider_gets_404_on_every_page(client_for, data, outsider, page):
    assert client_for(outsider).get(page_urls(data)[page]).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_log_in_on_every_page(client_for, data, page):
    response = client_for(None).get(page_urls(data)[page])
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_another_districts_objects_are_404_under_this_district(
    client_for, data, viewer, other_district
):
    foreign_metric = MetricFactory(district=other_district)
    foreign_network = NetworkFactory(district=other_district)
    foreign_role = RoleFactory(district=other_district)
    c = client_for(viewer)
    slug = data.district.slug
    for url in (
        f"/districts/{slug}/metrics/{foreign_metric.pk}/",
        f"/districts/{slug}/metrics/{data.attendance.pk}/networks/{foreign_network.pk}/",
        f"/districts/{slug}/networks/{foreign_network.pk}/",
        f"/districts/{slug}/networks/{foreign_network.pk}/trends/",
        f"/districts/{slug}/roles/{foreign_role.pk}/",
        f"/districts/{other_district.slug}/metrics/{foreign_metric.pk}/",
        "/districts/no-such-district/dashboard/",
    ):
        assert c.get(url).status_code == 404, url


def test_home_page_links_to_the_dashboard(client_for, viewer, district):
    response = client_for(viewer).get("/")
    assert 'href="/districts/lakeside/dashboard/"' in response.content.decode()
    assert ">Dashboard</a>" in response.content.decode()


def test_metric_url_names_its_district(data):
    assert data.attendance.get_absolute_url() == (
        f"/districts/lakeside/metrics/{data.attendance.pk}/"
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_does_not_grow_with_the_number_of_schools(
    client_for, data, editor, page
):
    c = client_for(editor)
    url = page_urls(data)[page]
    c.get(url)  # first request: sessions and caches settle
    with CaptureQueriesContext(connection) as small:
        assert c.get(url).status_code == 200
    add_schools(data, 580)
    with CaptureQueriesContext(connection) as large:
        assert c.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_dashboard_is_as_of_the_end_of_the_latest_school_year_with_data(
    client_for, data, viewer
):
    response = client_for(viewer).get("/districts/lakeside/dashboard/")
    body = response.content.decode()
    assert response.context["dashboard"].as_of == datetime.date(2018, 6, 30)
    assert "30 June 2018" in body
    assert "2017-18" in body


def test_data_that_stopped_years_ago_shows_real_statuses_not_stale(
    client_for, data, viewer
):
    # The values end in June 2018, long before today: still judged as of 2017-18.
    board = (
        client_for(viewer).get("/districts/lakeside/dashboard/").context["dashboard"]
    )
    statuses = {
        card.metric.code: card.status.status for g in board.goals for card in g.metrics
    }
    assert "stale" not in statuses.values()
    assert statuses == {
        "attendance": "on_track",  # 95.0551 against 95 expected
        "suspensions": "off_track",  # 10 against 7.5 expected, lower is better
        "uptime": "off_track",  # 160 against 168.75 expected
    }


def test_dashboard_status_of_attendance_is_computed_from_the_weighted_rollup(
    client_for, data, viewer
):
    board = (
        client_for(viewer).get("/districts/lakeside/dashboard/").context["dashboard"]
    )
    card = next(
        c for g in board.goals for c in g.metrics if c.metric == data.attendance
    )
    # 2017-18: schools 1..19 (school 0 is suppressed), value 94 + (i % 5) / 2 with
    # n = 200 + i. Expected on 30 June 2018: 94 + 2 * 365 / 730 = 95.
    weights = {i: 200 + i for i in range(1, 20)}
    values = {i: Decimal("94") + Decimal(i % 5) / 2 for i in range(1, 20)}
    weighted = sum(values[i] * weights[i] for i in weights) / sum(weights.values())
    assert card.latest.value == weighted.quantize(Decimal("0.0001"))
    assert card.latest.value == Decimal("95.0551")
    assert card.status.expected == Decimal("95")
    assert card.status.status == "on_track"
    assert card.schools_reporting == 19


def test_dashboard_year_filter_changes_the_as_of_date(client_for, data, viewer):
    response = client_for(viewer).get("/districts/lakeside/dashboard/?year=2015-16")
    assert response.context["dashboard"].as_of == datetime.date(2016, 6, 30)
    assert "30 June 2016" in response.content.decode()


def test_dashboard_ignores_an_unknown_year_and_shows_the_latest(
    client_for, data, viewer
):
    response = client_for(viewer).get("/districts/lakeside/dashboard/?year=1999-00")
    assert response.status_code == 200
    assert response.context["dashboard"].as_of == datetime.date(2018, 6, 30)


def test_dashboard_with_nonsense_filters_is_not_an_error(client_for, data, viewer):
    response = client_for(viewer).get(
        "/districts/lakeside/dashboard/?role=abc&network=%00&year=x"
    )
    assert response.status_code == 200


def goal_statements(response):
    return [card.goal.statement for card in response.context["dashboard"].goals]


def test_dashboard_filters_by_owner_role(client_for, data, viewer):
    c = client_for(viewer)
    cto = c.get(f"/districts/lakeside/dashboard/?role={data.cto.pk}")
    assert goal_statements(cto) == [data.cto_goal.statement]
    cso = c.get(f"/districts/lakeside/dashboard/?role={data.cso.pk}")
    assert goal_statements(cso) == [data.joint_goal.statement]


def test_role_filter_includes_goals_where_the_role_owns_a_metric(
    client_for, data, viewer
):
    # The CAO co-owns the joint goal and owns the uptime metric of the CTO's goal.
    response = client_for(viewer).get(
        f"/districts/lakeside/dashboard/?role={data.cao.pk}"
    )
    assert goal_statements(response) == [
        data.joint_goal.statement,
        data.cto_goal.statement,
    ]


def test_joint_filter_shows_goals_owned_by_two_or_more_roles(client_for, data, viewer):
    response = client_for(viewer).get("/districts/lakeside/dashboard/?role=joint")
    assert goal_statements(response) == [data.joint_goal.statement]
    assert "Joint owners:" in response.content.decode()


def test_network_filter_shows_the_networks_values(client_for, data, viewer):
    response = client_for(viewer).get(
        f"/districts/lakeside/dashboard/?network={data.south.pk}"
    )
    board = response.context["dashboard"]
    assert board.scope_label == "South"
    uptime = next(c for g in board.goals for c in g.metrics if c.metric == data.uptime)
    # Minimum over South (odd schools): 150 + 10 + i % 4, smallest at i = 4k + 1... 161
    assert uptime.latest.value == Decimal("161")
    assert uptime.schools_reporting == 10
    assert (
        "Shared goals dashboard: Lakeside Unified, South" in response.content.decode()
    )


def test_dashboard_filters_stay_in_the_form(client_for, data, viewer):
    body = (
        client_for(viewer)
        .get(f"/districts/lakeside/dashboard/?role=joint&network={data.north.pk}")
        .content.decode()
    )
    assert '<option value="joint" selected>' in body
    assert f'<option value="{data.north.pk}" selected>' in body
    assert 'method="get"' in body


def test_dashboard_counts_metrics_by_status(client_for, data, viewer):
    board = (
        client_for(viewer).get("/districts/lakeside/dashboard/").context["dashboard"]
    )
    counts = dict(board.counts)
    assert sum(counts.values()) == 3
    assert counts["off_track"] == 2


def test_dashboard_links_network_and_role_scorecards(client_for, data, viewer):
    body = client_for(viewer).get("/districts/lakeside/dashboard/").content.decode()
    assert f"/districts/lakeside/networks/{data.north.pk}/?year=2017-18" in body
    assert f"/districts/lakeside/roles/{data.cto.pk}/?year=2017-18" in body


def test_status_is_a_word_and_a_shape_not_colour_alone(client_for, data, viewer):
    body = client_for(viewer).get("/districts/lakeside/dashboard/").content.decode()
    assert 'class="status status-off_track"' in body
    assert '<span class="status-icon" aria-hidden="true">✖</span> Off track' in body


def test_charts_are_labelled_svg_followed_by_their_numbers(client_for, data, viewer):
    body = client_for(viewer).get("/districts/lakeside/dashboard/").content.decode()
    assert body.count('role="img"') == 3
    assert "<title id=" in body and "<desc id=" in body
    assert 'class="chart-trajectory" fill="none" stroke-dasharray' in body
    assert body.count("<summary>Chart data") == 3
    assert "<script" not in body.split("<main", 1)[1].split("</main>")[0]


def test_goal_without_metrics_and_district_without_data_show_no_data(
    client_for, district, viewer
):
    GoalFactory(district=district, statement="A goal still being defined")
    response = client_for(viewer).get("/districts/lakeside/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "This goal has no metrics yet." in body
    assert "No data" in body


def test_viewer_sees_small_school_values_as_suppressed(client_for, data, viewer):
    url = f"/districts/lakeside/metrics/{data.attendance.pk}/networks/{data.north.pk}/"
    response = client_for(viewer).get(url)
    body = response.content.decode()
    small = next(
        row
        for row in response.context["detail"].schools
        if row.place == data.small_school
    )
    assert small.latest.is_suppressed
    assert small.latest.value is None
    assert small.status.status == "no_data"
    assert "Suppressed (n&lt;10)" in body


def test_editor_sees_small_school_values_marked_below_the_minimum(
    client_for, data, editor
):
    url = f"/districts/lakeside/metrics/{data.attendance.pk}/networks/{data.north.pk}/"
    response = client_for(editor).get(url)
    small = next(
        row
        for row in response.context["detail"].schools
        if row.place == data.small_school
    )
    assert small.latest.value == Decimal("94")
    assert small.latest.is_below_min_n
    assert "below minimum n (n=4)" in response.content.decode()


def test_entered_district_value_with_small_n_is_suppressed_for_viewers_only(
    client_for, data, viewer, editor
):
    MeasurementFactory(
        district=data.district,
        metric=data.uptime,
        scope=Scope.DISTRICT,
        school=None,
        period_end=datetime.date(2018, 6, 30),
        value=Decimal("171.5"),
        n=3,
    )
    data.uptime.min_n = 5
    data.uptime.save()

    def uptime_card(user):
        board = (
            client_for(user).get("/districts/lakeside/dashboard/").context["dashboard"]
        )
        return next(
            c for g in board.goals for c in g.metrics if c.metric == data.uptime
        )

    seen_by_viewer = uptime_card(viewer)
    assert seen_by_viewer.latest.text == "Suppressed (n<5)"
    assert seen_by_viewer.status.status == "no_data"
    assert seen_by_viewer.change == "—"  # a change would reveal the hidden value
    assert all(p.text != "171.5 days" for p in seen_by_viewer.chart.values.points)
    seen_by_editor = uptime_card(editor)
    assert seen_by_editor.latest.value == Decimal("171.5")
    assert seen_by_editor.latest.is_below_min_n


def test_entered_district_value_with_small_n_stays_out_of_a_viewers_csv(
    client_for, data, viewer, editor
):
    MeasurementFactory(
        district=data.district,
        metric=data.uptime,
        scope=Scope.DISTRICT,
        school=None,
        period_end=datetime.date(2018, 6, 30),
        value=Decimal("171.5"),
        n=3,
    )
    data.uptime.min_n = 5
    data.uptime.save()
    url = f"/districts/lakeside/metrics/{data.uptime.pk}/?format=csv"

    def district_row(user):
        text = client_for(user).get(url).content.decode()
        return next(csv.DictReader(io.StringIO(text))), text

    row, text = district_row(viewer)
    assert row["latest"] == "Suppressed (n<5)"
    assert row["change"] == ""
    assert "171.5" not in text
    row, _ = district_row(editor)
    assert row["latest"] == "171.5"


def test_viewer_csv_does_not_contain_suppressed_values(client_for, data, viewer):
    url = (
        f"/districts/lakeside/metrics/{data.attendance.pk}/networks/{data.north.pk}/"
        "?format=csv&year=2017-18"
    )
    response = client_for(viewer).get(url)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    small = next(r for r in rows if r["school_id"] == data.small_school.school_id)
    assert small["latest"] == "Suppressed (n<10)"
    assert small["change"] == ""
    assert rows[0]["scope"] == "district"
    assert {r["scope"] for r in rows[1:]} == {"school"}
    assert len(rows) == 1 + 10


def test_metric_csv_lists_the_district_and_each_network(client_for, data, viewer):
    response = client_for(viewer).get(
        f"/districts/lakeside/metrics/{data.suspensions.pk}/?format=csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["scope"], r["name"]) for r in rows] == [
        ("district", "Lakeside Unified"),
        ("network", "North"),
        ("network", "South"),
    ]
    assert rows[0]["status"] == "Off track"
    assert rows[0]["schools_reporting"] == "19"


def test_metric_csv_writes_names_that_look_like_formulas_as_text(
    client_for, data, viewer
):
    District.objects.filter(pk=data.district.pk).update(name='=HYPERLINK("x")')
    Network.objects.filter(pk=data.north.pk).update(name="@North")
    School.objects.filter(pk=data.small_school.pk).update(name="+cmd|' /C calc'!A0")
    base = f"/districts/lakeside/metrics/{data.suspensions.pk}/"
    rows = list(
        csv.DictReader(
            io.StringIO(client_for(viewer).get(f"{base}?format=csv").content.decode())
        )
    )
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("x")', "'@North", "South"]
    school_rows = csv.DictReader(
        io.StringIO(
            client_for(viewer)
            .get(f"{base}networks/{data.north.pk}/?format=csv")
            .content.decode()
        )
    )
    names = {r["name"] for r in school_rows}
    assert "'+cmd|' /C calc'!A0" in names


def test_metric_csv_writes_a_fall_as_a_negative_number(client_for, data, viewer):
    response = client_for(viewer).get(
        f"/districts/lakeside/metrics/{data.suspensions.pk}/?format=csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["change"] == "-1.0"  # a number a spreadsheet can add up
    assert all(r["change"].startswith("-") for r in rows)


def test_editor_csv_has_the_value_below_the_minimum_n(client_for, data, editor):
    url = (
        f"/districts/lakeside/metrics/{data.attendance.pk}/networks/{data.north.pk}/"
        "?format=csv&year=2017-18"
    )
    rows = list(
        csv.DictReader(io.StringIO(client_for(editor).get(url).content.decode()))
    )
    small = next(r for r in rows if r["school_id"] == data.small_school.school_id)
    assert small["latest"] == "94.0"


def test_metric_page_shows_each_network_with_schools_reporting(
    client_for, data, viewer
):
    response = client_for(viewer).get(f"/districts/lakeside/metrics/{data.uptime.pk}/")
    rows = {row.place.name: row for row in response.context["detail"].networks}
    assert rows["North"].schools_reporting == 10
    assert rows["North"].latest.value == Decimal("160")  # min over even schools
    assert rows["North"].change == "+5.0"
    assert "Schools in" not in response.content.decode()


def test_network_drill_down_lists_the_networks_schools_off_track_first(
    client_for, data, viewer
):
    response = client_for(viewer).get(
        f"/districts/lakeside/metrics/{data.attendance.pk}/networks/{data.south.pk}/"
    )
    schools = response.context["detail"].schools
    assert len(schools) == 10
    assert all(row.place.network_id == data.south.pk for row in schools)
    order = ["off_track", "at_risk", "stale", "no_data", "on_track"]
    ranks = [order.index(row.status.status) for row in schools]
    assert ranks == sorted(ranks)


def test_network_scorecard_ranks_schools_off_track_first(client_for, data, viewer):
    response = client_for(viewer).get(f"/districts/lakeside/networks/{data.north.pk}/")
    card = response.context["scorecard"]
    assert [item.card.metric.code for item in card.metrics] == [
        "attendance",
        "suspensions",
        "uptime",
    ]
    keys = [(-s.off_track, -s.at_risk) for s in card.schools]
    assert keys == sorted(keys)
    assert [s.rank for s in card.schools] == list(range(1, 11))
    body = response.content.decode()
    assert "Schools, off track first" in body
    assert "North scorecard" in body


def test_network_scorecard_loads_its_trend_charts_after_it_shows(
    client_for, data, viewer
):
    scorecard = f"/districts/lakeside/networks/{data.north.pk}/"
    body = client_for(viewer).get(f"{scorecard}?year=2016-17").content.decode()
    trends = f"{scorecard}trends/?year=2016-17"
    # The tables come at once; the charts follow from the trends page, with a link
    # to that page for a browser without JavaScript.
    assert 'role="img"' not in body
    assert f'hx-get="{trends}" hx-trigger="load" hx-swap="outerHTML"' in body
    assert f'<a href="{trends}">Trend charts of North and the district</a>' in body

    fragment = client_for(viewer).get(trends, headers={"hx-request": "true"})
    assert "HX-Request" in fragment["Vary"]
    html = fragment.content.decode()
    assert '<div id="network-trends" class="metric-grid">' in html
    assert "<html" not in html
    assert html.count('role="img"') == 3  # attendance, suspensions, uptime
    assert html.count("<summary>Chart data") == 3
    assert 'class="chart-comparison"' in html  # the district's line next to North's
    assert "latest 94.1% for the period ending 2017-06-30" in html  # the year's end
    metric_link = f"/districts/lakeside/metrics/{data.attendance.pk}/networks/"
    assert f'href="{metric_link}{data.north.pk}/?year=2016-17"' in html


def test_network_trends_page_stands_alone_without_javascript(client_for, data, viewer):
    url = f"/districts/lakeside/networks/{data.north.pk}/trends/"
    response = client_for(viewer).get(url)
    body = response.content.decode()
    assert "<h1>Trends: North and the district</h1>" in body
    assert f'href="/districts/lakeside/networks/{data.north.pk}/?year=' in body
    assert body.count('role="img"') == 3
    assert 'name="year"' in body  # the school year can be chosen here too


def test_role_scorecard_separates_own_and_joint_goals(client_for, data, viewer):
    cto = client_for(viewer).get(f"/districts/lakeside/roles/{data.cto.pk}/")
    assert [g.goal for g in cto.context["scorecard"].own_goals] == [data.cto_goal]
    assert cto.context["scorecard"].joint_goals == ()
    cao = client_for(viewer).get(f"/districts/lakeside/roles/{data.cao.pk}/")
    scorecard = cao.context["scorecard"]
    assert scorecard.own_goals == ()
    assert [g.goal for g in scorecard.joint_goals] == [data.joint_goal]
    assert [m.metric for m in scorecard.other_metrics] == [data.uptime]


def test_networks_are_listed_geographic_first_in_natural_order(
    client_for, data, viewer
):
    for name in ("Network 10", "Network 2"):
        NetworkFactory(district=data.district, name=name)
    NetworkFactory(district=data.district, name="Charter", is_geographic=False)
    response = client_for(viewer).get("/districts/lakeside/dashboard/")
    assert [n.name for n in response.context["networks"]] == [
        "Network 2",
        "Network 10",
        "North",
        "South",
        "Charter",
    ]


def test_network_school_table_leaves_out_metrics_no_school_there_reports(
    client_for, data, viewer
):
    graduation = MetricFactory(district=data.district, goal=data.joint_goal)
    south_school = data.district.schools.filter(network=data.south).first()
    MeasurementFactory(
        district=data.district,
        metric=graduation,
        school=south_school,
        period_end=datetime.date(2018, 6, 30),
    )
    north = client_for(viewer).get(f"/districts/lakeside/networks/{data.north.pk}/")
    assert graduation not in north.context["scorecard"].school_metrics
    assert graduation in [
        item.card.metric for item in north.context["scorecard"].metrics
    ]
    south = client_for(viewer).get(f"/districts/lakeside/networks/{data.south.pk}/")
    assert graduation in south.context["scorecard"].school_metrics

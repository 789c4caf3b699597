"""The dashboard's first screen: goals with the people who own them, and every network
against every metric, worst first; and the metric page's networks, worst first.

The values are entered for the networks themselves, so each status is known by hand:
as of 30 June 2018, attendance is expected at 92.0 % (90 on 2017-06-30 to 94 on
2019-06-30) with a tolerance of 1 point, suspensions at 8.0 per 100 (10 to 6, lower is
better) with a tolerance of 0.5.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.models import NetworkKind
from goals.models import Direction, Metric, Population, Scope, Unit
from goals.overview import build_overview
from goals.scorecards import build_metric_detail
from goals.status import Status
from tests.factories import (
    GoalFactory,
    GoalOwnerFactory,
    MeasurementFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    PersonFactory,
    RoleAssignmentFactory,
    RoleFactory,
    SchoolFactory,
)

AS_OF = datetime.date(2018, 6, 30)
YEAR = "year=2017-18"


@dataclass
class Board:
    district: object
    attendance: Metric
    suspensions: Metric
    networks: dict


def network_value(district, metric, network, value, *, n=None):
    MeasurementFactory(
        district=district,
        metric=metric,
        scope=Scope.NETWORK,
        school=None,
        network=network,
        period_end=AS_OF,
        value=Decimal(value),
        n=n,
    )


@pytest.fixture
def board(district) -> Board:
    """Networks A to C run by the district, D a charter network; one school each."""
    networks = {
        name: NetworkFactory(district=district, name=f"Network {name}", kind=kind)
        for name, kind in (
            ("A", NetworkKind.DISTRICT_RUN),
            ("B", NetworkKind.DISTRICT_RUN),
            ("C", NetworkKind.DISTRICT_RUN),
            ("D", NetworkKind.CHARTER),
        )
    }
    for network in networks.values():
        SchoolFactory(district=district, network=network)
    cso = RoleFactory(district=district, code="CSO", title="Chief Schools Officer")
    cao = RoleFactory(district=district, code="CAO", title="Chief Academic Officer")
    RoleAssignmentFactory(
        district=district,
        role=cso,
        person=PersonFactory(district=district, name="Terrence Thornbury"),
    )
    RoleAssignmentFactory(
        district=district,
        role=cso,
        person=PersonFactory(district=district, name="Former Chief"),
        started_on=datetime.date(2010, 7, 1),
        ended_on=datetime.date(2019, 6, 30),
    )
    RoleAssignmentFactory(
        district=district,
        role=cao,
        person=PersonFactory(district=district, name="Priya Pemberton"),
        is_acting=True,
    )
    attendance_goal = GoalFactory(
        district=district, statement="Every student in school, every day"
    )
    GoalOwnerFactory(district=district, goal=attendance_goal, role=cso)
    safety_goal = GoalFactory(
        district=district, statement="Safe and supportive schools", sort_order=1
    )
    GoalOwnerFactory(district=district, goal=safety_goal, role=cso)
    GoalOwnerFactory(district=district, goal=safety_goal, role=cao)
    attendance = MetricFactory(
        district=district,
        goal=attendance_goal,
        code="attendance",
        name="Student attendance",
        unit=Unit.PERCENT,
        baseline_value=Decimal("90"),
        baseline_on=datetime.date(2017, 6, 30),
        target_value=Decimal("94"),
        target_on=datetime.date(2019, 6, 30),
        tolerance=Decimal("1"),
        decimals=1,
        population=Population.NETWORK_KIND,
        population_network_kind=NetworkKind.DISTRICT_RUN,
    )
    MetricOwnerFactory(district=district, metric=attendance, role=cso)
    suspensions = MetricFactory(
        district=district,
        goal=safety_goal,
        code="suspensions",
        name="Suspensions per 100 students",
        unit=Unit.PER_100,
        direction=Direction.LOWER_IS_BETTER,
        baseline_value=Decimal("10"),
        baseline_on=datetime.date(2017, 6, 30),
        target_value=Decimal("6"),
        target_on=datetime.date(2019, 6, 30),
        tolerance=Decimal("0.5"),
        decimals=1,
        min_n=10,
    )
    a, b, c, d = (networks[name] for name in "ABCD")
    network_value(district, attendance, a, "89.0")  # 3 points behind: off track
    network_value(district, attendance, b, "91.5")  # 0.5 behind: at risk
    network_value(district, attendance, c, "93.0")  # 1 ahead: on track
    # D is a charter network: outside attendance's population, not applicable.
    network_value(district, suspensions, a, "7.0")  # 1 better: on track
    network_value(district, suspensions, b, "9.0")  # 1 worse: off track
    # C reports no suspensions; D's value has n=4 < 10, suppressed for viewers.
    network_value(district, suspensions, d, "8.6", n=4)  # 0.6 worse: off track
    return Board(district, attendance, suspensions, networks)


def overview_of(board, *, sort=None, can_see_suppressed=False):
    metrics = Metric.objects.filter(district=board.district).select_related("district")
    return build_overview(
        district=board.district,
        metrics=sorted(metrics, key=lambda m: m.goal.sort_order),
        networks=list(board.networks.values()),
        as_of=AS_OF,
        can_see_suppressed=can_see_suppressed,
        sort=sort,
    )


def statuses(overview):
    return {
        row.network.name[-1]: tuple(cell.status.status for cell in row.cells)
        for row in overview.rows
    }


def order(overview):
    return [row.network.name[-1] for row in overview.rows]


def test_each_cell_is_judged_against_the_expected_value(board):
    overview = overview_of(board)
    assert [m.name for m in overview.metrics] == [
        "Student attendance",
        "Suspensions per 100 students",
    ]
    assert statuses(overview) == {
        "A": (Status.OFF_TRACK, Status.ON_TRACK),
        "B": (Status.AT_RISK, Status.OFF_TRACK),
        "C": (Status.ON_TRACK, Status.NO_DATA),
        "D": (Status.NOT_APPLICABLE, Status.NO_DATA),  # suppressed for a viewer
    }
    a = next(row for row in overview.rows if row.network.name == "Network A")
    attendance = a.cells[0]
    assert attendance.status.expected == Decimal("92")
    assert attendance.status.margin == Decimal("-3")
    assert attendance.latest.text == "89.0%"


def test_networks_with_the_most_metrics_off_track_come_first(board):
    overview = overview_of(board)
    # A and B each have one metric off track; B also one at risk.
    assert order(overview) == ["B", "A", "C", "D"]
    assert overview.sorted_by is None


def test_sorting_by_a_metric_orders_networks_by_status_then_gap(board):
    by_attendance = overview_of(board, sort=board.attendance.pk)
    assert by_attendance.sorted_by == board.attendance
    assert order(by_attendance) == ["A", "B", "C", "D"]
    # Suspensions: B off track, then C and D without data (in the networks'
    # order), A on track.
    assert order(overview_of(board, sort=board.suspensions.pk)) == [
        "B",
        "C",
        "D",
        "A",
    ]


def test_an_editor_sees_the_suppressed_value_judged_and_sorted_by_its_gap(board):
    overview = overview_of(board, sort=board.suspensions.pk, can_see_suppressed=True)
    # B is 1.0 behind, D 0.6 behind: both off track, B the further behind.
    assert order(overview) == ["B", "D", "C", "A"]


def test_an_unknown_metric_to_sort_by_keeps_the_default_order(board):
    assert order(overview_of(board, sort=999999)) == ["B", "A", "C", "D"]


def test_metric_page_lists_networks_worst_first_with_the_expected_value(board, viewer):
    detail = build_metric_detail(
        district=board.district,
        user=viewer,
        metric=Metric.objects.select_related("district").get(pk=board.attendance.pk),
        networks=list(board.networks.values()),
        as_of=AS_OF,
        can_see_suppressed=False,
    )
    assert [(row.place.name[-1], row.expected) for row in detail.networks] == [
        ("A", "92.0%"),
        ("B", "92.0%"),
        ("C", "92.0%"),
        ("D", "—"),
    ]


# --- The pages ---


def cell_texts(html: str) -> list[str]:
    """The overview's rows as text: network, then each cell's words."""
    table = re.search(
        r'<table class="data-table overview-table">.*?</table>', html, re.S
    )
    assert table, "no overview table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S)[1:]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def test_dashboard_shows_the_overview_with_statuses_values_and_gaps(
    client_for, board, viewer
):
    html = client_for(viewer).get(f"/districts/lakeside/dashboard/?{YEAR}").content
    rows = cell_texts(html.decode())
    assert rows[0] == (
        "Network B scorecard "
        "Student attendance in Network B: ▲ At risk 91.5% 0.5 points behind "
        "Suspensions per 100 students in Network B: ✖ Off track 9.0 per 100 "
        "1.0 per 100 behind"
    )
    assert rows[1].startswith(
        "Network A scorecard Student attendance in Network A: ✖ Off track 89.0% "
        "3.0 points behind"
    )
    assert "○ No data Not reported" in rows[2]  # C: no suspensions value
    # D is a charter network, outside attendance's population: said once.
    assert "Network D: ⊘ Not applicable Suspensions" in rows[3]
    assert "○ No data Suppressed (n<10)" in rows[3]


def test_each_overview_cell_links_to_the_metric_page_for_its_network(
    client_for, board, viewer
):
    html = client_for(viewer).get(f"/districts/lakeside/dashboard/?{YEAR}")
    a = board.networks["A"]
    slug = board.district.slug
    body = html.content.decode()
    assert (
        f'href="/districts/{slug}/metrics/{board.attendance.pk}/networks/{a.pk}/?{YEAR}"'
        in body
    )
    assert f'href="/districts/{slug}/networks/{a.pk}/?{YEAR}"' in body


def test_sort_links_keep_the_filters_and_order_the_rows(client_for, board, viewer):
    client = client_for(viewer)
    body = client.get(f"/districts/lakeside/dashboard/?{YEAR}").content.decode()
    link = f'href="?{YEAR}&amp;sort={board.suspensions.pk}#overview"'
    assert link in body
    sorted_page = client.get(
        f"/districts/lakeside/dashboard/?{YEAR}&sort={board.suspensions.pk}"
    ).content.decode()
    assert [row.split()[1] for row in cell_texts(sorted_page)] == ["B", "C", "D", "A"]
    assert 'aria-sort="other"' in sorted_page
    assert "Worst first on <strong>Suspensions per 100 students</strong>" in sorted_page
    # Back to the default order, the year kept.
    assert f'href="?{YEAR}#overview">Order by the number of metrics off track' in (
        sorted_page
    )


@pytest.mark.parametrize("sort", ["abc", "-1", "²", "99999999999999999999"])
def test_a_sort_that_is_not_a_metric_is_ignored(client_for, board, viewer, sort):
    response = client_for(viewer).get(
        f"/districts/lakeside/dashboard/?{YEAR}&sort={sort}"
    )
    assert response.status_code == 200
    assert [row.split()[1] for row in cell_texts(response.content.decode())] == [
        "B",
        "A",
        "C",
        "D",
    ]


def test_goals_name_the_people_holding_their_owner_roles(client_for, board, viewer):
    body = client_for(viewer).get(f"/districts/lakeside/dashboard/?{YEAR}")
    text = " ".join(re.sub(r"<[^>]+>", " ", body.content.decode()).split())
    text = text.replace(" ;", ";")
    assert "Every student in school, every day · Owner: CSO Terrence Thornbury" in text
    assert (
        "Safe and supportive schools · Joint owners: CSO Terrence Thornbury; "
        "CAO Priya Pemberton (acting)"
    ) in text or (
        "Safe and supportive schools · Joint owners: CAO Priya Pemberton (acting); "
        "CSO Terrence Thornbury"
    ) in text
    assert "Former Chief" not in text  # the assignment ended
    assert '<abbr title="Chief Schools Officer">CSO</abbr>' in body.content.decode()


def test_a_role_nobody_holds_says_so(client_for, board, viewer, district):
    goal = GoalFactory(district=district, statement="Systems teachers count on")
    GoalOwnerFactory(
        district=district, goal=goal, role=RoleFactory(district=district, code="CTO")
    )
    body = client_for(viewer).get(f"/districts/lakeside/dashboard/?{YEAR}")
    assert "(nobody holds this role)" in body.content.decode()


def test_metric_page_says_why_a_network_has_no_value(client_for, board, viewer):
    client = client_for(viewer)
    body = client.get(
        f"/districts/lakeside/metrics/{board.suspensions.pk}/?{YEAR}"
    ).content.decode()
    assert "Not reported" in body  # C
    assert "Suppressed (n&lt;10)" in body  # D, for a viewer
    attendance = client.get(
        f"/districts/lakeside/metrics/{board.attendance.pk}/?{YEAR}"
    ).content.decode()
    assert '<span class="no-value">Not applicable</span>' in attendance  # D
    assert "3.0 points behind" in attendance
    # The owner and the district's standing come first.
    assert "Owner: <abbr" in attendance and "Terrence Thornbury" in attendance


def test_metric_page_network_rows_come_worst_first(client_for, board, viewer):
    body = (
        client_for(viewer)
        .get(f"/districts/lakeside/metrics/{board.attendance.pk}/?{YEAR}")
        .content.decode()
    )
    table = re.search(r'class="data-table metric-networks">.*?</table>', body, re.S)
    names = re.findall(r"(Network [A-D])<span", table.group(0))
    assert names == ["Network A", "Network B", "Network C", "Network D"]
    assert '<th scope="col" class="numeric">Expected</th>' in table.group(0)


def test_scorecard_says_why_a_value_is_missing(client_for, board, viewer):
    c, d = board.networks["C"], board.networks["D"]
    client = client_for(viewer)
    assert "Not reported" in (
        client.get(f"/districts/lakeside/networks/{c.pk}/?{YEAR}").content.decode()
    )
    scorecard_d = client.get(f"/districts/lakeside/networks/{d.pk}/?{YEAR}")
    assert "Not applicable</span>" in scorecard_d.content.decode()
    assert "Suppressed (n&lt;10)" in scorecard_d.content.decode()


def test_an_editor_sees_the_small_value_marked_not_hidden(client_for, board, editor):
    body = client_for(editor).get(
        f"/districts/lakeside/dashboard/?{YEAR}&sort={board.suspensions.pk}"
    )
    rows = cell_texts(body.content.decode())
    assert rows[1].startswith("Network D")
    assert "8.6 per 100 below minimum n (n=4)" in rows[1]


def test_the_overview_reads_as_many_queries_for_more_networks_and_metrics(
    client_for, board, viewer, district
):
    client = client_for(viewer)
    url = f"/districts/lakeside/dashboard/?{YEAR}"
    client.get(url)  # session and caches warm
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    goal = GoalFactory(district=district, statement="More", sort_order=5)
    for i in range(3):
        metric = MetricFactory(district=district, goal=goal, name=f"Extra {i}")
        for name in "EFGH":
            network = NetworkFactory(district=district, name=f"Network {name}{i}")
            SchoolFactory(district=district, network=network)
            network_value(district, metric, network, "85")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(cell_texts(response.content.decode())) == 4 + 12
    assert len(many) == len(few)


def test_sorted_dashboard_for_each_visitor(
    client, client_for, board, viewer, editor, outsider
):
    url = f"/districts/lakeside/dashboard/?{YEAR}&sort={board.attendance.pk}"
    for member in (viewer, editor):
        body = client_for(member).get(url).content.decode()
        assert [row.split()[1] for row in cell_texts(body)] == ["A", "B", "C", "D"]
    assert client_for(outsider).get(url).status_code == 404
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

"""Statuses judged as of a date: today for the running school year, 30 June for a past
one, any date with `?as_of=` on every page and in the API, under a frozen clock.

The weekly metric below runs from 90 on 1 July 2026 to 92 on 30 June 2027 (364 days),
values are entered for weeks ending on Fridays, and a weekly value turns stale 15 days
after its week ends (STALE_AFTER_DAYS: 14).
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.importers import upsert_measurements
from goals.models import Aggregation, Frequency
from goals.status import Status, is_stale, judged_on
from tests.factories import (
    GoalFactory,
    GoalOwnerFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    RoleFactory,
    SchoolFactory,
)

D = datetime.date


def frozen(day: datetime.date):
    """The clock stopped at noon UTC on `day` (the same day in Chicago)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC),
        tick=False,
    )


@pytest.fixture
def weekly(district, editor):
    cso = RoleFactory(district=district, code="CSO", title="Chief Schools Officer")
    goal = GoalFactory(
        district=district,
        statement="Every student in school",
        starts_on=D(2026, 7, 1),
        ends_on=D(2027, 6, 30),
    )
    GoalOwnerFactory(district=district, goal=goal, role=cso)
    metric = MetricFactory(
        district=district,
        goal=goal,
        code="attendance_weekly",
        name="Weekly attendance",
        frequency=Frequency.WEEKLY,
        aggregation=Aggregation.MEAN,
        decimals=1,
        baseline_value=Decimal("90"),
        baseline_on=D(2026, 7, 1),
        target_value=Decimal("92"),
        target_on=D(2027, 6, 30),
        tolerance=Decimal("1"),
    )
    MetricOwnerFactory(district=district, metric=metric, role=cso)
    network = NetworkFactory(district=district, name="Network 1")
    schools = [
        SchoolFactory(district=district, network=network, school_id=school_id)
        for school_id in ("610001", "610002")
    ]
    return metric, network, cso, schools


def enter_week(district, editor, week_end: datetime.date, values=("92", "94")):
    result = upsert_measurements(
        district=district,
        rows=[
            {
                "metric": "attendance_weekly",
                "school_id": school_id,
                "period_end": week_end,
                "value": value,
            }
            for school_id, value in zip(("610001", "610002"), values, strict=True)
        ],
        acting_user=editor,
    )
    assert result.saved and not result.errors


def card_of(response):
    return response.context["dashboard"].goals[0].metrics[0]


# --- The rule (goals.status) ---


@pytest.mark.parametrize(
    ("year", "today", "expected"),
    [
        ("2026-27", D(2026, 12, 3), D(2026, 12, 3)),  # running: today
        ("2025-26", D(2026, 12, 3), D(2026, 6, 30)),  # over: its last day
        ("2027-28", D(2026, 12, 3), D(2027, 7, 1)),  # not begun: its first day
        ("2026-27", D(2027, 6, 30), D(2027, 6, 30)),  # last day of the year
        ("2026-27", D(2027, 7, 1), D(2027, 6, 30)),  # the day after: over
        ("2027-28", D(2027, 7, 1), D(2027, 7, 1)),  # the new year's first day
        ("2027-28", D(2028, 2, 29), D(2028, 2, 29)),  # leap day
    ],
)
def test_a_school_year_is_judged_today_while_it_runs_else_on_its_last_day(
    year, today, expected
):
    assert judged_on(year, today=today) == expected


@pytest.mark.parametrize(
    ("week_end", "as_of", "stale"),
    [
        (D(2026, 11, 27), D(2026, 12, 3), False),  # 6 days: this week's value
        (D(2026, 11, 27), D(2026, 12, 11), False),  # 14 days: still current
        (D(2026, 11, 27), D(2026, 12, 12), True),  # 15 days: stale
        (D(2028, 2, 18), D(2028, 2, 29), False),  # 11 days, across nothing
        (D(2028, 2, 25), D(2028, 3, 10), False),  # 14 days across the leap day
        (D(2028, 2, 25), D(2028, 3, 11), True),  # 15 days across the leap day
    ],
)
def test_a_weekly_value_turns_stale_fifteen_days_after_its_week(week_end, as_of, stale):
    assert is_stale(week_end, frequency=Frequency.WEEKLY, as_of=as_of) is stale


# --- Pages ---


def test_this_weeks_value_is_current_on_the_dashboard_today(
    client_for, district, editor, viewer, weekly
):
    enter_week(district, editor, D(2026, 11, 27))
    with frozen(D(2026, 12, 3)):
        response = client_for(viewer).get("/districts/lakeside/dashboard/")
    assert response.status_code == 200
    card = card_of(response)
    assert response.context["dashboard"].as_of == D(2026, 12, 3)
    # Mean of 92 and 94 = 93; expected on 27 November (149 of 364 days from 90 to 92):
    # 90 + 2 × 149 / 364 = 90.82.
    assert card.status.status == Status.ON_TRACK
    assert card.status.value == Decimal("93")
    assert round(card.status.expected, 2) == Decimal("90.82")
    assert card.latest_period == "week ending 2026-11-27"
    body = response.content.decode()
    assert "3 December 2026" in body
    assert "today, in school year 2026-27" in body


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (D(2026, 12, 5), Status.ON_TRACK),  # a week before it turns stale
        (D(2026, 12, 11), Status.ON_TRACK),  # its last current day
        (D(2026, 12, 12), Status.STALE),  # the day it turns stale
        (D(2026, 12, 19), Status.STALE),  # a week after
    ],
)
def test_the_dashboard_turns_a_weekly_value_stale_after_fourteen_days(
    client_for, district, editor, viewer, weekly, today, status
):
    enter_week(district, editor, D(2026, 11, 27))
    with frozen(today):
        response = client_for(viewer).get("/districts/lakeside/dashboard/")
    assert card_of(response).status.status == status
    assert response.context["dashboard"].as_of == today


def test_across_the_school_year_boundary_a_finished_year_is_judged_on_30_june(
    client_for, district, editor, viewer, weekly
):
    enter_week(district, editor, D(2027, 6, 25))
    with frozen(D(2027, 6, 30)):
        last_day = client_for(viewer).get("/districts/lakeside/dashboard/")
    with frozen(D(2027, 7, 1)):
        next_day = client_for(viewer).get("/districts/lakeside/dashboard/")
    with frozen(D(2027, 7, 20)):
        later = client_for(viewer).get("/districts/lakeside/dashboard/")
        chosen = client_for(viewer).get(
            "/districts/lakeside/dashboard/?as_of=2027-07-20"
        )
    assert last_day.context["dashboard"].as_of == D(2027, 6, 30)
    assert "today, in school year 2026-27" in last_day.content.decode()
    # After 30 June the newest year with values is over: judged on its last day, its
    # last week still current then.
    for response in (next_day, later):
        assert response.context["dashboard"].as_of == D(2027, 6, 30)
        assert card_of(response).status.status == Status.ON_TRACK
        assert "the last day of school year 2026-27" in response.content.decode()
    # Chosen in July, the same value is 25 days old: stale.
    assert chosen.context["dashboard"].as_of == D(2027, 7, 20)
    assert card_of(chosen).status.status == Status.STALE
    assert "the date chosen, in school year 2027-28" in chosen.content.decode()


def test_on_a_leap_day_the_week_before_is_current(
    client_for, district, editor, viewer, weekly
):
    weekly[0].__class__.objects.filter(pk=weekly[0].pk).update(target_on=D(2028, 6, 30))
    enter_week(district, editor, D(2028, 2, 25))
    with frozen(D(2028, 2, 29)):
        response = client_for(viewer).get("/districts/lakeside/dashboard/")
    assert response.context["dashboard"].as_of == D(2028, 2, 29)
    assert card_of(response).status.status == Status.ON_TRACK
    assert "29 February 2028" in response.content.decode()


def status_pages(district, metric, network, role):
    base = f"/districts/{district.slug}"
    return {
        "dashboard": f"{base}/dashboard/",
        "metric": f"{base}/metrics/{metric.pk}/",
        "metric network": f"{base}/metrics/{metric.pk}/networks/{network.pk}/",
        "network scorecard": f"{base}/networks/{network.pk}/",
        "network trends": f"{base}/networks/{network.pk}/trends/",
        "role scorecard": f"{base}/roles/{role.pk}/",
    }


def test_every_status_page_judges_as_of_the_date_chosen_and_keeps_it_in_links(
    client_for, district, editor, viewer, weekly
):
    metric, network, cso, _schools = weekly
    enter_week(district, editor, D(2026, 11, 27))
    with frozen(D(2026, 12, 3)):
        for name, url in status_pages(district, metric, network, cso).items():
            response = client_for(viewer).get(f"{url}?as_of=2026-12-19")
            assert response.status_code == 200, name
            body = response.content.decode()
            assert "19 December 2026" in body, name
            assert "the date chosen, in school year 2026-27" in body, name
            if name != "network trends":
                assert "?as_of=2026-12-19" in body, name
            # 22 days after its week: stale on every page.
            assert "status-stale" in body, name


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2026-13-01", "Enter a date as YYYY-MM-DD."),
        ("03/12/2026", "Enter a date as YYYY-MM-DD."),
        ("1900-01-01", "Choose a date between 1950-07-01 and 2100-06-30."),
        ("9999-12-31", "Choose a date between 1950-07-01 and 2100-06-30."),
    ],
)
def test_a_bad_or_unsupported_as_of_is_a_400_with_a_message_on_every_page(
    client_for, district, editor, viewer, weekly, as_of, message
):
    metric, network, cso, _schools = weekly
    enter_week(district, editor, D(2026, 11, 27))
    with frozen(D(2026, 12, 3)):
        pages = status_pages(district, metric, network, cso)
        pages["metric csv"] = pages["metric"] + "?format=csv&x=1"
        for name, url in pages.items():
            joiner = "&" if "?" in url else "?"
            response = client_for(viewer).get(f"{url}{joiner}as_of={as_of}")
            assert response.status_code == 400, name
            assert response["Content-Type"].startswith("text/html"), name
            assert message in response.content.decode(), name


def test_as_of_pages_for_other_visitors(client_for, district, editor, outsider, weekly):
    metric, network, cso, _schools = weekly
    with frozen(D(2026, 12, 3)):
        for name, url in status_pages(district, metric, network, cso).items():
            url = f"{url}?as_of=2026-12-03"
            assert client_for(editor).get(url).status_code == 200, name
            assert client_for(outsider).get(url).status_code == 404, name
            anonymous = client_for(None).get(url)
            assert anonymous.status_code == 302, name
            assert anonymous["Location"].startswith("/accounts/login/"), name


def test_the_dashboard_with_as_of_reads_as_many_queries_whatever_the_schools(
    client_for, district, editor, viewer, weekly
):
    metric, network, _cso, _schools = weekly
    enter_week(district, editor, D(2026, 11, 20))
    enter_week(district, editor, D(2026, 11, 27))
    client = client_for(viewer)
    url = "/districts/lakeside/dashboard/?as_of=2026-12-03"
    with frozen(D(2026, 12, 3)):
        client.get("/districts/lakeside/dashboard/")  # session and caches warm
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        for i in range(20):
            SchoolFactory(district=district, network=network, school_id=f"62{i:04d}")
        upsert_measurements(
            district=district,
            rows=[
                {
                    "metric": metric.code,
                    "school_id": f"62{i:04d}",
                    "period_end": D(2026, 11, 27),
                    "value": "91",
                }
                for i in range(20)
            ],
            acting_user=editor,
        )
        with CaptureQueriesContext(connection) as many:
            assert client.get(url).status_code == 200
    assert len(many) == len(few) <= 22


# --- API ---


def test_the_api_judges_as_of_today_the_running_year_or_the_date_given(
    api_client_for, district, editor, viewer, weekly
):
    metric = weekly[0]
    enter_week(district, editor, D(2026, 11, 27))
    client = api_client_for(viewer)
    dashboard = "/api/v1/districts/lakeside/dashboard/"
    status_url = f"/api/v1/metrics/{metric.pk}/status/"
    with frozen(D(2026, 12, 3)):
        today = client.get(dashboard).json()
        year = client.get(f"{dashboard}?school_year=2026-27").json()
        past = client.get(f"{dashboard}?school_year=2025-26").json()
        later = client.get(f"{dashboard}?as_of=2026-12-12").json()
        computed = client.get(status_url).json()
        computed_later = client.get(f"{status_url}?as_of=2026-12-12").json()
    assert today["as_of"] == year["as_of"] == "2026-12-03"
    assert today["goals"][0]["metrics"][0]["status"] == "on_track"
    assert today["goals"][0]["metrics"][0]["period_end"] == "2026-11-27"
    assert past["as_of"] == "2026-06-30"
    assert past["goals"][0]["metrics"][0]["status"] == "no_data"
    assert later["goals"][0]["metrics"][0]["status"] == "stale"
    assert computed["as_of"] == "2026-12-03"
    assert computed["district"]["status"] == "on_track"
    assert computed_later["district"]["status"] == "stale"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("as_of=2026-13-01", "as_of"),
        ("as_of=1900-01-01", "as_of"),
        ("as_of=2200-01-01", "as_of"),
        ("school_year=2200-01", "school_year"),
        ("school_year=26-27", "school_year"),
    ],
)
def test_the_api_refuses_a_bad_as_of_with_a_400_naming_it(
    api_client_for, district, viewer, weekly, query, field
):
    metric = weekly[0]
    client = api_client_for(viewer)
    with frozen(D(2026, 12, 3)):
        for url in (
            f"/api/v1/districts/lakeside/dashboard/?{query}",
            f"/api/v1/metrics/{metric.pk}/status/?{query}",
        ):
            response = client.get(url)
            assert response.status_code == 400, url
            assert field in response.json(), url

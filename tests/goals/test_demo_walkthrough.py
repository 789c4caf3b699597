"""The demo district tried as a new user would, after the README's run command.

`viewer` sees this week's simulated attendance with a real status today, and the real
CPS metrics for 2014-15 to 2017-18 by network, with statuses against the demo targets;
`editor` enters next year's values and sees the dashboard move. The demo is loaded on
Thursday 3 December 2026, so its last simulated week ends on Friday 27 November.
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from district.demo import DISTRICT_SLUG
from district.models import Network, NetworkKind, School
from goals.models import Metric, Target, TargetKind

pytestmark = pytest.mark.django_db

DASHBOARD = f"/districts/{DISTRICT_SLUG}/dashboard/"


TODAY = datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)


@pytest.fixture
def demo(client_for):
    with time_machine.travel(TODAY, tick=False):
        call_command("load_demo", stdout=StringIO(), password="walkthrough-password")
    users = {user.username: user for user in get_user_model().objects.all()}
    return {
        "viewer": client_for(users["viewer"]),
        "editor": client_for(users["editor"]),
    }


def cards(response) -> dict:
    return {
        card.metric.name: card
        for goal in response.context["dashboard"].goals
        for card in goal.metrics
    }


@time_machine.travel(TODAY, tick=False)
def test_today_the_simulated_weekly_attendance_has_a_real_status(demo):
    response = demo["viewer"].get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["dashboard"].as_of == datetime.date(2026, 12, 3)
    weekly = cards(response)["Student attendance, weekly (simulated)"]
    # District value of the week ending 20 November (the week after is left to its
    # update owner), district-run schools weighted by enrollment: 93.3%. Expected
    # then: 93.9 + 0.5 × 142 / 364 = 94.1; 0.8 behind,
    # within the tolerance of 1.0: at risk.
    assert weekly.status.status == "at_risk"
    assert (weekly.latest.text, weekly.expected) == ("93.3%", "94.1%")
    assert weekly.latest_period == "week ending 2026-11-20"
    assert weekly.schools_reporting == 476  # the district-run ones of the 644 schools
    body = response.content.decode()
    assert "today, in school year 2026-27" in body
    assert "Simulated values for trying Lanes, not real results." in body
    # The real values end in 2017-18: today they are stale, and say so.
    assert cards(response)["Student attendance"].status.status == "stale"

    metric = Metric.objects.get(code="student_attendance_weekly_sim")
    page = demo["viewer"].get(f"/districts/{DISTRICT_SLUG}/metrics/{metric.pk}/")
    assert "Simulated values for trying Lanes, not real results:" in (
        page.content.decode()
    )


@time_machine.travel(TODAY, tick=False)
def test_viewer_sees_the_real_metrics_by_network_and_editor_moves_the_dashboard(demo):
    viewer, editor = demo["viewer"], demo["editor"]
    response = viewer.get(f"{DASHBOARD}?year=2017-18")
    assert response.status_code == 200
    shown = cards(response)
    for name in (
        "Student attendance",
        "Freshmen on track",
        "4-year graduation",
        "College enrollment",
        "One-year dropout",
        "Suspensions per 100 students",
    ):
        assert shown[name].latest_period == "2017-18", name
    assert [
        year for year, _label in response.context["form"].fields["year"].choices
    ] == [f"{year}-{(year + 1) % 100:02d}" for year in range(2026, 2013, -1)]
    # The simulated weekly metric has no value by 30 June 2018.
    assert dict(response.context["dashboard"].counts) == {
        "on_track": 4,
        "at_risk": 0,
        "off_track": 3,
        "stale": 0,
        "no_data": 1,
        "not_applicable": 0,
    }
    attendance = shown["Student attendance"]
    # District-run schools only: the CSO's population.
    assert (attendance.latest.text, attendance.expected) == ("93.9%", "94.9%")
    assert attendance.coverage.text == "476 of 482 schools reported"
    assert "Off track" in response.content.decode()

    metric = Metric.objects.get(code="student_attendance_pct")
    by_network = viewer.get(f"/districts/{DISTRICT_SLUG}/metrics/{metric.pk}/")
    networks = by_network.context["detail"].networks
    assert len(networks) == Network.objects.count() == 22
    assert sum(row.latest.value is not None for row in networks) >= 17

    # Next school year: every school's attendance through the entry grid.
    schools = School.objects.filter(district__slug=DISTRICT_SLUG)
    grid = f"/districts/{DISTRICT_SLUG}/metrics/{metric.pk}/entry/"
    period = "?period_end=2019-06-30&scope=school"
    post = {f"value-{school.pk}": "96.2" for school in schools}
    saved = editor.post(grid + period, post)
    assert saved.status_code == 302

    after = viewer.get(f"{DASHBOARD}?year=2018-19")
    attendance = cards(after)["Student attendance"]
    assert attendance.latest_period == "2018-19"
    assert attendance.latest.text == "96.2%"
    assert attendance.status.status == "on_track"  # the target is 95.0% by 2019-06-30


def test_a_network_entering_next_year_early_leaves_the_headline_on_the_last_complete_year(
    demo,
):
    viewer, editor = demo["viewer"], demo["editor"]
    metric = Metric.objects.get(code="student_attendance_pct")
    network = Network.objects.get(name="Network 14")  # its 17 schools
    schools = School.objects.filter(network=network)
    assert schools.count() == 17
    grid = f"/districts/{DISTRICT_SLUG}/metrics/{metric.pk}/entry/"
    period = f"?period_end=2019-06-30&scope=school&network={network.pk}"
    saved = editor.post(grid + period, {f"value-{s.pk}": "80.0" for s in schools})
    assert saved.status_code == 302

    # The partial year is listed but not opened by default: the live, complete
    # school year 2026-27 is.
    response = viewer.get(DASHBOARD)
    years = [year for year, _label in response.context["form"].fields["year"].choices]
    assert years[0] == "2026-27" and "2018-19" in years
    assert response.context["school_year"] == "2026-27"
    assert (
        response.context["form"]["year"].value() == "2026-27"
    )  # what the select shows
    response = viewer.get(DASHBOARD + "?year=2018-19")
    attendance = cards(response)["Student attendance"]
    assert (attendance.latest_period, attendance.latest.text) == ("2017-18", "93.9%")
    assert attendance.in_progress.latest.text == "80.0%"
    assert attendance.in_progress.coverage.text == "17 of 482 schools reported"
    assert "17 of 482 schools reported: <strong>partial</strong>" in (
        response.content.decode()
    )


def test_the_csos_attendance_leaves_charter_and_contract_schools_out(demo):
    viewer = demo["viewer"]
    metric = Metric.objects.get(code="student_attendance_pct")
    assert metric.population_network_kind == NetworkKind.DISTRICT_RUN
    page = viewer.get(f"/districts/{DISTRICT_SLUG}/metrics/{metric.pk}/?year=2017-18")
    rows = {row.place.name: row for row in page.context["detail"].networks}
    for name in ("Charter", "Contract", "AUSL", "Options"):
        assert rows[name].status.status == "not_applicable", name
    assert rows["ISP"].latest.value is not None
    assert rows["Network 14"].coverage.text == "17 of 17 schools reported"
    # The district value counts district-run schools: 482, not 660.
    assert page.context["detail"].card.coverage.expected == 482


def test_a_demo_network_is_judged_against_its_own_attendance_target(demo):
    attendance = Metric.objects.get(code="student_attendance_pct")
    target = Target.objects.get(metric=attendance, kind=TargetKind.FINAL)
    network = target.network
    response = demo["viewer"].get(
        f"/districts/{DISTRICT_SLUG}/networks/{network.pk}/?year=2017-18"
    )
    item = next(
        item
        for item in response.context["scorecard"].metrics
        if item.card.metric == attendance
    )
    # As of 30 June 2018 the network's trajectory stands on its own interim target.
    interim = Target.objects.get(
        metric=attendance, network=network, due_on=datetime.date(2018, 6, 30)
    )
    assert item.card.status.expected == interim.value
    assert item.card.applied_target.description == f"Network target ({network.name})"
    assert f"Network target ({network.name})" in response.content.decode()
    district_interim = Target.objects.get(
        metric=attendance, network=None, due_on=datetime.date(2018, 6, 30)
    )
    assert item.card.status.expected != district_interim.value

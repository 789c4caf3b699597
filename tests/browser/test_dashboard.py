"""The dashboard, metric page and scorecards in a real browser, as a viewer would use them."""

import os
import re

import pytest

from tests.goals.district_data import build_district_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("LANES_SCREENSHOTS")


def snap(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.fixture
def data(district):
    return build_district_data(district, schools=12)


def test_viewer_opens_the_dashboard_from_home_and_filters_it(log_in, viewer, data):
    page = log_in(viewer)
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role(
        "heading", name="Shared goals dashboard: Lakeside Unified"
    ).wait_for()
    assert page.get_by_text("Statuses as of 30 June 2018").is_visible()
    assert page.get_by_role(
        "heading", name="Systems that teachers can count on"
    ).is_visible()
    snap(page, "dashboard")

    # The filters are folded away below the heading; one click opens them.
    page.get_by_text("Filters: owner role, network, school year, date").click()
    page.get_by_label("Owner role").select_option(label="CTO: Chief Technology Officer")
    page.get_by_label("Network", exact=True).select_option(label="North")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(f"**/dashboard/?role={data.cto.pk}&network={data.north.pk}*")
    page.get_by_role(
        "heading", name="Shared goals dashboard: Lakeside Unified, North"
    ).wait_for()
    assert page.get_by_role(
        "heading", name="Systems that teachers can count on"
    ).is_visible()
    assert (
        page.get_by_role(
            "heading", name="Every student attends and stays engaged"
        ).count()
        == 0
    )
    # The filters stay chosen after the page reloads.
    page.get_by_text("Filters: owner role, network, school year, date").click()
    assert page.get_by_label("Owner role").input_value() == str(data.cto.pk)
    assert page.get_by_label("Network", exact=True).input_value() == str(data.north.pk)


def test_viewer_opens_a_metric_page_and_a_network_scorecard(log_in, viewer, data):
    page = log_in(viewer)
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Student attendance", exact=True).first.click()
    page.get_by_role("heading", name="Student attendance", level=1).wait_for()
    assert page.get_by_role("table", name="Student attendance by network").is_visible()
    page.get_by_role("link", name=re.compile(r"^North\s*schools$")).click()
    page.get_by_role("heading", name="Student attendance: North", level=1).wait_for()
    assert page.get_by_text("Suppressed (n<10)").first.is_visible()
    snap(page, "metric")

    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("link", name="South", exact=True).click()
    page.get_by_role("heading", name="South scorecard").wait_for()
    assert page.get_by_role("heading", name="Schools, off track first").is_visible()
    # The trend charts arrive after the tables, in place of their link.
    charts = page.locator("#network-trends").get_by_role("img")
    charts.first.wait_for()
    assert charts.count() == 3
    assert page.get_by_role("link", name="Trend charts of South").count() == 0
    snap(page, "network")


def test_dashboard_metric_page_and_scorecard_have_no_serious_accessibility_violations(
    log_in, live_server, viewer, data, axe_violations
):
    page = log_in(viewer)
    slug = data.district.slug
    for path in (
        f"/districts/{slug}/dashboard/",
        f"/districts/{slug}/dashboard/?role=joint&network={data.south.pk}&year=2016-17",
        f"/districts/{slug}/metrics/{data.attendance.pk}/",
        f"/districts/{slug}/metrics/{data.attendance.pk}/networks/{data.north.pk}/",
        f"/districts/{slug}/networks/{data.north.pk}/",
        f"/districts/{slug}/networks/{data.north.pk}/trends/",
        f"/districts/{slug}/roles/{data.cao.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert axe_violations() == [], path


def test_editor_enters_values_in_the_grid_and_sees_cell_errors(
    log_in, live_server, editor, data, axe_violations
):
    page = log_in(editor)
    page.goto(f"{live_server.url}/districts/lakeside/metrics/{data.attendance.pk}/")
    page.get_by_role("link", name="Enter values for Student attendance").click()
    page.get_by_role("heading", name="Enter values: Student attendance").wait_for()
    assert axe_violations() == []
    first = page.get_by_label("Value for School 0002")
    first.fill("101")
    page.get_by_role("button", name="Save all values").click()
    page.get_by_text("Nothing was saved.").wait_for()
    assert page.get_by_text("A percent lies between 0 and 100.").is_visible()
    assert (
        page.get_by_label("Value for School 0002").get_attribute("aria-invalid")
        == "true"
    )
    snap(page, "entry-errors")
    assert axe_violations() == []
    page.get_by_label("Value for School 0002").fill("96.5")
    page.get_by_role("button", name="Save all values").click()
    page.get_by_text("Saved Student attendance").wait_for()
    assert page.get_by_label("Value for School 0002").input_value() == "96.5"


def test_editor_previews_and_imports_a_csv_file(
    log_in, live_server, editor, data, axe_violations, tmp_path
):
    school = data.district.schools.order_by("name").last()
    path = tmp_path / "values.csv"
    path.write_text(
        f"metric,school_id,school_year,value,n\nattendance,{school.school_id},2018-19,95.5,300\n"
    )
    page = log_in(editor)
    page.goto(f"{live_server.url}/districts/lakeside/dashboard/")
    page.get_by_role("link", name="Import measurements (CSV)").click()
    page.get_by_label("Measurements file (CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview of values.csv").wait_for()
    snap(page, "import-preview")
    assert axe_violations() == []
    page.get_by_role("button", name="Import 1 row").click()
    page.get_by_text("Imported values.csv: 1 new").wait_for()

"""The dashboard's first screen on the demo district at 1280x800, as a superintendent
would open it: which networks are off track on attendance, and who owns that goal.

The demo is loaded as of Thursday 3 December 2026 (its simulated weeks end on Friday
27 November) and the pages are judged as of that date, whatever the day the test runs.
"""

import datetime
import os
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from district.demo import DISTRICT_SLUG
from goals.models import Goal
from roles.holders import holders_on
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("LANES_SCREENSHOTS")
LOADED = datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)
AS_OF = "as_of=2026-12-03"
VIEWPORT = {"width": 1280, "height": 800}
PASSWORD = "first-screen-password"


@pytest.fixture
def demo(transactional_db):
    with time_machine.travel(LOADED, tick=False):
        call_command("load_demo", stdout=StringIO(), password=PASSWORD)
    goal = Goal.objects.get(
        district__slug=DISTRICT_SLUG, statement="Every student in school, every day"
    )
    owner = goal.owners.get()
    (holder,) = holders_on(
        user=UserFactory(is_superuser=True),
        role_ids=[owner.role_id],
        on=datetime.date.today(),  # noqa: DTZ011 (the pages name today's holders)
    )[owner.role_id]
    return holder


def within_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 800


@pytest.fixture
def superintendent(page, live_server, demo):
    """The demo's viewer, logged in, in a window of 1280x800."""
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_first_screen_shows_networks_off_track_on_attendance_and_who_owns_it(
    superintendent, live_server, demo
):
    page = superintendent
    page.goto(f"{live_server.url}/districts/{DISTRICT_SLUG}/dashboard/?{AS_OF}")
    overview = page.get_by_role("table", name=re.compile("^Networks by metric"))
    assert overview.bounding_box()["y"] < 800
    # The first rows are the networks off track on this week's attendance.
    off_track = page.locator(".overview-cell a").filter(
        has_text=re.compile(r"Student attendance, weekly \(simulated\) in .*Off track")
    )
    assert off_track.count() > 0
    assert within_first_screen(off_track.first)
    owner = page.locator(".goal-summary").get_by_text(demo)
    assert within_first_screen(owner.first)
    assert within_first_screen(
        page.locator(".goal-summary li").filter(
            has_text="Every student in school, every day"
        )
    )
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/dashboard-first-screen.png")


def test_sorting_by_attendance_brings_its_worst_network_to_the_top(
    superintendent, live_server, demo
):
    page = superintendent
    page.goto(f"{live_server.url}/districts/{DISTRICT_SLUG}/dashboard/?year=2017-18")
    page.get_by_role(
        "link", name="Sort networks by Student attendance, worst first", exact=True
    ).click()
    page.wait_for_url(re.compile(r"sort=\d+#overview$"))
    first_row = page.locator(".overview-table tbody tr").first
    first_cell = first_row.locator(".overview-cell").first
    assert "Off track" in first_cell.inner_text()
    assert "points behind" in first_cell.inner_text()
    assert within_first_screen(first_cell)
    # The metric page lists the same network first, with its expected value.
    network = first_row.locator("th").inner_text().splitlines()[0]  # "Network 16"
    first_cell.get_by_role("link").click()
    page.get_by_role("link", name="Student attendance", exact=True).first.click()
    table = page.get_by_role("table", name=re.compile("by network"))
    first_network = table.locator("tbody tr").first.locator("th").inner_text()
    assert first_network.splitlines()[0] == network
    assert within_first_screen(table.locator("tbody tr").first)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/metric-worst-first.png")

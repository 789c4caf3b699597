"""A network chief's coaching meeting, from its brief to action items, in a browser."""

import re

import pytest
import time_machine

from tests.factories import PersonFactory, SeriesMemberFactory
from tests.routines.data import MEETING, build_brief_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chief_runs_a_coaching_meeting_from_brief_to_carried_over_items(
    log_in, live_server, editor, district, axe_violations
):
    data = build_brief_data(district)
    data.chief.user = editor
    data.chief.save()
    SeriesMemberFactory(district=district, series=data.series, person=data.chief)
    PersonFactory(district=district, name="Sam Second")

    with time_machine.travel(MEETING, tick=True):
        page = log_in(editor)
        page.goto(live_server.url + data.series.get_absolute_url())
        page.get_by_role("link", name=re.compile("10 July 2017")).click()

        brief = page.locator("section.brief")
        schools = brief.get_by_role("table").nth(1)
        assert schools.get_by_role("row").nth(1).inner_text().startswith("School A")
        assert "School C" not in brief.inner_text()
        assert page.get_by_text("computed from today's data").is_visible()
        assert axe_violations() == []

        page.get_by_role(
            "button", name="Start the meeting and freeze the brief"
        ).click()
        assert page.get_by_text("The brief below is frozen").is_visible()

        page.get_by_label("Title").fill("Visit School A with the principal")
        page.get_by_label("Owner (a person)").select_option(label="Nora North")
        page.get_by_label("Due on").fill("2017-07-14")
        page.locator("#id_school").select_option(label="School A")
        page.get_by_role("button", name="Add the action item").click()
        raised = page.locator("ul.action-items")
        assert "Visit School A with the principal" in raised.inner_text()
        assert "Nora North" in raised.inner_text()

        page.get_by_role("link", name="The series").click()
        page.get_by_role("button", name="Add the next meeting").click()
        assert page.get_by_role("heading", name="Carried over from earlier meetings")
        carried = page.locator("ul.action-items").first
        assert "Visit School A with the principal" in carried.inner_text()
        assert axe_violations() == []

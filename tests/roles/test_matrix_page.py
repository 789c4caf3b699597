"""The matrix page as a reader meets it: as of a minute, before the first record,
edits that return to the same filtered view, downloads named after what they hold."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from roles.cells import set_ownership
from roles.models import Ownership

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def matrix_url(district, query=""):
    return f"/districts/{district.slug}/matrix/{query}"


def shown_level(html, row, role):
    """The level a viewer sees in one cell (text), or "" for an empty cell."""
    cells = re.search(rf'<tr id="row-{row.pk}".*?</tr>', html, re.S).group(0)
    return re.findall(r'<td class="cell level-\w+">(\w*)</td>', cells)


@pytest.fixture
def chicago(settings):
    settings.TIME_ZONE = "America/Chicago"


def test_as_of_a_minute_shows_the_changes_made_up_to_its_end(
    chicago, client_for, viewer, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    budget, cao = m["budget"], m["cao"]
    with time_machine.travel(datetime.datetime(2026, 3, 5, 14, 5, 30, tzinfo=CHICAGO)):
        set_ownership(
            responsibility=budget,
            role=cao,
            level="A",
            expected_version=1,
            acting_user=editor,
        )
    client = client_for(viewer)
    # The fixture's own records are newer than 5 March: they are moved before it.
    Ownership.history.exclude(responsibility=budget, role=cao).update(
        history_date=datetime.datetime(2026, 3, 1, tzinfo=CHICAGO)
    )
    for model_history in (cao.history, budget.history):
        model_history.update(history_date=datetime.datetime(2026, 3, 1, tzinfo=CHICAGO))
    with time_machine.travel(datetime.datetime(2026, 3, 6, tzinfo=CHICAGO)):
        before = client.get(matrix_url(district, "?as_of=2026-03-05T14:04"))
        during = client.get(matrix_url(district, "?as_of=2026-03-05T14:05"))
        whole_day = client.get(matrix_url(district, "?as_of=2026-03-05"))
    assert before.status_code == during.status_code == whole_day.status_code == 200
    assert shown_level(before.content.decode(), budget, cao)[0] == ""
    assert shown_level(during.content.decode(), budget, cao)[0] == "A"
    assert shown_level(whole_day.content.decode(), budget, cao)[0] == "A"
    html = during.content.decode()
    assert "As of 5 March 2026, 14:05: a past state of the matrix" in html
    # The input shows the minute; a bare date shows as the day's last minute.
    assert 'type="datetime-local" name="as_of" value="2026-03-05T14:05"' in html
    assert 'value="2026-03-05T23:59"' in whole_day.content.decode()
    assert "As of the end of 5 March 2026" in whole_day.content.decode()


def test_before_the_first_record_the_page_says_when_that_is(
    chicago, client_for, viewer, district, cabinet_matrix
):
    response = client_for(viewer).get(matrix_url(district, "?as_of=2001-01-01T09:30"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This district has no roles yet" not in html
    assert (
        "The matrix has no records before 1 January 2001, 09:30; its first record is"
        in html
    )


def test_a_district_without_any_record_still_says_it_has_no_roles(
    client_for, viewer, district
):
    html = client_for(viewer).get(matrix_url(district, "?as_of=2001-01-01")).content
    assert "This district has no roles yet" in html.decode()


def edit_url(district, row, query=""):
    return f"/districts/{district.slug}/matrix/rows/{row.pk}/edit/{query}"


def test_the_edit_form_returns_to_the_same_filters_with_the_message_in_the_row(
    client_for, editor, district, cabinet_matrix
):
    budget, planning = cabinet_matrix["budget"], cabinet_matrix["planning"]
    client = client_for(editor)
    query = f"?work_area={planning.pk}&classification=gap"
    matrix = client.get(matrix_url(district, query)).content.decode()
    # The row's Edit link carries the filters ...
    assert (
        f'href="{edit_url(district, budget)}?work_area={planning.pk}&amp;classification=gap"'
        in matrix
    )
    form = client.get(edit_url(district, budget, query)).content.decode()
    assert (
        f'href="{matrix_url(district, query).replace("&", "&amp;")}#row-{budget.pk}">Cancel'
        in form
    )
    # ... and saving goes back to them, at the row.
    response = client.post(
        edit_url(district, budget, query),
        {
            "name": "Budget",
            "work_area": planning.pk,
            "description": "Yearly",
            "version": 1,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == matrix_url(district, query) + f"#row-{budget.pk}"
    html = client.get(response["Location"]).content.decode()
    row = re.search(rf'<tr id="row-{budget.pk}".*?</tr>', html, re.S).group(0)
    assert (
        '<span class="row-message row-message-ok" role="status">Saved “Budget”.</span>'
        in row
    )
    assert '<ul class="messages"' not in html  # not repeated at the top, off screen


def test_the_declared_joint_checkbox_sits_before_its_label(
    client_for, editor, district, cabinet_matrix
):
    html = client_for(editor).get(edit_url(district, cabinet_matrix["budget"])).content
    assert re.search(
        rb'<input type="checkbox" name="is_joint"[^>]* id="id_is_joint"> '
        rb'<label for="id_is_joint">Declared joint:</label>',
        html,
    )


def disposition_name(response):
    return re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_download_names_say_district_filters_and_date(
    client_for, viewer, district, cabinet_matrix, extension
):
    client = client_for(viewer)
    cao = cabinet_matrix["cao"]
    base = f"/districts/{district.slug}/matrix/export.{extension}"
    with time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)):
        full = disposition_name(client.get(base))
        filtered = disposition_name(
            client.get(f"{base}?role={cao.pk}&level=A&classification=distinct")
        )
        past = disposition_name(client.get(f"{base}?as_of=2026-11-30T08:15"))
    assert full == f"lanes-lakeside-matrix-all-2026-12-03.{extension}"
    assert (
        filtered == f"lanes-lakeside-matrix-role-cao-a-distinct-2026-12-03.{extension}"
    )
    assert past == f"lanes-lakeside-matrix-all-asof-2026-11-30T0815.{extension}"


def test_the_page_says_which_filters_and_date_it_shows_also_in_print(
    client_for, viewer, district, cabinet_matrix
):
    cao = cabinet_matrix["cao"]
    client = client_for(viewer)
    now = timezone.localtime()
    html = client.get(
        matrix_url(district, f"?role={cao.pk}&level=A&as_of={now:%Y-%m-%dT%H:%M}")
    ).content.decode()
    assert "Filtered (role CAO at A): showing " in html
    assert f", as of {now:%-d %B %Y, %H:%M}." in html
    current = client.get(matrix_url(district)).content.decode()
    assert '<span class="print-only">, the current matrix on ' in current


def test_a_saved_row_the_filters_now_hide_has_its_message_at_the_top(
    client_for, editor, district, cabinet_matrix
):
    budget = cabinet_matrix["budget"]
    planning, program = cabinet_matrix["planning"], cabinet_matrix["program"]
    client = client_for(editor)
    query = f"?work_area={planning.pk}"
    response = client.post(
        edit_url(district, budget, query),
        {"name": "Budget", "work_area": program.pk, "description": "", "version": 1},
    )
    html = client.get(response["Location"]).content.decode()
    assert f'id="row-{budget.pk}"' not in html  # moved out of the filtered area
    assert '<li class="message message-success">Saved “Budget”.</li>' in html

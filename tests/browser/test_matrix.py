"""The ownership matrix in a real browser: keyboard edits, read-only viewers, stale saves,
printing, no JavaScript, and accessibility."""

import os

import pytest

from roles.models import Ownership
from tests.factories import (
    OwnershipFactory,
    ResponsibilityFactory,
    RoleFactory,
    WorkAreaFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("LANES_SCREENSHOTS")


def snap(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.fixture
def faulty_matrix(district):
    """Three cabinet roles and three rows: one distinct, one gap, one conflict."""
    cao = RoleFactory(
        district=district, code="CAO", title="Chief Academic Officer", sort_order=1
    )
    cso = RoleFactory(
        district=district, code="CSO", title="Chief Schools Officer", sort_order=2
    )
    cto = RoleFactory(
        district=district, code="CTO", title="Chief Technology Officer", sort_order=3
    )
    program = WorkAreaFactory(district=district, name="Program", sort_order=1)
    schools = WorkAreaFactory(district=district, name="Schools", sort_order=2)
    curriculum = ResponsibilityFactory(
        district=district, work_area=program, name="Curriculum", sort_order=0
    )
    materials = ResponsibilityFactory(
        district=district,
        work_area=program,
        name="Instructional materials",
        sort_order=1,
    )
    coaching = ResponsibilityFactory(
        district=district, work_area=schools, name="Principal coaching", sort_order=0
    )
    for row, role, level in [
        (curriculum, cso, "R"),  # gap: nobody accountable
        (materials, cao, "A"),
        (materials, cto, "R"),
        (coaching, cao, "A"),  # conflict: two accountable, not declared joint
        (coaching, cso, "A"),
        (coaching, cto, "I"),
    ]:
        OwnershipFactory(district=district, responsibility=row, role=role, level=level)
    return {
        "cao": cao,
        "cso": cso,
        "cto": cto,
        "curriculum": curriculum,
        "coaching": coaching,
    }


def open_matrix(page):
    page.get_by_role("link", name="Ownership matrix").click()
    page.get_by_role("heading", name="Ownership matrix").wait_for()
    # The heading can show before htmx has wired up the cells; edits wait for that.
    page.wait_for_load_state("load")
    return page


def summary(page):
    return page.locator("#matrix-summary")


def test_editor_fixes_a_gap_and_a_conflict_with_the_keyboard(
    log_in, editor, faulty_matrix
):
    page = open_matrix(log_in(editor))
    assert summary(page).get_by_text("1 gap", exact=True).is_visible()
    assert summary(page).get_by_text("1 conflict", exact=True).is_visible()
    snap(page, "matrix-editor")

    # The gap: make the CAO accountable for Curriculum (type-ahead "a" picks "A").
    gap_cell = page.get_by_label("CAO on Curriculum")
    gap_cell.focus()
    page.keyboard.press("a")
    summary(page).get_by_text("0 gaps", exact=True).wait_for()
    assert page.locator("#matrix-status").inner_text() == (
        "Saved: CAO on Curriculum is now A."
    )
    # The control keeps the focus after the save, so keyboard work can go on.
    assert page.evaluate("document.activeElement.id") == gap_cell.get_attribute("id")
    row = page.locator(f"#row-{faulty_matrix['curriculum'].pk}")
    assert row.locator(".health-box").inner_text().startswith("Distinct")

    # The conflict: the CAO is only consulted on principal coaching.
    conflict_cell = page.get_by_label("CAO on Principal coaching")
    conflict_cell.focus()
    page.keyboard.press("c")
    summary(page).get_by_text("0 conflicts", exact=True).wait_for()

    page.reload()
    assert summary(page).get_by_text("0 gaps", exact=True).is_visible()
    assert summary(page).get_by_text("0 conflicts", exact=True).is_visible()
    assert page.get_by_label("CAO on Curriculum").input_value() == "A"
    assert page.get_by_label("CAO on Principal coaching").input_value() == "C"
    assert Ownership.history.filter(level="C").first().history_user.username == "editor"


def test_quick_successive_changes_in_one_row_are_all_saved(
    log_in, editor, faulty_matrix
):
    page = open_matrix(log_in(editor))
    page.get_by_label("CAO on Curriculum").focus()
    page.keyboard.press("ArrowDown")  # none -> R
    page.keyboard.press("ArrowDown")  # R -> A
    page.get_by_label("CTO on Curriculum").focus()
    page.keyboard.press("c")
    summary(page).get_by_text("0 gaps", exact=True).wait_for()
    page.locator("#matrix-status").get_by_text("CTO on Curriculum").wait_for()
    levels = dict(
        Ownership.objects.filter(
            responsibility=faulty_matrix["curriculum"]
        ).values_list("role__code", "level")
    )
    assert levels == {"CAO": "A", "CSO": "R", "CTO": "C"}


def test_viewer_sees_the_matrix_without_any_control(log_in, viewer, faulty_matrix):
    page = open_matrix(log_in(viewer))
    table = page.locator("table.matrix")
    assert table.locator("select").count() == 0
    assert table.locator("form").count() == 0
    assert page.get_by_text("Add a responsibility").count() == 0
    coaching = page.locator(f"#row-{faulty_matrix['coaching'].pk}")
    assert coaching.locator("td.cell").all_inner_texts() == ["A", "A", "I"]
    assert coaching.locator(".health-box").inner_text().startswith("Conflict")
    snap(page, "matrix-viewer")


def test_a_stale_save_is_refused_and_shows_the_current_row(
    log_in, editor, district_admin, faulty_matrix, chromium_browser, live_server
):
    page = open_matrix(log_in(editor))
    # Another editor changes the same row in another browser.
    other = chromium_browser.new_context().new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("Username").fill(district_admin.username)
    other.get_by_label("Password").fill("correct-horse-battery")
    other.get_by_role("button", name="Log in").click()
    other.wait_for_url(f"{live_server.url}/")
    open_matrix(other)
    other.get_by_label("CAO on Curriculum").select_option("R")
    other.locator("#matrix-status").get_by_text("Saved").wait_for()
    other.context.close()

    page.get_by_label("CSO on Curriculum").select_option("A")
    row = page.locator(f"#row-{faulty_matrix['curriculum'].pk}")
    row.get_by_role("alert").wait_for()
    assert "someone else changed this row" in row.get_by_role("alert").inner_text()
    assert page.get_by_label("CAO on Curriculum").input_value() == "R"
    assert page.get_by_label("CSO on Curriculum").input_value() == "R"
    # The refreshed row saves again from the same page.
    page.get_by_label("CSO on Curriculum").select_option("A")
    page.locator("#matrix-status").get_by_text("Saved: CSO on Curriculum").wait_for()
    levels = dict(
        Ownership.objects.filter(
            responsibility=faulty_matrix["curriculum"]
        ).values_list("role__code", "level")
    )
    assert levels == {"CAO": "R", "CSO": "A"}


def test_the_print_layout_has_a_legend_and_no_controls(log_in, editor, faulty_matrix):
    page = open_matrix(log_in(editor))
    page.get_by_label("CAO on Curriculum").select_option("A")  # saved in place
    page.locator("#matrix-status").get_by_text("Saved").wait_for()
    page.emulate_media(media="print")
    assert page.locator(".matrix-tools").is_hidden()
    assert page.locator("table.matrix .row-actions").first.is_hidden()
    assert page.get_by_text("Add a responsibility").is_hidden()
    assert page.get_by_role("heading", name="Legend").is_visible()
    cell = page.get_by_label("CAO on Curriculum")
    style = cell.evaluate(
        "el => [getComputedStyle(el).appearance, getComputedStyle(el).borderStyle]"
    )
    assert style == ["none", "none"]  # printed as text, showing the saved level
    assert cell.evaluate("el => el.selectedOptions[0].text") == "A"
    empty = page.get_by_label("CTO on Curriculum")
    assert empty.evaluate("el => getComputedStyle(el).visibility") == "hidden"
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('table.matrix thead')).display"
        )
        == "table-header-group"
    )
    snap(page, "matrix-print")


def test_editor_saves_a_cell_without_javascript(
    editor, faulty_matrix, chromium_browser, live_server, district
):
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/districts/{district.slug}/matrix/")
    # Change two cells of the row, then save the row once.
    page.get_by_label("CAO on Curriculum").select_option("A")
    page.get_by_label("CTO on Curriculum").select_option("C")
    page.get_by_role("button", name="Save Curriculum").click()
    page.get_by_text("Saved Curriculum: CAO A, CTO C.").wait_for()
    assert page.get_by_label("CAO on Curriculum").input_value() == "A"
    assert page.get_by_label("CTO on Curriculum").input_value() == "C"
    context.close()


def test_editor_page_has_no_serious_accessibility_violations(
    log_in, editor, faulty_matrix, axe_violations
):
    open_matrix(log_in(editor))
    assert axe_violations() == []


def test_viewer_page_has_no_serious_accessibility_violations(
    log_in, viewer, faulty_matrix, axe_violations
):
    open_matrix(log_in(viewer))
    assert axe_violations() == []


def test_history_opens_in_place(log_in, editor, faulty_matrix):
    page = open_matrix(log_in(editor))
    page.get_by_label("CAO on Curriculum").select_option("A")
    page.locator("#matrix-status").get_by_text("Saved").wait_for()
    row = page.locator(f"#row-{faulty_matrix['curriculum'].pk}")
    row.locator("summary").click()
    history = row.locator(".history-table")
    history.wait_for()
    assert "editor" in history.inner_text()
    assert "Accountable" in history.inner_text()

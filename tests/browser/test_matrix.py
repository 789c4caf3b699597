"""The ownership matrix in a real browser: keyboard edits, read-only viewers, stale saves,
printing, no JavaScript, and accessibility."""

import os

import pytest
from playwright.sync_api import expect

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


def counts(page):
    """The summary's counts, shown on its (collapsed) panel's button."""
    return page.locator("#summary-counts")


def test_editor_fixes_a_gap_and_a_conflict_with_the_keyboard(
    log_in, editor, faulty_matrix
):
    page = open_matrix(log_in(editor))
    expect(counts(page)).to_contain_text("1 gap, 1 conflict,")
    snap(page, "matrix-editor")

    # The gap: make the CAO accountable for Curriculum (type-ahead "a" picks "A",
    # Enter saves it).
    gap_cell = page.get_by_label("CAO on Curriculum")
    gap_cell.focus()
    page.keyboard.press("a")
    page.keyboard.press("Enter")
    expect(counts(page)).to_contain_text("0 gaps")
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
    page.keyboard.press("Tab")  # leaving the cell saves it too
    expect(counts(page)).to_contain_text("0 conflicts")

    page.reload()
    expect(counts(page)).to_contain_text("0 gaps, 0 conflicts,")
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
    page.get_by_label("CTO on Curriculum").focus()  # leaving CAO saves A
    page.keyboard.press("c")
    page.keyboard.press("Enter")
    expect(counts(page)).to_contain_text("0 gaps")
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
    pk = faulty_matrix["curriculum"].pk
    row = page.locator(f"#row-{pk}")
    row.get_by_text("Actions").click()
    row.get_by_role("link", name="History of Curriculum").click()
    # A full-width row of its own, right under the row.
    history_row = page.locator(f"#row-{pk} + tr.history-row")
    history = history_row.locator(".history-table")
    history.wait_for()
    assert "editor" in history.inner_text()
    assert "Accountable" in history.inner_text()
    assert history_row.locator("> td").get_attribute("colspan") == "6"
    # Dates on one line, and the From and To columns inside the window.
    when = history.locator("time").first
    assert when.evaluate("el => el.getClientRects().length") == 1
    to_column = history.get_by_role("columnheader", name="To")
    box = to_column.bounding_box()
    assert box["x"] + box["width"] <= page.viewport_size["width"]
    snap(page, "matrix-history")
    history_row.get_by_role("button", name="Close history").click()
    expect(history_row).to_be_hidden()


@pytest.fixture
def tall_matrix(district):
    """Three roles and sixteen rows in two work areas: taller than one screen."""
    roles = [
        RoleFactory(district=district, code=code, title=code, sort_order=index)
        for index, code in enumerate(["CAO", "CSO", "CTO"])
    ]
    areas = [
        WorkAreaFactory(district=district, name=name, sort_order=index)
        for index, name in enumerate(["Program", "Schools"])
    ]
    rows = [
        ResponsibilityFactory(
            district=district,
            work_area=areas[index // 8],
            name=f"Responsibility {index + 1}",
            description="A line of description under the name.",
            sort_order=index,
        )
        for index in range(16)
    ]
    for row in rows:
        OwnershipFactory(
            district=district, responsibility=row, role=roles[0], level="A"
        )
    return {"roles": roles, "rows": rows}


@pytest.fixture
def wide_page(chromium_browser):
    """A laptop screen: 1280 x 800."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in_on(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def watch_console(page):
    """Console errors and Content Security Policy reports of the page, as they come."""
    problems = []

    def on_console(message):
        # The site-wide icon is not the matrix's to serve.
        if message.type == "error" and not message.location.get("url", "").endswith(
            "/favicon.ico"
        ):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP report: ' + e.violatedDirective))"
    )
    return problems


def test_the_table_starts_on_the_first_screen_at_1280_by_800(
    wide_page, live_server, editor, tall_matrix
):
    page = open_matrix(log_in_on(wide_page, live_server, editor))
    top = page.locator("table.matrix").bounding_box()["y"]
    first_row = page.locator("tr.matrix-row").first.bounding_box()
    assert top < 400
    assert first_row["y"] + first_row["height"] < 800
    # One scroll bar, the window's: the table sits in no scrolling box.
    assert (
        page.evaluate(
            """[...document.querySelectorAll('*')].filter(el => {
             const style = getComputedStyle(el);
             return ['auto', 'scroll'].includes(style.overflowY)
               && el.scrollHeight > el.clientHeight && el !== document.scrollingElement;
           }).length"""
        )
        == 0
    )
    snap(page, "matrix-first-screen")


def test_panels_stay_as_the_reader_left_them(
    wide_page, live_server, editor, tall_matrix
):
    page = open_matrix(log_in_on(wide_page, live_server, editor))
    legend = page.locator("details.panel-legend")
    assert legend.get_attribute("open") is None
    legend.locator("summary").click()
    page.get_by_text("Responsible: does the work").wait_for()
    page.reload()
    expect(page.locator("details.panel-legend")).to_have_attribute("open", "")
    page.locator("details.panel-legend summary").click()
    page.reload()
    page.wait_for_load_state("load")
    assert page.locator("details.panel-legend").get_attribute("open") is None


def test_arrow_steps_then_enter_write_one_history_entry_and_no_conflict(
    wide_page, live_server, editor, tall_matrix
):
    page = open_matrix(log_in_on(wide_page, live_server, editor))
    row = tall_matrix["rows"][0]
    cso = tall_matrix["roles"][1]
    cell = page.get_by_label("CSO on Responsibility 1", exact=True)
    cell.focus()
    page.keyboard.press("ArrowDown")  # none -> R
    page.keyboard.press("ArrowDown")  # R -> A: a conflict, if it were saved
    page.wait_for_timeout(500)  # time for a save, if one were sent
    assert not Ownership.history.filter(responsibility=row, role=cso).exists()
    expect(page.locator("#matrix-status")).to_contain_text("not saved yet")
    assert (
        page.locator("#summary-counts").inner_text().startswith("0 gaps, 0 conflicts")
    )
    page.keyboard.press("Escape")  # back to none, nothing saved
    assert cell.input_value() == ""
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#matrix-status")).to_have_text(
        "Saved: CSO on Responsibility 1 is now A."
    )
    expect(page.locator("#summary-counts")).to_contain_text("1 conflict")
    records = Ownership.history.filter(responsibility=row, role=cso)
    assert [(r.history_type, r.level) for r in records] == [("+", "A")]
    # The focus stayed in the cell: the next key goes on from there.
    assert page.evaluate("document.activeElement.id") == cell.get_attribute("id")


TABS_TO_ROW_7_BOUND = 25  # 122 when every cell and row action was a stop


def test_few_tab_presses_reach_row_7_and_arrows_move_along_a_row(
    wide_page, live_server, editor, tall_matrix
):
    page = open_matrix(log_in_on(wide_page, live_server, editor))
    target = page.get_by_label("CAO on Responsibility 7")
    presses = 0
    while presses < 200:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("document.activeElement.id") == target.get_attribute("id"):
            break
    assert presses <= TABS_TO_ROW_7_BOUND
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == (
        page.get_by_label("CSO on Responsibility 7").get_attribute("id")
    )
    # One stop for the row's actions, right after its cells.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == (
        "Actions for Responsibility 7"
    )
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == (
        "History of Responsibility 7"
    )
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.textContent") == (
        "Actions for Responsibility 7"
    )


def test_the_header_row_stays_in_view_while_the_page_scrolls(
    wide_page, live_server, editor, tall_matrix
):
    page = open_matrix(log_in_on(wide_page, live_server, editor))
    page.mouse.wheel(0, 900)
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") > 300  # well past the header row
    header = page.get_by_role("columnheader", name="Responsibility")
    assert abs(header.bounding_box()["y"]) < 2
    assert header.evaluate(
        "el => document.elementFromPoint(el.getBoundingClientRect().x + 5,"
        " el.getBoundingClientRect().y + 5) === el"
    )
    snap(page, "matrix-scrolled")


def test_editing_the_matrix_logs_no_console_error_or_csp_report(
    wide_page, live_server, editor, tall_matrix
):
    problems = watch_console(wide_page)
    page = open_matrix(log_in_on(wide_page, live_server, editor))
    page.get_by_label("CTO on Responsibility 2").select_option("C")
    expect(page.locator("#matrix-status")).to_contain_text("Saved")
    cell = page.get_by_label("CSO on Responsibility 3")
    cell.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#matrix-status")).to_contain_text(
        "CSO on Responsibility 3 is now R"
    )
    row = page.locator(f"#row-{tall_matrix['rows'][3].pk}")
    row.get_by_text("Actions").click()
    row.get_by_role("link", name="History of Responsibility 4").click()
    page.locator(".history-row .history-table").wait_for()
    row.get_by_text("Actions").click()
    row.get_by_role("button", name="Move down Responsibility 4").click()
    page.locator(f"#row-{tall_matrix['rows'][3].pk}").wait_for()
    page.wait_for_timeout(300)
    assert problems == []

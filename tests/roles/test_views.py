"""The ownership matrix pages: who may see and change what, cells, rows, filters,
history, exports, bad input and query counts."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from roles.models import Ownership, Responsibility, Role, WorkArea
from roles.responsibilities import update_responsibility
from tests.factories import (
    OwnershipFactory,
    ResponsibilityFactory,
    RoleFactory,
    WorkAreaFactory,
)

from .conftest import build_large_matrix

HTMX = {"HTTP_HX_REQUEST": "true"}


def matrix_url(district, query=""):
    return f"/districts/{district.slug}/matrix/{query}"


def cell_url(district, row, role):
    return f"/districts/{district.slug}/matrix/rows/{row.pk}/cells/{role.pk}/"


def cell_data(role, level, version):
    """What a cell's control sends: its level and the row version it was shown with."""
    return {f"level-{role.pk}": level, "version": version}


def level_of(row, role):
    ownership = Ownership.objects.filter(responsibility=row, role=role).first()
    return ownership.level if ownership else ""


def selected_option(html, row, role):
    """The value of the selected option of a cell's <select> in `html`."""
    select = re.search(
        rf'<select id="cell-{row.pk}-{role.pk}"[^>]*>(.*?)</select>', html, re.S
    )
    assert select, f"no control for cell {row.pk}-{role.pk}"
    return re.search(r'<option value="([RACI]?)" selected>', select.group(1)).group(1)


# --- who may see the page ---


def test_home_page_links_to_the_ownership_matrix(client_for, viewer, district):
    html = client_for(viewer).get("/").content.decode()
    assert f'href="/districts/{district.slug}/matrix/">Ownership matrix</a>' in html


def test_anonymous_is_sent_to_log_in(client_for, district, cabinet_matrix):
    response = client_for(None).get(matrix_url(district))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_anonymous_cannot_save_a_cell(client_for, district, cabinet_matrix):
    m = cabinet_matrix
    response = client_for(None).post(
        cell_url(district, m["budget"], m["cao"]), cell_data(m["cao"], "A", 1)
    )
    assert response.status_code == 302
    assert level_of(m["budget"], m["cao"]) == ""


def test_viewer_sees_levels_as_text_without_controls(
    client_for, viewer, district, cabinet_matrix
):
    response = client_for(viewer).get(matrix_url(district))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<select" not in html.split("<table", 1)[1].split("</table>", 1)[0]
    assert 'class="cell level-A">A</td>' in html
    assert 'class="cell level-R">R</td>' in html
    assert "Curriculum" in html and "Planning" in html
    assert "Add a responsibility" not in html
    assert "/edit/" not in html


@pytest.mark.parametrize(
    "path",
    [
        "matrix/",
        "matrix/export.csv",
        "matrix/export.xlsx",
        "matrix/changes/",
        "matrix/rows/{row}/history/",
        "matrix/rows/{row}/edit/",
    ],
)
def test_outsider_gets_404_for_every_page(
    client_for, outsider, district, cabinet_matrix, path
):
    url = f"/districts/{district.slug}/" + path.format(
        row=cabinet_matrix["curriculum"].pk
    )
    assert client_for(outsider).get(url).status_code == 404


def test_outsider_cannot_save_a_cell_404(
    client_for, outsider, district, cabinet_matrix
):
    m = cabinet_matrix
    response = client_for(outsider).post(
        cell_url(district, m["budget"], m["cao"]), cell_data(m["cao"], "A", 1)
    )
    assert response.status_code == 404
    assert level_of(m["budget"], m["cao"]) == ""


def test_outsider_gets_404_for_their_own_rows_under_this_districts_slug(
    client_for, outsider, other_district, district, cabinet_matrix
):
    foreign = ResponsibilityFactory(district=other_district)
    role = RoleFactory(district=other_district)
    response = client_for(outsider).post(
        cell_url(district, foreign, role), cell_data(role, "A", 1)
    )
    assert response.status_code == 404


def test_unknown_district_is_404(client_for, editor, district):
    assert client_for(editor).get("/districts/nowhere/matrix/").status_code == 404


def test_superuser_sees_any_district(client_for, superuser, district, cabinet_matrix):
    response = client_for(superuser).get(matrix_url(district))
    assert response.status_code == 200
    assert "<select" in response.content.decode()


# --- viewers cannot change anything ---


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("matrix/rows/{row}/cells/{role}/", {"level-{role}": "A", "version": 1}),
        ("matrix/rows/{row}/cells/", {"level-{role}": "A", "version": 1}),
        ("matrix/rows/", {"name": "New", "work_area": "{area}"}),
        (
            "matrix/rows/{row}/edit/",
            {"name": "Renamed", "work_area": "{area}", "version": 1},
        ),
        ("matrix/rows/{row}/move/", {"direction": "up"}),
    ],
)
def test_viewer_edits_are_refused_with_403(
    client_for, viewer, district, cabinet_matrix, path, data
):
    m = cabinet_matrix
    ids = {"row": m["budget"].pk, "role": m["cao"].pk, "area": m["planning"].pk}
    url = f"/districts/{district.slug}/" + path.format(**ids)
    data = {key.format(**ids): str(value).format(**ids) for key, value in data.items()}
    before = list(Responsibility.objects.values_list("name", "sort_order", "version"))
    response = client_for(viewer).post(url, data)
    assert response.status_code == 403
    assert level_of(m["budget"], m["cao"]) == ""
    assert (
        list(Responsibility.objects.values_list("name", "sort_order", "version"))
        == before
    )


def test_viewer_cannot_open_the_edit_form(client_for, viewer, district, cabinet_matrix):
    url = f"/districts/{district.slug}/matrix/rows/{cabinet_matrix['budget'].pk}/edit/"
    assert client_for(viewer).get(url).status_code == 403


# --- editors change cells ---


def test_editor_sees_a_labelled_select_per_cell(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    html = client_for(editor).get(matrix_url(district)).content.decode()
    row, role = m["curriculum"], m["cao"]
    assert (
        f'<label class="visually-hidden" for="cell-{row.pk}-{role.pk}">CAO on Curriculum</label>'
        in html
    )
    assert selected_option(html, row, role) == "A"
    assert selected_option(html, m["budget"], m["cao"]) == ""
    # htmx saves the cell when the page's script commits it ...
    assert (
        f'form="row-form-{row.pk}" hx-post="{cell_url(district, row, role)}"'
        ' hx-trigger="commit"'
    ) in html
    # ... and without JavaScript the row's form saves its cells.
    row_form = re.search(rf'<form id="row-form-{row.pk}" [^>]*>', html).group(0)
    assert (
        f'action="/districts/{district.slug}/matrix/rows/{row.pk}/cells/"' in row_form
    )
    assert (
        f'<input type="hidden" name="version" value="1" id="version-{row.pk}">' in html
    )
    assert (
        f'<noscript><button type="submit" form="row-form-{row.pk}" class="row-save">Save'
        in html
    )


def test_every_cell_is_a_labelled_select_for_editors_with_ids_used_once(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    html = client_for(editor).get(matrix_url(district)).content.decode()
    rows = ("priorities", "budget", "curriculum", "assessment")
    roles = ("cao", "cso", "cto", "chief")
    for row in (m[key] for key in rows):
        history = f"/districts/{district.slug}/matrix/rows/{row.pk}/history/"
        assert (
            f'<a class="history-link" href="{history}" data-row="{row.pk}">History'
            f'<span class="visually-hidden"> of {row.name}</span></a>'
        ) in html
        for role in (m[key] for key in roles):
            label = f"{role.code} on {row.name}"
            assert (
                f'<label class="visually-hidden" for="cell-{row.pk}-{role.pk}">'
                f"{label}</label>"
            ) in html
            assert selected_option(html, row, role) == level_of(row, role)
    assert html.count('<select id="cell-') == len(rows) * len(roles)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_row_names_and_descriptions_are_escaped(
    client_for, editor, district, cabinet_matrix
):
    Responsibility.objects.filter(pk=cabinet_matrix["budget"].pk).update(
        name='Budget <b>"&"</b>', description="<script>x</script>"
    )
    html = client_for(editor).get(matrix_url(district)).content.decode()
    assert "<b>" not in html and "<script>x" not in html
    assert "CAO on Budget &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;</label>" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_columns_put_cabinet_roles_first(client_for, viewer, district, cabinet_matrix):
    html = client_for(viewer).get(matrix_url(district)).content.decode()
    codes = re.findall(
        r'<th scope="col" class="role-head"><abbr title="[^"]*">(\w+)</abbr>', html
    )
    assert codes == ["CAO", "CSO", "CTO", "NC1"]


def test_editor_saves_a_cell_without_javascript(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    client = client_for(editor)
    response = client.post(
        cell_url(district, m["budget"], m["cso"])
        + "?work_area="
        + str(m["planning"].pk),
        cell_data(m["cso"], "A", 1),
    )
    assert response.status_code == 302
    assert response.url == matrix_url(
        district, f"?work_area={m['planning'].pk}#row-{m['budget'].pk}"
    )
    assert level_of(m["budget"], m["cso"]) == "A"
    record = Ownership.history.filter(responsibility_id=m["budget"].pk).first()
    assert record.history_user == editor
    page = client.get(matrix_url(district)).content.decode()
    assert "Saved: CSO on Budget is now A." in page


def test_editor_saves_a_cell_with_htmx_and_gets_health_versions_and_summary(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    budget = m["budget"]
    response = client_for(editor).post(
        cell_url(district, budget, m["cao"]), cell_data(m["cao"], "A", 1), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert level_of(budget, m["cao"]) == "A"
    assert (
        f'<div id="health-{budget.pk}" class="health-box" hx-swap-oob="true">' in html
    )
    assert "Distinct" in html
    assert f'value="2" id="version-{budget.pk}" hx-swap-oob="true"' in html
    assert 'id="matrix-summary"' in html and 'hx-swap-oob="true"' in html
    assert "0 gaps" in html
    assert "Saved: CAO on Budget is now A." in html


def test_a_saved_cell_answers_its_rows_new_classification_and_summary_only(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    assessment = m["assessment"]  # a conflict: CAO and CTO accountable
    response = client_for(editor).post(
        cell_url(district, assessment, m["cto"]), cell_data(m["cto"], "C", 1), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    health = re.search(rf'<div id="health-{assessment.pk}" [^>]*>(.*?)</div>', html)
    assert health[1] == '<span class="badge badge-distinct">Distinct</span>'
    assert "0 conflicts" in html and "2 distinct rows" in html
    assert (
        f'?role={m["cao"].pk}&amp;level=A&amp;classification=distinct">CAO 2<' in html
    )
    # Nothing else: no cells (the select already shows its level), no other row.
    assert "<select" not in html and html.count('class="health-box"') == 1


def test_editor_clears_a_cell(client_for, editor, district, cabinet_matrix):
    m = cabinet_matrix
    response = client_for(editor).post(
        cell_url(district, m["curriculum"], m["cao"]),
        cell_data(m["cao"], "", 1),
        **HTMX,
    )
    assert response.status_code == 200
    assert level_of(m["curriculum"], m["cao"]) == ""
    assert "Saved: CAO on Curriculum is now none." in response.content.decode()


def test_district_admin_can_edit(client_for, district_admin, district, cabinet_matrix):
    m = cabinet_matrix
    response = client_for(district_admin).post(
        cell_url(district, m["budget"], m["cto"]), cell_data(m["cto"], "A", 1), **HTMX
    )
    assert response.status_code == 200
    assert level_of(m["budget"], m["cto"]) == "A"


def test_saves_from_the_same_page_chain_versions(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    client = client_for(editor)
    first = client.post(
        cell_url(district, m["budget"], m["cao"]), cell_data(m["cao"], "A", 1), **HTMX
    )
    version = re.search(r'value="(\d+)" id="version-', first.content.decode()).group(1)
    second = client.post(
        cell_url(district, m["budget"], m["cso"]),
        cell_data(m["cso"], "R", version),
        **HTMX,
    )
    assert second.status_code == 200
    assert (level_of(m["budget"], m["cao"]), level_of(m["budget"], m["cso"])) == (
        "A",
        "R",
    )


# --- no lost updates ---


def test_a_stale_htmx_save_is_refused_with_409_and_the_current_row(
    client_for, editor, district_admin, district, cabinet_matrix
):
    m = cabinet_matrix
    curriculum = m["curriculum"]
    # Both opened the page at version 1; the admin saves first.
    first = client_for(district_admin).post(
        cell_url(district, curriculum, m["cso"]), cell_data(m["cso"], "C", 1), **HTMX
    )
    assert first.status_code == 200
    response = client_for(editor).post(
        cell_url(district, curriculum, m["cao"]), cell_data(m["cao"], "I", 1), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#row-{curriculum.pk}"
    assert response["HX-Reswap"] == "outerHTML"
    assert level_of(curriculum, m["cao"]) == "A"  # nothing changed
    assert "CAO on Curriculum was not saved: someone else changed this row" in html
    assert selected_option(html, curriculum, m["cso"]) == "C"  # the current values
    assert selected_option(html, curriculum, m["cao"]) == "A"
    assert f'name="version" value="2" id="version-{curriculum.pk}"' in html


def test_a_stale_save_without_javascript_is_refused_with_409_and_a_message(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    update_responsibility(
        responsibility=m["budget"],
        expected_version=1,
        acting_user=None,
        name="Budget and staffing",
        description="",
        is_joint=False,
        work_area=m["planning"],
    )
    response = client_for(editor).post(
        cell_url(district, m["budget"], m["cao"]), cell_data(m["cao"], "A", 1)
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "CAO on Budget and staffing was not saved: someone else changed" in html
    assert level_of(m["budget"], m["cao"]) == ""
    assert "Budget and staffing" in html


# --- the row form (browsers without JavaScript) ---


def row_cells_url(district, row):
    return f"/districts/{district.slug}/matrix/rows/{row.pk}/cells/"


def test_editor_saves_several_cells_of_a_row_without_javascript(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    client = client_for(editor)
    data = {
        f"level-{m['cao'].pk}": "A",
        f"level-{m['cso'].pk}": "R",
        f"level-{m['cto'].pk}": "",
        f"level-{m['chief'].pk}": "I",
        "version": 1,
    }
    response = client.post(row_cells_url(district, m["budget"]), data)
    assert response.status_code == 302
    assert response.url == matrix_url(district, f"#row-{m['budget'].pk}")
    levels = [level_of(m["budget"], m[code]) for code in ("cao", "cso", "cto", "chief")]
    assert levels == ["A", "R", "", "I"]
    m["budget"].refresh_from_db()
    assert m["budget"].version == 4  # three cells changed
    page = client.get(matrix_url(district)).content.decode()
    assert "Saved Budget: CAO A, CSO R, NC1 I." in page


def test_a_row_form_with_nothing_changed_saves_nothing(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    client = client_for(editor)
    data = {f"level-{m['cso'].pk}": "C", f"level-{m['cao'].pk}": "", "version": 1}
    response = client.post(row_cells_url(district, m["budget"]), data)
    assert response.status_code == 302
    m["budget"].refresh_from_db()
    assert m["budget"].version == 1
    assert "Budget: nothing to save." in client.get(response.url).content.decode()


def test_a_stale_row_form_is_refused_whole_with_409(
    client_for, editor, district_admin, district, cabinet_matrix
):
    m = cabinet_matrix
    client_for(district_admin).post(
        cell_url(district, m["budget"], m["cto"]), cell_data(m["cto"], "I", 1)
    )
    data = {f"level-{m['cao'].pk}": "A", f"level-{m['cso'].pk}": "R", "version": 1}
    response = client_for(editor).post(row_cells_url(district, m["budget"]), data)
    assert response.status_code == 409
    assert "Budget was not saved: someone else changed this row" in (
        response.content.decode()
    )
    assert (level_of(m["budget"], m["cao"]), level_of(m["budget"], m["cso"])) == (
        "",
        "C",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"level-{cao}": "Z", "version": "1"},
        {"level-{cao}": "A", "version": ""},
        {"version": "1"},
        {"level-{foreign}": "A", "version": "1"},
    ],
)
def test_bad_row_forms_are_refused_with_400(
    client_for, editor, district, other_district, cabinet_matrix, data
):
    m = cabinet_matrix
    ids = {"cao": m["cao"].pk, "foreign": RoleFactory(district=other_district).pk}
    data = {key.format(**ids): value for key, value in data.items()}
    response = client_for(editor).post(row_cells_url(district, m["budget"]), data)
    assert response.status_code == 400
    assert "Budget was not saved" in response.content.decode()
    assert not Ownership.objects.filter(responsibility=m["budget"], level="A").exists()


# --- bad input on the cell form ---


@pytest.mark.parametrize(
    "data",
    [
        {"level-{cao}": "X", "version": 1},
        {"level-{cao}": "a", "version": 1},
        {"level-{cao}": "A"},
        {"level-{cao}": "A", "version": "many"},
        {"level-{cao}": "A", "version": 0},
        {"version": 1},
        {"level": "A", "version": 1},
    ],
)
def test_bad_cell_input_is_refused_with_400_and_nothing_saved(
    client_for, editor, district, cabinet_matrix, data
):
    m = cabinet_matrix
    data = {key.format(cao=m["cao"].pk): value for key, value in data.items()}
    for headers in ({}, HTMX):
        response = client_for(editor).post(
            cell_url(district, m["budget"], m["cao"]), data, **headers
        )
        assert response.status_code == 400
        assert "CAO on Budget was not saved" in response.content.decode()
    assert level_of(m["budget"], m["cao"]) == ""
    m["budget"].refresh_from_db()
    assert m["budget"].version == 1


def test_a_role_of_another_district_is_404(
    client_for, editor, district, other_district, cabinet_matrix
):
    foreign_role = RoleFactory(district=other_district)
    response = client_for(editor).post(
        cell_url(district, cabinet_matrix["budget"], foreign_role),
        cell_data(foreign_role, "A", 1),
    )
    assert response.status_code == 404
    assert not Ownership.objects.filter(role=foreign_role).exists()


def test_a_missing_row_is_404(client_for, editor, district, cabinet_matrix):
    url = f"/districts/{district.slug}/matrix/rows/999999/cells/{cabinet_matrix['cao'].pk}/"
    data = cell_data(cabinet_matrix["cao"], "A", 1)
    assert client_for(editor).post(url, data).status_code == 404


def test_saving_a_cell_needs_post(client_for, editor, district, cabinet_matrix):
    m = cabinet_matrix
    response = client_for(editor).get(cell_url(district, m["budget"], m["cao"]))
    assert response.status_code == 405


# --- filters ---


def _row_names(html):
    return re.findall(r'<span class="row-title">([^<]+)</span>', html)


def test_filter_by_work_area(client_for, viewer, district, cabinet_matrix):
    area = cabinet_matrix["program"].pk
    html = (
        client_for(viewer)
        .get(matrix_url(district, f"?work_area={area}"))
        .content.decode()
    )
    assert _row_names(html) == ["Curriculum", "Assessment"]
    assert "Filtered (work area Program): showing 2 of 4 responsibilities" in html


def test_filter_by_role_shows_rows_where_the_role_has_a_level(
    client_for, viewer, district, cabinet_matrix
):
    role = cabinet_matrix["cto"].pk
    html = (
        client_for(viewer).get(matrix_url(district, f"?role={role}")).content.decode()
    )
    assert _row_names(html) == ["Yearly priorities", "Assessment"]


def test_filter_by_role_and_level(client_for, viewer, district, cabinet_matrix):
    role = cabinet_matrix["cao"].pk
    html = (
        client_for(viewer)
        .get(matrix_url(district, f"?role={role}&level=A&classification=distinct"))
        .content.decode()
    )
    assert _row_names(html) == ["Curriculum"]


@pytest.mark.parametrize(
    ("classification", "names"),
    [
        ("joint", ["Yearly priorities"]),
        ("distinct", ["Curriculum"]),
        ("gap", ["Budget"]),
        ("conflict", ["Assessment"]),
    ],
)
def test_filter_by_classification(
    client_for, viewer, district, cabinet_matrix, classification, names
):
    url = matrix_url(district, f"?classification={classification}")
    assert _row_names(client_for(viewer).get(url).content.decode()) == names


def test_summary_counts_the_whole_matrix_and_links_to_filters(
    client_for, viewer, district, cabinet_matrix
):
    html = (
        client_for(viewer)
        .get(matrix_url(district, "?classification=gap"))
        .content.decode()
    )
    assert "Summary of the whole matrix" in html
    assert "1 joint row" in html
    assert "1 distinct row" in html
    assert "1 gap" in html
    assert "1 conflict" in html
    assert f'href="{matrix_url(district)}?classification=conflict"' in html
    cao = cabinet_matrix["cao"].pk
    assert (
        f'href="{matrix_url(district)}?role={cao}&amp;level=A&amp;classification=distinct">CAO 1</a>'
        in html
    )


def test_filters_stay_on_export_links_and_cell_forms(
    client_for, editor, district, cabinet_matrix
):
    area = cabinet_matrix["program"].pk
    html = (
        client_for(editor)
        .get(matrix_url(district, f"?work_area={area}"))
        .content.decode()
    )
    assert f"/matrix/export.csv?work_area={area}" in html
    assert f"/cells/{cabinet_matrix['cao'].pk}/?work_area={area}" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?work_area=999999", "Select a valid choice"),
        ("?role=abc", "Select a valid choice"),
        ("?classification=sideways", "Select a valid choice"),
        ("?level=A", "Choose a role to filter by its level."),
        ("?level=Z&role={role}", "Select a valid choice"),
    ],
)
def test_bad_filters_are_a_400_with_a_message(
    client_for, viewer, district, cabinet_matrix, query, message
):
    query = query.format(role=cabinet_matrix["cao"].pk)
    response = client_for(viewer).get(matrix_url(district, query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_role_of_another_district_is_not_a_valid_filter(
    client_for, viewer, district, other_district, cabinet_matrix
):
    foreign = RoleFactory(district=other_district)
    response = client_for(viewer).get(matrix_url(district, f"?role={foreign.pk}"))
    assert response.status_code == 400


# --- rows: add, edit, reorder ---


def test_editor_adds_a_responsibility_at_the_end_of_its_work_area(
    client_for, editor, district, cabinet_matrix
):
    area = cabinet_matrix["program"]
    response = client_for(editor).post(
        f"/districts/{district.slug}/matrix/rows/",
        {
            "name": "  Instructional materials ",
            "work_area": area.pk,
            "description": "Adoption",
        },
    )
    added = Responsibility.objects.get(name="Instructional materials")
    assert response.status_code == 302
    assert response.url == matrix_url(district, f"#row-{added.pk}")
    assert (added.work_area, added.sort_order, added.description) == (
        area,
        2,
        "Adoption",
    )
    assert added.history.get().history_user == editor


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "work_area": "{area}"}, "This field is required."),
        ({"name": "   ", "work_area": "{area}"}, "This field is required."),
        ({"name": "New"}, "This field is required."),
        ({"name": "New", "work_area": "999999"}, "Select a valid choice."),
        (
            {"name": "Curriculum", "work_area": "{area}"},
            "already exists in the work area",
        ),
    ],
)
def test_bad_new_responsibility_is_refused_with_400(
    client_for, editor, district, cabinet_matrix, data, message
):
    data = {k: v.format(area=cabinet_matrix["program"].pk) for k, v in data.items()}
    before = Responsibility.objects.count()
    response = client_for(editor).post(f"/districts/{district.slug}/matrix/rows/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Responsibility.objects.count() == before


def test_a_work_area_of_another_district_is_not_a_choice(
    client_for, editor, district, other_district, cabinet_matrix
):
    foreign = WorkAreaFactory(district=other_district)
    response = client_for(editor).post(
        f"/districts/{district.slug}/matrix/rows/",
        {"name": "New", "work_area": foreign.pk},
    )
    assert response.status_code == 400
    assert not Responsibility.objects.filter(name="New").exists()


def edit_url(district, row):
    return f"/districts/{district.slug}/matrix/rows/{row.pk}/edit/"


def test_editor_opens_the_edit_form_with_current_values(
    client_for, editor, district, cabinet_matrix
):
    html = (
        client_for(editor)
        .get(edit_url(district, cabinet_matrix["budget"]))
        .content.decode()
    )
    assert 'value="Budget"' in html
    assert 'name="version" value="1"' in html


def test_editor_renames_describes_and_declares_a_row_joint(
    client_for, editor, district, cabinet_matrix
):
    budget = cabinet_matrix["budget"]
    response = client_for(editor).post(
        edit_url(district, budget),
        {
            "name": "Budget and staffing",
            "work_area": cabinet_matrix["planning"].pk,
            "description": "Yearly budget",
            "is_joint": "on",
            "version": 1,
        },
    )
    assert response.status_code == 302
    budget.refresh_from_db()
    assert (budget.name, budget.description, budget.is_joint, budget.version) == (
        "Budget and staffing",
        "Yearly budget",
        True,
        2,
    )
    record = budget.history.first()
    assert (record.history_type, record.name, record.history_user) == (
        "~",
        "Budget and staffing",
        editor,
    )


def test_editor_moves_a_row_to_another_work_area_at_its_end(
    client_for, editor, district, cabinet_matrix
):
    budget = cabinet_matrix["budget"]
    program = cabinet_matrix["program"]
    response = client_for(editor).post(
        edit_url(district, budget),
        {"name": "Budget", "work_area": program.pk, "description": "", "version": 1},
    )
    assert response.status_code == 302
    budget.refresh_from_db()
    assert (budget.work_area, budget.sort_order) == (program, 2)


def test_a_stale_edit_is_refused_with_409_and_the_current_values(
    client_for, editor, district_admin, district, cabinet_matrix
):
    m = cabinet_matrix
    client_for(district_admin).post(
        cell_url(district, m["budget"], m["cao"]), cell_data(m["cao"], "A", 1)
    )
    response = client_for(editor).post(
        edit_url(district, m["budget"]),
        {
            "name": "Renamed",
            "work_area": m["planning"].pk,
            "description": "",
            "version": 1,
        },
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "someone else changed this responsibility" in html
    assert "Name: Renamed" in html  # what the editor had typed
    assert 'value="Budget"' in html and 'name="version" value="2"' in html
    m["budget"].refresh_from_db()
    assert m["budget"].name == "Budget"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "", "work_area": "{area}", "version": "1"},
            "This field is required.",
        ),
        (
            {"name": "Assessment", "work_area": "{program}", "version": "1"},
            "already exists",
        ),
        ({"name": "Budget", "work_area": "{area}"}, "This field is required."),
        (
            {"name": "Budget", "work_area": "abc", "version": "1"},
            "Select a valid choice.",
        ),
    ],
)
def test_bad_edits_are_refused_with_400(
    client_for, editor, district, cabinet_matrix, data, message
):
    m = cabinet_matrix
    ids = {"area": m["planning"].pk, "program": m["program"].pk}
    data = {k: v.format(**ids) for k, v in data.items()}
    response = client_for(editor).post(edit_url(district, m["budget"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    m["budget"].refresh_from_db()
    assert (m["budget"].name, m["budget"].version) == ("Budget", 1)


def move_url(district, row):
    return f"/districts/{district.slug}/matrix/rows/{row.pk}/move/"


def _area_order(area):
    return list(
        Responsibility.objects.filter(work_area=area)
        .order_by("sort_order", "name", "pk")
        .values_list("name", flat=True)
    )


def test_editor_moves_a_row_up_and_down(client_for, editor, district, cabinet_matrix):
    m = cabinet_matrix
    client = client_for(editor)
    response = client.post(move_url(district, m["assessment"]), {"direction": "up"})
    assert response.status_code == 302
    assert response.url == matrix_url(district, f"#row-{m['assessment'].pk}")
    assert _area_order(m["program"]) == ["Assessment", "Curriculum"]
    client.post(move_url(district, m["assessment"]), {"direction": "down"})
    assert _area_order(m["program"]) == ["Curriculum", "Assessment"]


def test_moving_the_first_row_up_changes_nothing(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    response = client_for(editor).post(
        move_url(district, m["curriculum"]), {"direction": "up"}
    )
    assert response.status_code == 302
    assert _area_order(m["program"]) == ["Curriculum", "Assessment"]


def test_moving_with_htmx_returns_the_work_area(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    response = client_for(editor).post(
        move_url(district, m["assessment"]), {"direction": "up"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tbody id="area-{m["program"].pk}"')
    assert _row_names(html) == ["Assessment", "Curriculum"]


def test_moving_keeps_row_versions(client_for, editor, district, cabinet_matrix):
    m = cabinet_matrix
    client_for(editor).post(move_url(district, m["assessment"]), {"direction": "up"})
    versions = set(
        Responsibility.objects.filter(work_area=m["program"]).values_list(
            "version", flat=True
        )
    )
    assert versions == {1}


@pytest.mark.parametrize("data", [{}, {"direction": "sideways"}])
def test_a_bad_move_is_refused_with_400(
    client_for, editor, district, cabinet_matrix, data
):
    response = client_for(editor).post(
        move_url(district, cabinet_matrix["assessment"]), data
    )
    assert response.status_code == 400
    assert _area_order(cabinet_matrix["program"]) == ["Curriculum", "Assessment"]


def test_moving_a_row_of_another_district_is_404(
    client_for, editor, district, other_district, cabinet_matrix
):
    foreign = ResponsibilityFactory(district=other_district)
    response = client_for(editor).post(move_url(district, foreign), {"direction": "up"})
    assert response.status_code == 404


# --- history, as of a date, changes between dates ---


def history_url(district, row):
    return f"/districts/{district.slug}/matrix/rows/{row.pk}/history/"


def test_row_history_shows_who_changed_which_cell_from_what_to_what(
    client_for, editor, viewer, district, cabinet_matrix
):
    m = cabinet_matrix
    client_for(editor).post(
        cell_url(district, m["curriculum"], m["cao"]), cell_data(m["cao"], "C", 1)
    )
    response = client_for(viewer).get(history_url(district, m["curriculum"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "History of “Curriculum”" in html
    entry = re.search(
        r"<tr>\s*<td><time[^>]*>[^<]+</time></td>\s*<td>editor</td>\s*"
        r"<td>CAO</td>\s*<td>Accountable</td>\s*<td>Consulted</td>",
        html,
    )
    assert entry, html


def test_row_history_for_htmx_is_the_fragment(
    client_for, viewer, district, cabinet_matrix
):
    response = client_for(viewer).get(
        history_url(district, cabinet_matrix["budget"]), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert '<table class="history-table">' in html


def test_row_history_of_another_districts_row_is_404(
    client_for, viewer, district, other_district, cabinet_matrix
):
    foreign = ResponsibilityFactory(district=other_district)
    assert client_for(viewer).get(history_url(district, foreign)).status_code == 404


def _backdate_history(days):
    """Move every history record `days` into the past (as if made then)."""
    shift = datetime.timedelta(days=days)
    for model in (Ownership, Responsibility):
        for record in model.history.all():
            record.history_date -= shift
            record.save()
    from roles.models import Role, WorkArea

    for model in (Role, WorkArea):
        for record in model.history.all():
            record.history_date -= shift
            record.save()


def test_the_matrix_as_of_a_past_date_is_read_only_and_labelled(
    client_for, editor, district, cabinet_matrix
):
    m = cabinet_matrix
    _backdate_history(10)
    client = client_for(editor)
    client.post(cell_url(district, m["budget"], m["cao"]), cell_data(m["cao"], "A", 1))
    past = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    response = client.get(matrix_url(district, f"?as_of={past}"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "a past state of the matrix, read-only" in html
    assert "<select" not in html.split("<table", 1)[1]
    assert "1 gap" in html  # Budget had no accountable role then
    now = client.get(matrix_url(district)).content.decode()
    assert "0 gaps" in now


def test_the_matrix_before_anything_existed_says_when_its_first_record_is(
    client_for, viewer, district, cabinet_matrix
):
    response = client_for(viewer).get(matrix_url(district, "?as_of=2001-01-01"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This district has no roles yet" not in html
    first = timezone.localtime(
        min(
            model.history.filter(district=district)
            .earliest("history_date")
            .history_date
            for model in (Role, WorkArea, Responsibility)
        )
    )
    assert (
        "The matrix has no records before the end of 1 January 2001; its first record"
        f" is {first:%-d %B %Y, %H:%M}." in html
    )
    assert f'?as_of={first:%Y-%m-%dT%H:%M}">Show the matrix as of' in html


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("yesterday", "Enter a date and time as YYYY-MM-DDTHH:MM"),
        ("2024-02-30", "Enter a date and time as YYYY-MM-DDTHH:MM"),
        ("2024-02-01T25:00", "Enter a date and time as YYYY-MM-DDTHH:MM"),
        ("2999-01-01", "Choose a moment that is not in the future."),
        ("2999-01-01T10:00", "Choose a moment that is not in the future."),
    ],
)
def test_a_bad_as_of_date_is_a_400_with_a_message(
    client_for, viewer, district, cabinet_matrix, as_of, message
):
    response = client_for(viewer).get(matrix_url(district, f"?as_of={as_of}"))
    assert response.status_code == 400
    assert message in response.content.decode()


def changes_url(district, query=""):
    return f"/districts/{district.slug}/matrix/changes/{query}"


def test_changes_between_two_dates_list_cells_and_rows_with_who(
    client_for, editor, viewer, district, cabinet_matrix
):
    m = cabinet_matrix
    _backdate_history(10)
    client = client_for(editor)
    client.post(cell_url(district, m["budget"], m["cao"]), cell_data(m["cao"], "A", 1))
    client.post(
        cell_url(district, m["curriculum"], m["cso"]), cell_data(m["cso"], "C", 1)
    )
    client.post(
        cell_url(district, m["curriculum"], m["chief"]), cell_data(m["chief"], "", 2)
    )
    client.post(
        edit_url(district, m["assessment"]),
        {"name": "Assessment design", "work_area": m["program"].pk, "version": 1},
    )
    today = timezone.localdate()
    first = (today - datetime.timedelta(days=3)).isoformat()
    response = client_for(viewer).get(
        changes_url(district, f"?from={first}&to={today}")
    )
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    cells = {
        row: re.findall(r"<li>(\w+: [^<]+)", block)
        for row, block in re.findall(
            r"<strong>([^<]+)</strong> <span class=\"muted\">\([^)]*\)</span> "
            r"<ul class=\"cell-changes\">(.*?)</ul>",
            html,
        )
    }
    assert cells == {
        "Budget": ["CAO: added A "],
        "Curriculum": ["CSO: changed R → C ", "NC1: removed I "],
    }
    assert 'CAO: added A <span class="muted">(by editor, last on ' in html
    assert (
        "<strong>Assessment design</strong>: renamed, Assessment → Assessment design"
        in html
    )
    assert "<strong>Budget</strong>: classification changed, Gap → Distinct" in html


def test_changes_before_the_edits_are_empty(
    client_for, viewer, district, cabinet_matrix
):
    response = client_for(viewer).get(
        changes_url(district, "?from=2001-01-01&to=2001-12-31")
    )
    assert response.status_code == 200
    assert "No changes in this period." in response.content.decode()


def test_changes_default_to_the_last_30_days(
    client_for, viewer, district, cabinet_matrix
):
    response = client_for(viewer).get(changes_url(district))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{timezone.localdate().isoformat()}"' in html
    # The fixture's rows were made today: each is listed once, with its cells.
    assert "<strong>Yearly priorities</strong>: added, with CAO A, CSO A, CTO R" in html
    assert "cell-changes" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=2024-01-01", "This field is required."),
        ("?from=soon&to=2024-01-01", "Enter a date as YYYY-MM-DD."),
        ("?from=2024-03-01&to=2024-02-01", "The first day must not be after the last."),
        ("?from=2024-01-01&to=2999-01-01", "Choose today or an earlier date."),
    ],
)
def test_bad_change_dates_are_a_400_with_a_message(
    client_for, viewer, district, cabinet_matrix, query, message
):
    response = client_for(viewer).get(changes_url(district, query))
    assert response.status_code == 400
    assert message in response.content.decode()


# --- exports ---


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_has_every_row_with_levels_and_classification(
    client_for, viewer, district, cabinet_matrix
):
    response = client_for(viewer).get(f"/districts/{district.slug}/matrix/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="lanes-lakeside-matrix-' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == [
        "Work area",
        "Responsibility",
        "Description",
        "Declared joint",
        "CAO",
        "CSO",
        "CTO",
        "NC1",
        "Classification",
        "Warnings",
    ]
    assert rows[1:] == [
        ["Planning", "Yearly priorities", "", "yes", "A", "A", "R", "", "Joint", ""],
        ["Planning", "Budget", "", "no", "", "C", "", "", "Gap", ""],
        ["Program", "Curriculum", "", "no", "A", "R", "", "I", "Distinct", ""],
        ["Program", "Assessment", "", "no", "A", "R", "A", "", "Conflict", ""],
    ]


def test_csv_export_follows_the_filters(client_for, viewer, district, cabinet_matrix):
    response = client_for(viewer).get(
        f"/districts/{district.slug}/matrix/export.csv?classification=conflict"
    )
    assert [row[1] for row in _csv_rows(response)[1:]] == ["Assessment"]


def test_csv_export_writes_formula_like_text_as_text(
    client_for, viewer, district, cabinet_matrix
):
    ResponsibilityFactory(
        district=district, work_area=cabinet_matrix["program"], name="=HYPERLINK(1)"
    )
    response = client_for(viewer).get(f"/districts/{district.slug}/matrix/export.csv")
    assert ["'=HYPERLINK(1)"] == [
        row[1] for row in _csv_rows(response) if "HYPERLINK" in row[1]
    ]


def test_xlsx_export_has_the_matrix_and_an_about_sheet(
    client_for, viewer, district, cabinet_matrix
):
    ResponsibilityFactory(
        district=district, work_area=cabinet_matrix["program"], name="=SUM(1)"
    )
    response = client_for(viewer).get(
        f"/districts/{district.slug}/matrix/export.xlsx?work_area={cabinet_matrix['program'].pk}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Matrix"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:5] == [
        "Work area",
        "Responsibility",
        "Description",
        "Declared joint",
        "CAO",
    ]
    assert values[0][-2:] == ["Classification", "Warnings"]
    by_name = {row[1]: row for row in values[1:]}
    assert set(by_name) == {"Curriculum", "Assessment", "=SUM(1)"}
    assert by_name["Assessment"][4:9] == ["A", "R", "A", None, "Conflict"]
    assert sheet.cell(row=4, column=2).data_type == "s"  # text, not a formula
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows()}
    assert about["District"] == "Lakeside Unified"
    assert about["Filters"] == "work area Program"
    assert about["Gaps"] == 2  # whole matrix: Budget and the new row


def test_csv_export_writes_a_formula_like_role_code_as_text(
    client_for, viewer, district, cabinet_matrix
):
    RoleFactory(district=district, code="=1+2", sort_order=4)
    response = client_for(viewer).get(f"/districts/{district.slug}/matrix/export.csv")
    header = _csv_rows(response)[0]
    assert "'=1+2" in header
    assert "=1+2" not in header


def test_xlsx_export_stores_role_codes_and_district_name_as_text(
    client_for, viewer, district, cabinet_matrix
):
    RoleFactory(district=district, code="=1+2", sort_order=4)
    district.name = '=HYPERLINK("http://x.example","Lakeside")'
    district.save(update_fields=["name"])
    response = client_for(viewer).get(f"/districts/{district.slug}/matrix/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    header = {cell.value: cell.data_type for cell in workbook["Matrix"][1]}
    assert header["=1+2"] == "s"
    assert set(header.values()) == {"s"}
    about = {row[0].value: row[1] for row in workbook["About"].iter_rows()}
    assert about["District"].value == district.name
    assert about["District"].data_type == "s"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("persona", ["viewer", "editor", "superuser"])
def test_exports_are_downloads_no_cache_keeps(
    client_for, district, cabinet_matrix, extension, persona, request
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(
        f"/districts/{district.slug}/matrix/export.{extension}"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"


def test_exports_as_of_a_date(client_for, viewer, district, cabinet_matrix):
    response = client_for(viewer).get(
        f"/districts/{district.slug}/matrix/export.csv?as_of=2001-01-01"
    )
    assert response.status_code == 200
    assert "matrix-all-asof-2001-01-01.csv" in response["Content-Disposition"]
    assert _csv_rows(response) == [
        [
            "Work area",
            "Responsibility",
            "Description",
            "Declared joint",
            "Classification",
            "Warnings",
        ]
    ]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("query", ["?as_of=never", "?role=999999"])
def test_exports_refuse_bad_queries_with_400(
    client_for, viewer, district, cabinet_matrix, extension, query
):
    response = client_for(viewer).get(
        f"/districts/{district.slug}/matrix/export.{extension}{query}"
    )
    assert response.status_code == 400
    assert "The export was not made" in response.content.decode()


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_anonymous_cannot_export(client_for, district, cabinet_matrix, extension):
    response = client_for(None).get(
        f"/districts/{district.slug}/matrix/export.{extension}"
    )
    assert response.status_code == 302


def test_responsibility_url_opens_its_row_in_the_matrix(district, cabinet_matrix):
    row = cabinet_matrix["budget"]
    assert row.get_absolute_url() == f"/districts/{district.slug}/matrix/#row-{row.pk}"


# --- query counts: constant in the matrix's size ---


def _count_queries(client, method, url, data=None, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {}, **headers)
    assert response.status_code in (200, 302), response.status_code
    return len(queries)


@pytest.fixture
def small_and_large(district, other_district, editor):
    from district.models import AccessLevel
    from tests.factories import MembershipFactory

    build_large_matrix(district, rows=3, roles=2, areas=2)
    build_large_matrix(other_district, rows=200, roles=12, areas=8)
    MembershipFactory(
        district=other_district, user=editor, access_level=AccessLevel.EDITOR
    )
    return district, other_district


def _first_cell(target):
    row = Responsibility.objects.filter(district=target).order_by("pk").first()
    role = target.roles.order_by("pk").last()
    return row, role


@pytest.mark.parametrize("query", ["", "?classification=conflict", "?as_of={today}"])
def test_the_page_takes_the_same_queries_for_3x2_and_200x12(
    client_for, editor, small_and_large, query
):
    query = query.format(today=timezone.localdate().isoformat())
    client = client_for(editor)
    counts = [
        _count_queries(client, "get", matrix_url(target, query))
        for target in small_and_large
    ]
    assert counts[0] == counts[1]


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_cell_save_takes_the_same_queries_for_3x2_and_200x12(
    client_for, editor, small_and_large, headers
):
    client = client_for(editor)
    counts = []
    for target in small_and_large:
        row, role = _first_cell(target)
        counts.append(
            _count_queries(
                client,
                "post",
                cell_url(target, row, role),
                cell_data(role, "C", row.version),
                **headers,
            )
        )
    assert counts[0] == counts[1]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_take_the_same_queries_for_3x2_and_200x12(
    client_for, editor, small_and_large, extension
):
    client = client_for(editor)
    counts = [
        _count_queries(
            client, "get", f"/districts/{target.slug}/matrix/export.{extension}"
        )
        for target in small_and_large
    ]
    assert counts[0] == counts[1]


def test_a_move_takes_the_same_queries_for_3x2_and_200x12(
    client_for, editor, small_and_large
):
    client = client_for(editor)
    counts = []
    for target in small_and_large:
        row = Responsibility.objects.filter(district=target).order_by("pk").last()
        counts.append(
            _count_queries(
                client, "post", move_url(target, row), {"direction": "up"}, **HTMX
            )
        )
    assert counts[0] == counts[1]


def test_the_page_shows_row_warnings_and_overloaded_roles(
    client_for, viewer, district, cabinet_matrix
):
    m = cabinet_matrix
    district.overload_ratio = "1.5"
    district.save()
    # Curriculum is declared joint but only the CAO is accountable.
    Responsibility.objects.filter(pk=m["curriculum"].pk).update(is_joint=True)
    for name in ("Budgeting", "Calendar", "Enrollment"):
        row = ResponsibilityFactory(
            district=district, work_area=m["planning"], name=name
        )
        OwnershipFactory(district=district, responsibility=row, role=m["cao"])
    html = client_for(viewer).get(matrix_url(district)).content.decode()
    assert "Declared joint, but only one role is accountable." in html
    assert "A role is accountable, but no role is responsible." in html
    # CAO 6, CSO 1, CTO 1: mean 8/3, limit 4 at ratio 1.5.
    overload = " ".join(
        re.search(r'<p class="overload">(.*?)</p>', html, re.S)[1].split()
    )
    assert overload == (
        "<strong>Overloaded:</strong> CAO is accountable for 6 rows "
        "(more than 1.50 × the mean of 2.67 over roles accountable for any row)."
    )

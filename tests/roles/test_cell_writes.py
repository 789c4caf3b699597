"""A cell saved in the admin claims its row's version, like a cell saved on the matrix.

Each test opens the matrix page (reading the row's version), changes the row in the
admin (the Ownership admin: change, add, delete, "delete selected"; the cells under a
responsibility), then saves a cell from the page opened earlier: 409, and the admin's
change stands.
"""

import re

import pytest

from roles.models import Ownership, Responsibility
from tests.admin_pages import add_inline_row, form_data, staff, url

from .test_views import cell_data, cell_url, level_of, matrix_url

pytestmark = pytest.mark.django_db


def shown_version(client, district, row) -> str:
    """The row's version as the matrix page shows it to `client`."""
    html = client.get(matrix_url(district)).content.decode()
    return re.search(rf'name="version" value="(\d+)" id="version-{row.pk}"', html)[1]


def save_from_the_page(client, district, row, role, level, version):
    return client.post(cell_url(district, row, role), cell_data(role, level, version))


def cell(row, role) -> Ownership:
    return Ownership.objects.get(responsibility=row, role=role)


@pytest.fixture
def page(client_for, editor):
    return client_for(editor)


@pytest.fixture
def admin_client(client_for, district_admin):
    return client_for(staff(district_admin))


def test_a_cell_changed_in_the_admin_refuses_an_older_matrix_page(
    page, admin_client, district, district_admin, cabinet_matrix
):
    m = cabinet_matrix
    row = m["curriculum"]
    version = shown_version(page, district, row)
    changed = cell(row, m["cso"])
    form = admin_client.get(url(Ownership, "change", changed.pk))

    response = admin_client.post(
        url(Ownership, "change", changed.pk), form_data(form) | {"level": "C"}
    )

    assert response.status_code == 302
    assert level_of(row, m["cso"]) == "C"
    assert changed.history.latest().history_user == district_admin
    stale = save_from_the_page(page, district, row, m["cso"], "I", version)
    assert stale.status_code == 409
    assert level_of(row, m["cso"]) == "C"


def test_a_cell_added_in_the_admin_refuses_an_older_matrix_page(
    page, admin_client, district, cabinet_matrix
):
    m = cabinet_matrix
    row = m["budget"]
    version = shown_version(page, district, row)
    form = admin_client.get(url(Ownership, "add"))
    data = form_data(form) | {
        "district": district.pk,
        "responsibility": row.pk,
        "role": m["cao"].pk,
        "level": "A",
    }

    assert admin_client.post(url(Ownership, "add"), data).status_code == 302

    assert level_of(row, m["cao"]) == "A"
    stale = save_from_the_page(page, district, row, m["cao"], "R", version)
    assert stale.status_code == 409
    assert level_of(row, m["cao"]) == "A"


def test_a_cell_deleted_in_the_admin_refuses_an_older_matrix_page(
    page, admin_client, district, cabinet_matrix
):
    m = cabinet_matrix
    row = m["budget"]
    version = shown_version(page, district, row)
    deleted = cell(row, m["cso"])

    response = admin_client.post(url(Ownership, "delete", deleted.pk), {"post": "yes"})

    assert response.status_code == 302
    assert level_of(row, m["cso"]) == ""
    stale = save_from_the_page(page, district, row, m["cto"], "I", version)
    assert stale.status_code == 409
    assert level_of(row, m["cto"]) == ""


def test_cells_deleted_together_in_the_admin_refuse_older_matrix_pages(
    page, admin_client, district, cabinet_matrix
):
    m = cabinet_matrix
    rows = [m["priorities"], m["curriculum"]]
    versions = [shown_version(page, district, row) for row in rows]
    selected = [cell(rows[0], m["cao"]).pk, cell(rows[1], m["cao"]).pk]

    response = admin_client.post(
        url(Ownership, "changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )

    assert response.status_code == 302
    assert not Ownership.objects.filter(pk__in=selected).exists()
    for row, version in zip(rows, versions, strict=True):
        stale = save_from_the_page(page, district, row, m["cto"], "C", version)
        assert stale.status_code == 409


def test_a_cell_changed_under_its_responsibility_refuses_an_older_matrix_page(
    page, admin_client, district, district_admin, cabinet_matrix
):
    m = cabinet_matrix
    row = m["curriculum"]
    version = shown_version(page, district, row)
    form = admin_client.get(url(Responsibility, "change", row.pk))
    formset = next(
        inline.formset
        for inline in form.context["inline_admin_formsets"]
        if inline.formset.model is Ownership
    )
    prefix = next(f.prefix for f in formset.forms if f.instance.role_id == m["cso"].pk)
    data = form_data(form) | {f"{prefix}-level": "I"}
    add_inline_row(data, form, Ownership, role=m["cto"].pk, level="C")

    response = admin_client.post(url(Responsibility, "change", row.pk), data)

    assert response.status_code == 302
    assert (level_of(row, m["cso"]), level_of(row, m["cto"])) == ("I", "C")
    # Each cell went through `set_ownership`: its history names the acting user.
    for role in (m["cso"], m["cto"]):
        assert cell(row, role).history.latest().history_user == district_admin
    stale = save_from_the_page(page, district, row, m["cao"], "R", version)
    assert stale.status_code == 409
    assert level_of(row, m["cao"]) == "A"


def test_a_cell_cannot_move_to_another_role_under_its_responsibility(
    admin_client, cabinet_matrix
):
    m = cabinet_matrix
    row = m["budget"]
    form = admin_client.get(url(Responsibility, "change", row.pk))
    formset = next(
        inline.formset
        for inline in form.context["inline_admin_formsets"]
        if inline.formset.model is Ownership
    )
    prefix = formset.forms[0].prefix

    response = admin_client.post(
        url(Responsibility, "change", row.pk),
        form_data(form) | {f"{prefix}-role": m["cto"].pk},
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert any("A cell stays in its row and column" in message for message in shown)
    assert (level_of(row, m["cso"]), level_of(row, m["cto"])) == ("C", "")

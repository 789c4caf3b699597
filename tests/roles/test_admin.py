"""The roles admin: matrix cells under their responsibility, history, autocomplete."""

import pytest
from django.urls import reverse

from district.models import AccessLevel
from roles.models import Ownership, RaciLevel, Role, RoleAssignment

from ..admin_pages import add_inline_row, errors, form_data, staff, url
from ..factories import (
    DistrictFactory,
    MembershipFactory,
    OwnershipFactory,
    PersonFactory,
    ResponsibilityFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


def test_an_admin_change_records_the_editor_in_history(client_for, editor, district):
    role = RoleFactory(district=district, code="CAO")
    client = client_for(staff(editor))
    page = client.get(url(Role, "change", role.pk))
    data = form_data(page) | {"title": "Chief Academic Officer"}
    response = client.post(url(Role, "change", role.pk), data)
    assert response.status_code == 302, errors(response)
    latest = role.history.latest()
    assert latest.history_user == editor
    assert latest.title == "Chief Academic Officer"
    assert latest.version == 2


def test_history_page_lists_the_change_and_its_user(client_for, editor, district):
    role = RoleFactory(district=district)
    role.title = "Chief Schools Officer"
    role._history_user = editor
    role.save()
    page = client_for(staff(editor)).get(url(Role, "history", role.pk))
    assert page.status_code == 200
    assert "editor" in page.content.decode()
    assert page.context["page_obj"].paginator.count == 2


def test_ownership_rows_added_under_a_responsibility_take_its_district(
    client_for, editor, district
):
    responsibility = ResponsibilityFactory(district=district)
    role = RoleFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(type(responsibility), "change", responsibility.pk))
    data = form_data(page)
    add_inline_row(data, page, Ownership, role=role.pk, level=RaciLevel.ACCOUNTABLE)
    response = client.post(url(type(responsibility), "change", responsibility.pk), data)
    assert response.status_code == 302, errors(response)
    cell = Ownership.objects.get(responsibility=responsibility)
    assert (cell.district, cell.role, cell.level) == (district, role, "A")
    assert cell.history.get().history_user == editor


@pytest.mark.parametrize("member_there", [False, True])
def test_an_ownership_row_cannot_name_another_districts_role(
    client_for, editor, district, other_district, member_there
):
    if member_there:  # even a district the editor may also edit
        MembershipFactory(
            district=other_district, user=editor, access_level=AccessLevel.EDITOR
        )
    responsibility = ResponsibilityFactory(district=district)
    foreign_role = RoleFactory(district=other_district)
    client = client_for(staff(editor))
    page = client.get(url(type(responsibility), "change", responsibility.pk))
    data = form_data(page)
    add_inline_row(data, page, Ownership, role=foreign_role.pk, level="A")
    response = client.post(url(type(responsibility), "change", responsibility.pk), data)
    assert response.status_code == 200
    assert any("valid choice" in message for message in errors(response))
    assert not Ownership.objects.exists()


def test_an_ownership_row_cannot_give_a_role_a_second_level(
    client_for, editor, district
):
    cell = OwnershipFactory(district=district, level=RaciLevel.ACCOUNTABLE)
    responsibility = cell.responsibility
    client = client_for(staff(editor))
    page = client.get(url(type(responsibility), "change", responsibility.pk))
    data = form_data(page)
    add_inline_row(data, page, Ownership, role=cell.role.pk, level="C")
    response = client.post(url(type(responsibility), "change", responsibility.pk), data)
    assert response.status_code == 200
    assert Ownership.objects.get().level == "A"


def test_assignments_added_under_a_role_take_its_district(client_for, editor, district):
    role = RoleFactory(district=district)
    person = PersonFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(Role, "change", role.pk))
    data = form_data(page)
    add_inline_row(
        data, page, RoleAssignment, person=person.pk, started_on="2021-07-01"
    )
    response = client.post(url(Role, "change", role.pk), data)
    assert response.status_code == 302, errors(response)
    assert RoleAssignment.objects.get().district == district


def test_an_assignment_row_that_ends_before_it_starts_is_refused(
    client_for, editor, district
):
    role = RoleFactory(district=district)
    person = PersonFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(Role, "change", role.pk))
    data = form_data(page)
    add_inline_row(
        data,
        page,
        RoleAssignment,
        person=person.pk,
        started_on="2021-07-01",
        ended_on="2021-06-30",
    )
    response = client.post(url(Role, "change", role.pk), data)
    assert response.status_code == 200
    assert "An assignment cannot end before it starts." in errors(response)
    assert not RoleAssignment.objects.exists()


def test_autocomplete_offers_only_rows_the_member_may_link_to(
    client_for, editor, district, other_district
):
    # Viewer in a third district: its roles can be read but not linked to.
    third = DistrictFactory()
    MembershipFactory(district=third, user=editor, access_level=AccessLevel.VIEWER)
    mine = RoleFactory(district=district, code="CAO")
    RoleFactory(district=other_district, code="CAO2")
    RoleFactory(district=third, code="CAO3")
    response = client_for(staff(editor)).get(
        reverse("admin:autocomplete"),
        {
            "app_label": "roles",
            "model_name": "ownership",
            "field_name": "role",
            "term": "CAO",
        },
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(mine.pk)]


def test_viewer_sees_matrix_cells_without_controls_to_add_them(
    client_for, viewer, district
):
    cell = OwnershipFactory(district=district)
    responsibility = cell.responsibility
    page = client_for(staff(viewer)).get(
        url(type(responsibility), "change", responsibility.pk)
    )
    (inline,) = page.context["inline_admin_formsets"]
    assert inline.has_add_permission is False
    assert inline.has_change_permission is False
    assert inline.has_view_permission is True

"""The admin: every page opens, and members reach only their districts' rows.

Pages are walked generically over `admin.site._registry`; the scoping checks walk
every tenant-owned model (tests/tenant_models.py).
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import (
    Decision,
    DecisionPolicy,
    Review,
    ReviewCheck,
    Transition,
)
from district.admin_base import DistrictScopedAdmin
from district.models import AccessLevel, District, Membership, Network, Person
from roles.models import Ownership

from ..admin_pages import add_inline_row, choice_fields, errors, form_data, staff, url
from ..factories import MembershipFactory, NetworkFactory, UserFactory
from ..tenant_models import (
    EDITED_MODELS,
    FACTORIES,
    SCOPED_MODELS,
    is_derived,
    is_tenant_owned,
    label,
    make,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=label)
# Records a workflow writes (decisions' reviews and transitions): read-only in the admin.
WORKFLOW_RECORDS = {Review, ReviewCheck, Transition}
# Models with at most one row per district.
ONE_PER_DISTRICT = {DecisionPolicy}
# Models the walk can make a row of (a tenant-owned model without a factory fails).
MAKEABLE = [
    model
    for model in REGISTERED
    if model in FACTORIES or model is Group or model in SCOPED_MODELS
]


def make_any(model, district):
    if model is Group:
        return Group.objects.create(name="Principals")
    if model in SCOPED_MODELS:
        return make(model, district)
    return FACTORIES[model]()


def result_ids(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


# Every page, for a superuser


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_superuser_opens_every_changelist_and_add_page(
    model, client_for, superuser, district, rf
):
    client = client_for(superuser)
    if model in MAKEABLE:
        make_any(model, district)
    assert client.get(url(model, "changelist")).status_code == 200
    request = rf.get("/")
    request.user = superuser
    # Some admins (login attempts) are read-only by design.
    addable = admin.site._registry[model].has_add_permission(request)
    assert client.get(url(model, "add")).status_code == (200 if addable else 403)


@pytest.mark.parametrize("model", MAKEABLE, ids=label)
def test_superuser_opens_every_change_and_history_page(
    model, client_for, superuser, district
):
    client = client_for(superuser)
    obj = make_any(model, district)
    assert client.get(url(model, "change", obj.pk)).status_code == 200
    assert client.get(url(model, "history", obj.pk)).status_code == 200
    deletable = model not in WORKFLOW_RECORDS
    assert client.get(url(model, "delete", obj.pk)).status_code == (
        200 if deletable else 403
    )


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
def test_superuser_saves_every_change_page_as_shown(
    model, client_for, superuser, district
):
    obj = make(model, district)
    client = client_for(superuser)
    page = client.get(url(model, "change", obj.pk))
    response = client.post(url(model, "change", obj.pk), form_data(page))
    obj.refresh_from_db()
    if model in WORKFLOW_RECORDS:
        assert response.status_code == 403
        assert obj.version == 1
        return
    assert response.status_code == 302, response.context["adminform"].form.errors
    # Memberships, cells and decisions are saved by their services, which leave a
    # row that does not change alone.
    assert obj.version == (1 if model in (Membership, Ownership, Decision) else 2)


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
def test_every_scoped_model_has_a_district_scoped_admin(model):
    assert isinstance(admin.site._registry.get(model), DistrictScopedAdmin)


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
def test_changelist_queries_do_not_grow_with_rows(
    model, client_for, superuser, district, other_district
):
    client = client_for(superuser)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(model, "changelist")).status_code == 200
        return len(queries)

    for owner in (district, other_district):
        make(model, owner)
    few = count_queries()
    for owner in (district, other_district) * 3:
        if model is District:
            MembershipFactory()
        elif model in ONE_PER_DISTRICT:
            FACTORIES[model]()  # in a district of its own
        else:
            make(model, owner)
    assert count_queries() == few


# Members: only their districts


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
def test_member_changelist_shows_nothing_of_another_district(
    model, client_for, editor, district, other_district
):
    here, there = make(model, district), make(model, other_district)
    response = client_for(staff(editor)).get(url(model, "changelist"))
    assert response.status_code == 200
    assert here.pk in result_ids(response)
    assert there.pk not in result_ids(response)


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
def test_member_changelist_filters_offer_no_foreign_rows(
    model, client_for, editor, district, other_district
):
    make(model, district)
    make(model, other_district)
    response = client_for(staff(editor)).get(url(model, "changelist"))
    for spec in response.context["cl"].filter_specs:
        if isinstance(spec, admin.RelatedFieldListFilter):
            related = spec.field.related_model
            offered = {pk for pk, _label in spec.lookup_choices}
            visible = set(
                related.objects.visible_to(editor).values_list("pk", flat=True)
            )
            assert offered <= visible, spec.title


def answer(response) -> tuple:
    return response.status_code, response.get("Location")


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
@pytest.mark.parametrize("persona", ["editor", "district_admin"])
def test_another_districts_row_answers_like_a_missing_one(
    request, model, persona, client_for, other_district
):
    client = client_for(staff(request.getfixturevalue(persona)))
    there = make(model, other_district)
    missing = model.objects.order_by("-pk").first().pk + 1000
    for view in ("change", "delete", "history"):
        foreign = client.get(url(model, view, there.pk))
        assert foreign.status_code in (302, 403, 404), view
        assert answer(foreign) == answer(client.get(url(model, view, missing))), view
    response = client.get(url(model, "change", there.pk))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    client.post(url(model, "delete", there.pk), {"post": "yes"})
    client.post(url(model, "change", there.pk), {})
    there.refresh_from_db()
    assert there.version == 1


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
def test_member_cannot_open_another_districts_history_version(
    model, client_for, district_admin, other_district
):
    there = make(model, other_district)
    version = there.history.latest()
    response = client_for(staff(district_admin)).get(
        reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
            args=[there.pk, version.history_id],
        )
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "model", [m for m in EDITED_MODELS if m is not District], ids=label
)
@pytest.mark.parametrize("persona", ["editor", "district_admin"])
def test_add_page_offers_no_foreign_rows(
    request, model, persona, client_for, outsider, district, other_district
):
    make(model, district)
    make(model, other_district)
    user = staff(request.getfixturevalue(persona))
    response = client_for(user).get(url(model, "add"))
    if model in WORKFLOW_RECORDS:
        assert response.status_code == 403
        return
    if admin.site._registry[model].edit_level == AccessLevel.ADMIN:
        assert response.status_code == (200 if persona == "district_admin" else 403)
    else:
        assert response.status_code == 200
    if response.status_code == 403:
        return
    for name, field in choice_fields(response):
        rows = field.queryset
        if rows.model is District:
            assert list(rows) == [district], name
        elif is_tenant_owned(rows.model):
            assert not rows.exclude(district=district).exists(), name
        else:
            assert outsider not in rows, name


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
def test_change_page_offers_only_rows_of_the_objects_district(
    model, client_for, district_admin, district, other_district
):
    # A member who may edit two districts still links a row only within its own.
    MembershipFactory(
        district=other_district, user=district_admin, access_level=AccessLevel.ADMIN
    )
    here = make(model, district)
    make(model, other_district)
    response = client_for(staff(district_admin)).get(url(model, "change", here.pk))
    assert response.status_code == 200
    for name, field in choice_fields(response):
        if is_tenant_owned(field.queryset.model):
            assert not field.queryset.exclude(district=district).exists(), name


@pytest.mark.parametrize("model", EDITED_MODELS, ids=label)
def test_viewer_can_view_but_not_change(model, client_for, viewer, district):
    here = make(model, district)
    client = client_for(staff(viewer))
    assert client.get(url(model, "changelist")).status_code == 200
    page = client.get(url(model, "change", here.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(url(model, "change", here.pk), {}).status_code == 403
    assert client.get(url(model, "add")).status_code == 403
    assert client.get(url(model, "delete", here.pk)).status_code == 403


def test_members_without_staff_status_are_sent_to_the_admin_login(client_for, editor):
    response = client_for(editor).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


def test_admin_index_lists_only_what_a_member_may_see(client_for, viewer):
    response = client_for(staff(viewer)).get(reverse("admin:index"))
    apps = {app["app_label"] for app in response.context["app_list"]}
    assert {"district", "roles", "goals"} <= apps
    assert "auth" not in apps


# Districts and their members


def test_only_superusers_add_or_delete_districts(client_for, district_admin, district):
    client = client_for(staff(district_admin))
    assert client.get(url(District, "add")).status_code == 403
    assert client.get(url(District, "delete", district.pk)).status_code == 403
    assert (
        client.post(url(District, "delete", district.pk), {"post": "yes"}).status_code
        == 403
    )
    assert District.objects.filter(pk=district.pk).exists()


def test_superuser_creates_a_district_with_its_first_admin(client_for, superuser):
    client = client_for(superuser)
    page = client.get(url(District, "add"))
    data = form_data(page) | {"name": "Riverside", "slug": "riverside"}
    newcomer = UserFactory(username="newcomer")
    add_inline_row(data, page, Membership, user=newcomer.pk, access_level="admin")
    response = client.post(url(District, "add"), data)
    assert response.status_code == 302, errors(response)
    riverside = District.objects.get(slug="riverside")
    assert riverside.history.get().history_user == superuser
    membership = riverside.memberships.get()
    assert (membership.user, membership.access_level) == (newcomer, "admin")


def test_district_admin_edits_their_district_and_history_names_them(
    client_for, district_admin, district
):
    client = client_for(staff(district_admin))
    page = client.get(url(District, "change", district.pk))
    data = form_data(page) | {"suppression_min_n": "20"}
    response = client.post(url(District, "change", district.pk), data)
    assert response.status_code == 302, errors(response)
    district.refresh_from_db()
    assert district.suppression_min_n == 20
    assert district.history.latest().history_user == district_admin


def test_editor_views_their_district_but_cannot_change_it(client_for, editor, district):
    client = client_for(staff(editor))
    page = client.get(url(District, "change", district.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    response = client.post(url(District, "change", district.pk), {"name": "Mine"})
    assert response.status_code == 403


def test_district_admin_adds_a_member_on_the_district_page(
    client_for, district_admin, district
):
    client = client_for(staff(district_admin))
    newcomer = UserFactory(username="newcomer")
    page = client.get(url(District, "change", district.pk))
    data = form_data(page)
    add_inline_row(data, page, Membership, user=newcomer.pk, access_level="editor")
    response = client.post(url(District, "change", district.pk), data)
    assert response.status_code == 302, errors(response)
    membership = Membership.objects.get(user=newcomer)
    assert membership.district == district
    assert membership.history.get().history_user == district_admin


def test_editors_cannot_manage_members(client_for, editor, viewer, district):
    client = client_for(staff(editor))
    membership = Membership.objects.get(user=viewer)
    assert client.get(url(Membership, "add")).status_code == 403
    page = client.get(url(Membership, "change", membership.pk))
    assert page.context["has_change_permission"] is False
    client.post(url(Membership, "change", membership.pk), {"access_level": "admin"})
    membership.refresh_from_db()
    assert membership.access_level == AccessLevel.VIEWER


def test_members_offered_are_never_another_districts_users(
    client_for, district_admin, viewer, outsider, district
):
    unassigned = UserFactory(username="unassigned")
    page = client_for(staff(district_admin)).get(url(Membership, "add"))
    users = set(page.context["adminform"].form.fields["user"].queryset)
    assert {viewer, district_admin, unassigned} <= users
    assert outsider not in users


def test_a_member_cannot_be_added_to_another_district(
    client_for, district_admin, other_district
):
    newcomer = UserFactory(username="newcomer")
    response = client_for(staff(district_admin)).post(
        url(Membership, "add"),
        {"district": other_district.pk, "user": newcomer.pk, "access_level": "admin"},
    )
    assert response.status_code == 200
    assert "district" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_new_row_starts_in_the_members_only_district(client_for, editor, district):
    page = client_for(staff(editor)).get(url(Network, "add"))
    assert page.context["adminform"].form.initial["district"] == district.pk


def test_a_member_cannot_create_a_row_in_another_district(
    client_for, editor, district, other_district
):
    client = client_for(staff(editor))
    response = client.post(
        url(Network, "add"),
        {
            "district": other_district.pk,
            "name": "Far away",
            "is_geographic": "on",
            "kind": "district_run",
        },
    )
    assert response.status_code == 200
    assert "district" in response.context["adminform"].form.errors
    assert not Network.objects.filter(name="Far away").exists()
    response = client.post(
        url(Network, "add"),
        {
            "district": district.pk,
            "name": "Near",
            "is_geographic": "on",
            "kind": "district_run",
        },
    )
    assert response.status_code == 302
    assert Network.objects.get(name="Near").history.get().history_user == editor


def test_a_row_never_moves_to_another_district(
    client_for, editor, district, other_district
):
    MembershipFactory(district=other_district, user=editor, access_level="editor")
    network = NetworkFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(Network, "change", network.pk))
    data = form_data(page) | {"district": other_district.pk, "name": "Moved"}
    assert client.post(url(Network, "change", network.pk), data).status_code == 302
    network.refresh_from_db()
    assert (network.district, network.name) == (district, "Moved")


def test_a_member_cannot_delete_rows_of_a_district_they_only_view(
    client_for, editor, district, other_district
):
    MembershipFactory(district=other_district, user=editor)  # a viewer there
    mine, theirs = (
        NetworkFactory(district=district),
        NetworkFactory(district=other_district),
    )
    client = client_for(staff(editor))
    listed = client.get(url(Network, "changelist"))
    assert {mine.pk, theirs.pk} <= {row.pk for row in listed.context["cl"].result_list}
    client.post(
        url(Network, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [mine.pk, theirs.pk],
            "post": "yes",
        },
    )
    assert Network.objects.filter(pk=theirs.pk).exists()
    client.post(
        url(Network, "changelist"),
        {"action": "delete_selected", "_selected_action": [mine.pk], "post": "yes"},
    )
    assert not Network.objects.filter(pk=mine.pk).exists()
    assert (
        Network.history.filter(id=mine.pk, history_type="-").get().history_user
        == editor
    )


@pytest.mark.parametrize(
    "model", [m for m in SCOPED_MODELS if is_derived(m)], ids=label
)
def test_derived_tables_are_not_edited_in_the_admin(model):
    # Stored rollups are recomputed from school values, never typed in.
    assert model not in admin.site._registry


def test_the_person_form_offers_only_members_and_answers_others_alike(
    client_for, editor, outsider, district
):
    unaffiliated = UserFactory(username="unaffiliated")
    client = client_for(staff(editor))

    page = client.get(url(Person, "add"))
    offered = set(page.context["adminform"].form.fields["user"].queryset)
    assert offered == {editor}

    errors_for = {}
    for user_id in (outsider.pk, unaffiliated.pk, 10**9):
        response = client.post(
            url(Person, "add"),
            {"district": district.pk, "name": "Linked", "user": user_id},
        )
        assert response.status_code == 200
        errors_for[user_id] = response.context["adminform"].form.errors["user"]
    assert len({tuple(e) for e in errors_for.values()}) == 1
    assert not Person.objects.exists()

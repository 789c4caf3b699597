"""The admin: every page opens, and members reach only their districts' rows.

Pages are walked generically over `admin.site._registry`; the scoping checks walk
every tenant-owned model (tests/tenant_models.py).
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.forms import CheckboxInput, ModelChoiceField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from district.access import DistrictScopedAdmin
from district.models import AccessLevel, District

from ..factories import MembershipFactory
from ..tenant_models import FACTORIES, SCOPED_MODELS, is_tenant_owned, label, make

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=label)
# Models the walk can make a row of (a tenant-owned model without a factory fails).
MAKEABLE = [
    model
    for model in REGISTERED
    if model in FACTORIES or model is Group or model in SCOPED_MODELS
]


def url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def make_any(model, district):
    if model is Group:
        return Group.objects.create(name="Principals")
    if model in SCOPED_MODELS:
        return make(model, district)
    return FACTORIES[model]()


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def form_data(response) -> dict:
    """What a browser posts for an admin form page as shown: main form and inlines."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = str(value)
    return data


def choice_fields(response):
    """Every foreign-key choice field of the page's form and its inline forms."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [*inline.formset.forms, inline.formset.empty_form]
    for form in forms:
        # An inline row's hidden id is not a choice: rows are looked up under the parent.
        row_id = form._meta.model._meta.pk.name
        for name, field in form.fields.items():
            if isinstance(field, ModelChoiceField) and name != row_id:
                yield name, field


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
    assert client.get(url(model, "delete", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
def test_superuser_saves_every_change_page_as_shown(
    model, client_for, superuser, district
):
    obj = make(model, district)
    client = client_for(superuser)
    page = client.get(url(model, "change", obj.pk))
    response = client.post(url(model, "change", obj.pk), form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert obj.version == 2


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
def test_every_scoped_model_has_a_district_scoped_admin(model):
    assert isinstance(admin.site._registry.get(model), DistrictScopedAdmin)


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
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
        make(model, owner) if model is not District else MembershipFactory()
    assert count_queries() == few


# Members: only their districts


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
def test_member_changelist_shows_nothing_of_another_district(
    model, client_for, editor, district, other_district
):
    here, there = make(model, district), make(model, other_district)
    response = client_for(staff(editor)).get(url(model, "changelist"))
    assert response.status_code == 200
    assert here.pk in result_ids(response)
    assert there.pk not in result_ids(response)


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
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


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
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


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
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
    "model", [m for m in SCOPED_MODELS if m is not District], ids=label
)
def test_add_page_offers_no_foreign_rows(
    model, client_for, district_admin, outsider, district, other_district
):
    make(model, district)
    make(model, other_district)
    response = client_for(staff(district_admin)).get(url(model, "add"))
    assert response.status_code == 200
    for name, field in choice_fields(response):
        rows = field.queryset
        if rows.model is District:
            assert list(rows) == [district], name
        elif is_tenant_owned(rows.model):
            assert not rows.exclude(district=district).exists(), name
        else:
            assert outsider not in rows, name


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
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


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
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

"""Scoping: every tenant-owned model hides other districts' rows, found generically.

The models come from tests/tenant_models.py, which walks the app registry, so a new
tenant-owned model is covered without being listed here.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from district.models import AccessLevel, DistrictQuerySet
from district.permissions import access_level, get_district_access_or_404, has_level

from ..factories import DistrictFactory, MembershipFactory, UserFactory
from ..tenant_models import SCOPED_MODELS, TENANT_MODELS, label, make


def scoped_ids(model, method: str, user) -> list[int]:
    return list(getattr(model.objects, method)(user).values_list("pk", flat=True))


def test_the_generic_walk_finds_every_tenant_owned_model():
    names = {model._meta.label for model in TENANT_MODELS}
    assert {
        "district.Person",
        "district.Network",
        "district.School",
        "district.Membership",
        "roles.Role",
        "roles.Ownership",
        "goals.Measurement",
    } <= names


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
def test_every_scoped_model_uses_the_district_queryset(model):
    assert isinstance(model.objects.all(), DistrictQuerySet)
    assert isinstance(model._default_manager.all(), DistrictQuerySet)


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
@pytest.mark.parametrize(
    ("persona", "visible", "editable", "administered"),
    [
        ("viewer", True, False, False),
        ("editor", True, True, False),
        ("district_admin", True, True, True),
    ],
)
def test_members_reach_their_districts_rows_by_level_and_never_anothers(
    request, model, persona, visible, editable, administered, district, other_district
):
    user = request.getfixturevalue(persona)
    here = make(model, district)
    there = make(model, other_district)
    for method, expected in [
        ("visible_to", visible),
        ("editable_by", editable),
        ("administered_by", administered),
    ]:
        ids = scoped_ids(model, method, user)
        assert (here.pk in ids) is expected, method
        assert there.pk not in ids, method


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
def test_anonymous_users_reach_no_rows(model, district):
    make(model, district)
    for method in ("visible_to", "editable_by", "administered_by"):
        assert scoped_ids(model, method, AnonymousUser()) == []


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
def test_superusers_reach_every_row(model, superuser, district, other_district):
    here, there = make(model, district), make(model, other_district)
    for method in ("visible_to", "editable_by", "administered_by"):
        ids = scoped_ids(model, method, superuser)
        assert {here.pk, there.pk} <= set(ids)
        assert len(ids) == model.objects.count()


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
def test_inactive_users_reach_no_rows(model, editor, district):
    make(model, district)
    editor.is_active = False
    editor.save()
    assert scoped_ids(model, "visible_to", editor) == []


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=label)
def test_a_member_of_several_districts_sees_each_row_once(
    model, district, other_district
):
    user = UserFactory()
    third = DistrictFactory()
    for member_of, level in [
        (district, AccessLevel.ADMIN),
        (other_district, AccessLevel.VIEWER),
        (third, AccessLevel.EDITOR),
    ]:
        MembershipFactory(district=member_of, user=user, access_level=level)
    rows = [make(model, d) for d in (district, other_district, third)]
    ids = scoped_ids(model, "visible_to", user)
    assert len(ids) == len(set(ids))
    assert {row.pk for row in rows} <= set(ids)
    assert model.objects.visible_to(user).count() == len(set(ids))
    editable = scoped_ids(model, "editable_by", user)
    assert rows[1].pk not in editable
    assert {rows[0].pk, rows[2].pk} <= set(editable)


def test_access_level_is_the_membership_level_or_none(
    viewer, editor, district_admin, outsider, superuser, district
):
    assert access_level(viewer, district) == AccessLevel.VIEWER
    assert access_level(editor, district) == AccessLevel.EDITOR
    assert access_level(district_admin, district) == AccessLevel.ADMIN
    assert access_level(outsider, district) is None
    assert access_level(AnonymousUser(), district) is None
    assert access_level(superuser, district) == AccessLevel.ADMIN


def test_has_level_includes_the_lower_levels(editor, district):
    assert has_level(editor, district, AccessLevel.VIEWER)
    assert has_level(editor, district, AccessLevel.EDITOR)
    assert not has_level(editor, district, AccessLevel.ADMIN)


def test_get_district_access_or_404_hides_a_district_from_non_members(
    outsider, district
):
    with pytest.raises(Http404):
        get_district_access_or_404(outsider, district.slug)
    with pytest.raises(Http404):
        get_district_access_or_404(outsider, "no-such-district")


def test_get_district_access_or_404_refuses_a_member_below_the_level(viewer, district):
    with pytest.raises(PermissionDenied):
        get_district_access_or_404(viewer, district.slug, level=AccessLevel.EDITOR)


def test_district_access_tells_views_what_the_member_may_do(viewer, editor, district):
    seen = get_district_access_or_404(viewer, district.slug)
    assert (seen.district, seen.level, seen.can_edit) == (
        district,
        AccessLevel.VIEWER,
        False,
    )
    edited = get_district_access_or_404(editor, district.slug, level=AccessLevel.EDITOR)
    assert (edited.level, edited.can_edit) == (AccessLevel.EDITOR, True)
    assert not hasattr(edited.district, "user_level")

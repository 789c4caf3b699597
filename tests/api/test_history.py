"""`GET /api/v1/<resource>/<id>/history/`: an object's recorded history, deletions too."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.models import Role
from tests.factories import RoleFactory

from .conftest import make_object
from .test_endpoints import ADMIN_ONLY, BASENAMES


def history_url(basename, obj):
    if basename == "district":
        return reverse("district-history", kwargs={"slug": obj.slug})
    return reverse(f"{basename}-history", kwargs={"pk": obj.pk})


def changed_fields(entry):
    return {
        change["field"]: (change["old"], change["new"]) for change in entry["changes"]
    }


def test_a_deleted_objects_history_reads_created_changed_deleted(
    api_client_for, editor, viewer, district
):
    writer = api_client_for(editor)
    created = writer.post(
        "/api/v1/roles/",
        {"district": district.slug, "code": "CAO", "title": "Chief Academic Officer"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    url = f"/api/v1/roles/{pk}/history/"
    changed = writer.patch(
        f"/api/v1/roles/{pk}/", {"title": "Chief of Schools"}, format="json"
    )
    assert changed.status_code == 200, changed.content

    response = api_client_for(viewer).get(url)

    assert response.status_code == 200, response.content
    assert [entry["type"] for entry in response.json()["results"]] == [
        "changed",
        "created",
    ]

    assert writer.delete(f"/api/v1/roles/{pk}/").status_code == 204
    assert not Role.objects.filter(pk=pk).exists()

    response = api_client_for(viewer).get(url)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    deleted, change, creation = body["results"]
    assert [deleted["type"], change["type"], creation["type"]] == [
        "deleted",
        "changed",
        "created",
    ]
    assert {entry["user"] for entry in body["results"]} == {"editor"}
    assert deleted["changes"] == []
    assert changed_fields(change) == {
        "title": ("Chief Academic Officer", "Chief of Schools")
    }
    initial = changed_fields(creation)
    assert initial["code"] == (None, "CAO")
    assert initial["title"] == (None, "Chief Academic Officer")
    assert initial["district"] == (None, district.pk)
    assert "version" not in initial and "updated_at" not in initial
    assert deleted["date"] >= change["date"] >= creation["date"]
    assert datetime.datetime.fromisoformat(creation["date"]).tzinfo is not None


def test_pages_diff_their_last_entry_against_the_record_before(
    api_client_for, viewer, district
):
    role = RoleFactory(district=district, title="First")
    for title in ("Second", "Third"):
        role.title = title
        role.save()

    response = api_client_for(viewer).get(
        history_url("role", role), {"limit": 1, "offset": 1}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["next"] and body["previous"]
    [entry] = body["results"]
    assert changed_fields(entry) == {"title": ("First", "Second")}


def test_another_districts_object_is_404_like_a_missing_one(
    api_client_for, viewer, district, other_district
):
    foreign = RoleFactory(district=other_district)
    foreign_pk = foreign.pk
    foreign.delete()
    client = api_client_for(viewer)

    for path in (
        history_url("role", RoleFactory(district=other_district)),
        f"/api/v1/roles/{foreign_pk}/history/",
        "/api/v1/roles/2000000000/history/",
        "/api/v1/roles/not-a-number/history/",
        history_url("district", other_district),
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_anonymous_is_401(api_client_for, district):
    role = RoleFactory(district=district)

    response = api_client_for(None).get(history_url("role", role))

    assert response.status_code == 401


def test_memberships_history_is_for_district_admins_only(
    api_client_for, viewer, editor, district_admin, district
):
    membership = make_object("membership", district)
    url = history_url("membership", membership)

    assert api_client_for(viewer).get(url).status_code == 403
    assert api_client_for(editor).get(url).status_code == 403
    assert api_client_for(district_admin).get(url).status_code == 200


def test_a_read_token_reads_history(token_client_for, viewer, district):
    role = RoleFactory(district=district)

    response = token_client_for(viewer, scope="read").get(history_url("role", role))

    assert response.status_code == 200
    assert response.json()["results"][0]["type"] == "created"


def test_queries_do_not_grow_with_the_history(api_client_for, editor, viewer, district):
    """Users are read with the records, and the record before a page in one query."""

    def role_with_history(count):
        role = RoleFactory(district=district)
        for number in range(count - 1):
            role.title = f"Title {number}"
            role.save()
        Role.history.filter(id=role.pk).update(history_user=editor)
        return role

    client = api_client_for(viewer)
    counts = []
    for size in (3, 30):
        role = role_with_history(size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(history_url("role", role))
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        assert {entry["user"] for entry in response.json()["results"]} == {"editor"}
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("basename", BASENAMES)
def test_every_resource_answers_its_history(
    request, api_client_for, basename, district
):
    obj = make_object(basename, district)
    reader = request.getfixturevalue(
        "district_admin" if basename in ADMIN_ONLY else "viewer"
    )

    response = api_client_for(reader).get(history_url(basename, obj))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] >= 1
    assert body["results"][-1]["type"] in ("created", "changed")
    assert body["results"][0]["date"]

"""Every registered API route × every persona: status codes, isolation, history, queries.

The routes come from the app routers, so a new resource is covered as soon as it is
registered.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from district.api.urls import router as district_router
from goals.api.urls import router as goals_router
from roles.api.urls import router as roles_router
from routines.api.urls import router as routines_router
from tiers.api.urls import router as tiers_router

from .conftest import MAKERS, make_object

# The tier history is read only and written by overrides (a POST that is no copy of a
# row): tests/tiers/test_api.py covers it.
NOT_CRUD = {"tier-assignment"}
BASENAMES = [
    basename
    for router in (
        district_router,
        roles_router,
        goals_router,
        tiers_router,
        routines_router,
    )
    for _prefix, _viewset, basename in router.registry
    if basename not in NOT_CRUD
]
# A district has no `district` field, and deleting one is tested in test_crud.
TENANT_OWNED = [basename for basename in BASENAMES if basename != "district"]
PERSONAS = [None, "viewer", "editor", "district_admin", "outsider", "superuser"]
# Fields a client reads but does not send back.
READ_ONLY = {
    "id",
    "url",
    "display",
    "version",
    "updated_at",
    "owner_roles",
    "effective_min_n",
    "entered_by",
    "entered_at",
    "allocated_by",
    "adopted_at",
    "adopted_by",
    "written_at",
    "written_by",
    "closed_by",
}
# A change each update makes: a matrix cell that keeps its level is not written.
# A membership at the level it has is left alone (`district.members`): change it.
CHANGES = {"ownership": {"level": "R"}, "membership": {"access_level": "editor"}}
# Resources readable and writable only by district admins.
ADMIN_ONLY = {"membership"}
# Resources whose writes need a district admin (creating a district: a superuser).
ADMIN_WRITES = {"membership", "district", "closed-period"}


def test_every_resource_is_covered():
    assert set(BASENAMES) == set(MAKERS)


def persona_user(request, name):
    return None if name is None else request.getfixturevalue(name)


def detail_url(basename, obj):
    if basename == "district":
        return reverse("district-detail", kwargs={"slug": obj.slug})
    return reverse(f"{basename}-detail", kwargs={"pk": obj.pk})


def ids_in(response):
    return {row["id"] for row in response.json()["results"]}


def expected_read_status(basename, persona):
    if persona is None:
        return 401
    if basename in ADMIN_ONLY and persona in ("viewer", "editor", "outsider"):
        return 403
    return 200


def latest_history(obj_model, pk):
    return obj_model.history.filter(id=pk).order_by("-history_id").first()


def payload_from(data):
    """A request body rebuilt from a response: related objects by id (district by slug)."""
    body = {}
    for key, value in data.items():
        if key in READ_ONLY:
            continue
        if isinstance(value, dict):
            value = value["slug"] if key == "district" else value["id"]
        body[key] = value
    return body


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("basename", BASENAMES)
def test_list_shows_only_the_callers_districts(
    request, api_client_for, basename, persona, district, other_district
):
    user = persona_user(request, persona)
    own = make_object(basename, district)
    foreign = make_object(basename, other_district)

    response = api_client_for(user).get(reverse(f"{basename}-list"))

    expected = expected_read_status(basename, persona)
    assert response.status_code == expected, response.content
    if expected != 200:
        return
    ids = ids_in(response)
    if persona == "superuser":
        assert {own.pk, foreign.pk} <= ids
    elif persona == "outsider":
        assert own.pk not in ids
        assert foreign.pk in ids
    else:
        assert own.pk in ids
        assert foreign.pk not in ids


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("basename", BASENAMES)
def test_detail_of_another_district_is_404(
    request, api_client_for, basename, persona, district
):
    user = persona_user(request, persona)
    obj = make_object(basename, district)

    response = api_client_for(user).get(detail_url(basename, obj))

    expected = expected_read_status(basename, persona)
    if persona == "outsider" and expected == 200:
        expected = 404
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response["ETag"] == f'"{obj.pk}.{obj.version}"'


def expected_write_status(basename, persona):
    if persona is None:
        return 401
    if basename in ADMIN_WRITES:
        if persona in ("viewer", "editor", "outsider"):
            return 403
        return 200
    if persona == "viewer":
        return 403
    if persona == "outsider":
        return 404
    return 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("basename", BASENAMES)
def test_update_needs_write_access_and_leaves_history(
    request, api_client_for, basename, persona, district
):
    user = persona_user(request, persona)
    obj = make_object(basename, district)
    before = type(obj).history.filter(id=obj.pk).count()

    response = api_client_for(user).patch(
        detail_url(basename, obj), CHANGES.get(basename, {}), format="json"
    )

    expected = expected_write_status(basename, persona)
    assert response.status_code == expected, response.content
    history = type(obj).history.filter(id=obj.pk)
    if expected == 200:
        assert response.json()["version"] == obj.version + 1
        assert history.count() == before + 1
        latest = latest_history(type(obj), obj.pk)
        assert latest.history_type == "~"
        assert latest.history_user == user
        assert latest.version == obj.version + 1
    else:
        assert history.count() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("basename", TENANT_OWNED)
def test_delete_needs_write_access_and_leaves_history(
    request, api_client_for, basename, persona, district
):
    user = persona_user(request, persona)
    obj = make_object(basename, district)
    model = type(obj)

    response = api_client_for(user).delete(detail_url(basename, obj))

    expected = expected_write_status(basename, persona)
    if expected == 200:
        expected = 204
    assert response.status_code == expected, response.content
    if expected == 204:
        assert not model.objects.filter(pk=obj.pk).exists()
        latest = latest_history(model, obj.pk)
        assert latest.history_type == "-"
        assert latest.history_user == user
    else:
        assert model.objects.filter(pk=obj.pk).exists()


def writer_for(request, basename):
    if basename == "district":
        return request.getfixturevalue("superuser")
    if basename in ADMIN_WRITES:
        return request.getfixturevalue("district_admin")
    return request.getfixturevalue("editor")


@pytest.mark.parametrize("basename", BASENAMES)
def test_create_round_trip_records_the_creator(
    request, api_client_for, basename, district
):
    """Read an object, delete it, post it back: the same data is accepted again."""
    user = writer_for(request, basename)
    client = api_client_for(user)
    obj = (
        MAKERS["district"](district)
        if basename == "district"
        else make_object(basename, district)
    )
    model = type(obj)
    body = payload_from(client.get(detail_url(basename, obj)).json())
    assert client.delete(detail_url(basename, obj)).status_code == 204

    response = client.post(reverse(f"{basename}-list"), body, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert payload_from(created) == body
    assert response["ETag"] == f'"{created["id"]}.1"'
    latest = latest_history(model, created["id"])
    assert latest.history_type == "+"
    assert latest.history_user == user

    again = client.put(created["url"], body | CHANGES.get(basename, {}), format="json")
    assert again.status_code == 200, again.content
    assert again.json()["version"] == 2


@pytest.mark.parametrize("basename", TENANT_OWNED)
def test_creating_in_a_district_you_cannot_edit_is_400(
    request, api_client_for, basename, district, other_district
):
    user = writer_for(request, basename)
    client = api_client_for(user)
    obj = make_object(basename, district)
    body = payload_from(client.get(detail_url(basename, obj)).json())
    body["district"] = other_district.slug

    response = client.post(reverse(f"{basename}-list"), body, format="json")

    assert response.status_code == 400, response.content
    assert "district" in response.json()


@pytest.mark.parametrize("basename", BASENAMES)
def test_list_query_count_does_not_grow_with_rows(
    request, api_client_for, basename, district
):
    client = api_client_for(request.getfixturevalue("superuser"))
    url = reverse(f"{basename}-list")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    for _ in range(2):
        MAKERS[basename](district)
    small = count_queries()
    for _ in range(18):
        MAKERS[basename](district)
    assert count_queries() == small


@pytest.mark.parametrize("basename", BASENAMES)
def test_unsupported_methods_are_405(api_client_for, superuser, basename, district):
    obj = make_object(basename, district)
    client = api_client_for(superuser)

    assert client.put(reverse(f"{basename}-list"), {}, format="json").status_code == 405
    assert client.post(detail_url(basename, obj), {}, format="json").status_code == 405


# Resources without a uniqueness rule that a copy of an object would break.
DUPLICATES_ALLOWED = {
    "person",
    "role-assignment",
    "goal",
    "principal",
    "allocation",
    "theory-statement",
    "non-negotiable",
    "meeting-decision",
    "action-item",
    # Closing dates that are already closed changes nothing a value can do.
    "closed-period",
}


@pytest.mark.parametrize("basename", BASENAMES)
def test_posting_a_copy_answers_400_with_the_constraints_message(
    request, api_client_for, basename, district
):
    """Uniqueness rules are checked by full_clean(): a 400, never an IntegrityError."""
    client = api_client_for(writer_for(request, basename))
    obj = (
        MAKERS["district"](district)
        if basename == "district"
        else make_object(basename, district)
    )
    model = type(obj)
    body = payload_from(client.get(detail_url(basename, obj)).json())
    before = model.objects.count()

    response = client.post(reverse(f"{basename}-list"), body, format="json")

    if basename in DUPLICATES_ALLOWED:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.content
    messages = {
        str(constraint.violation_error_message)
        for constraint in model._meta.constraints
        if getattr(constraint, "violation_error_message", None)
    } | {"district with this slug already exists."}
    assert messages & {
        message for errors in response.json().values() for message in errors
    }
    assert model.objects.count() == before


@pytest.mark.parametrize("basename", BASENAMES)
def test_writes_with_a_token_record_the_tokens_user(
    request, token_client_for, basename, district
):
    user = writer_for(request, basename)
    client = token_client_for(user, scope="write")
    obj = make_object(basename, district)
    model = type(obj)

    response = client.patch(
        detail_url(basename, obj), CHANGES.get(basename, {}), format="json"
    )

    assert response.status_code == 200, response.content
    latest = latest_history(model, obj.pk)
    assert (latest.history_type, latest.history_user) == ("~", user)

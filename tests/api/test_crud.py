"""Writes through the API: validation as 400s, stale writes as 412, conflicts as 409."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.api.base import DistrictScopedViewSet
from district.models import District, Person
from goals.models import Measurement
from roles.models import Role, WorkArea
from roles.responsibilities import claim_row
from tests.factories import (
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    OwnershipFactory,
    ResponsibilityFactory,
    RoleFactory,
    SchoolFactory,
    UserFactory,
    WorkAreaFactory,
)

# --- Concurrency ---


def test_detail_carries_an_etag_of_pk_and_version(api_client_for, viewer, district):
    role = RoleFactory(district=district)

    response = api_client_for(viewer).get(f"/api/v1/roles/{role.pk}/")

    assert response["ETag"] == f'"{role.pk}.1"'


def test_update_with_current_if_match_succeeds_and_returns_the_new_etag(
    api_client_for, editor, district
):
    role = RoleFactory(district=district, title="Chief")
    client = api_client_for(editor)
    etag = client.get(f"/api/v1/roles/{role.pk}/")["ETag"]

    response = client.patch(
        f"/api/v1/roles/{role.pk}/",
        {"title": "Chief Academic Officer"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200
    assert response["ETag"] == f'"{role.pk}.2"'
    role.refresh_from_db()
    assert (role.title, role.version) == ("Chief Academic Officer", 2)


def test_stale_update_is_refused_with_412_and_changes_nothing(
    api_client_for, editor, district
):
    role = RoleFactory(district=district, title="Chief")
    client = api_client_for(editor)
    stale = client.get(f"/api/v1/roles/{role.pk}/")["ETag"]
    client.patch(f"/api/v1/roles/{role.pk}/", {"title": "First"}, format="json")

    response = client.patch(
        f"/api/v1/roles/{role.pk}/",
        {"title": "Second"},
        format="json",
        HTTP_IF_MATCH=stale,
    )

    assert response.status_code == 412
    role.refresh_from_db()
    assert (role.title, role.version) == ("First", 2)
    assert role.history.count() == 2


def test_stale_delete_is_refused_with_412(api_client_for, editor, district):
    role = RoleFactory(district=district)
    client = api_client_for(editor)
    stale = client.get(f"/api/v1/roles/{role.pk}/")["ETag"]
    client.patch(f"/api/v1/roles/{role.pk}/", {"title": "New"}, format="json")

    response = client.delete(f"/api/v1/roles/{role.pk}/", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert Role.objects.filter(pk=role.pk).exists()


def test_if_match_star_and_weak_etags_are_accepted(api_client_for, editor, district):
    role = RoleFactory(district=district)
    client = api_client_for(editor)

    star = client.patch(
        f"/api/v1/roles/{role.pk}/", {"title": "A"}, format="json", HTTP_IF_MATCH="*"
    )
    weak = client.patch(
        f"/api/v1/roles/{role.pk}/",
        {"title": "B"},
        format="json",
        HTTP_IF_MATCH=f'W/"{role.pk}.2"',
    )

    assert (star.status_code, weak.status_code) == (200, 200)


def test_malformed_if_match_is_412(api_client_for, editor, district):
    role = RoleFactory(district=district)

    response = api_client_for(editor).patch(
        f"/api/v1/roles/{role.pk}/",
        {"title": "A"},
        format="json",
        HTTP_IF_MATCH="not an etag\x01",
    )

    assert response.status_code == 412


def test_update_lost_to_a_concurrent_write_is_412(
    api_client_for, editor, district, monkeypatch
):
    """The version is checked on the row read again under a lock, not on the first read."""
    role = RoleFactory(district=district, title="Chief")
    client = api_client_for(editor)
    etag = client.get(f"/api/v1/roles/{role.pk}/")["ETag"]
    original = DistrictScopedViewSet.get_object

    def read_then_someone_else_writes(self):
        instance = original(self)
        Role.objects.get(pk=instance.pk).save()  # another request wins the race
        return instance

    monkeypatch.setattr(
        DistrictScopedViewSet, "get_object", read_then_someone_else_writes
    )

    response = client.patch(
        f"/api/v1/roles/{role.pk}/",
        {"title": "Mine"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    role.refresh_from_db()
    assert role.title == "Chief"


def test_a_row_deleted_while_being_updated_is_404(
    api_client_for, editor, district, monkeypatch
):
    role = RoleFactory(district=district)
    original = DistrictScopedViewSet.get_object

    def read_then_someone_else_deletes(self):
        instance = original(self)
        Role.objects.filter(pk=instance.pk).delete()
        return instance

    monkeypatch.setattr(
        DistrictScopedViewSet, "get_object", read_then_someone_else_deletes
    )

    response = api_client_for(editor).patch(
        f"/api/v1/roles/{role.pk}/", {"title": "Mine"}, format="json"
    )

    assert response.status_code == 404
    assert not Role.objects.filter(pk=role.pk).exists()


def test_update_saves_the_row_read_under_a_lock(api_client_for, editor, district):
    role = RoleFactory(district=district)

    with CaptureQueriesContext(connection) as queries:
        response = api_client_for(editor).patch(
            f"/api/v1/roles/{role.pk}/", {"title": "New"}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["version"] == role.version + 1
    sql = [q["sql"] for q in queries]
    assert len([q for q in sql if q.startswith("UPDATE")]) == 1
    locks = [q for q in sql if q.startswith("SELECT") and "FOR UPDATE" in q]
    assert len(locks) == (1 if connection.features.has_select_for_update else 0)


# --- Validation: 400 with field messages, never a 500 ---


def test_unique_constraint_is_400_with_its_message(api_client_for, editor, district):
    RoleFactory(district=district, code="CAO")

    response = api_client_for(editor).post(
        "/api/v1/roles/",
        {"district": district.slug, "code": "CAO", "title": "Another"},
        format="json",
    )

    assert response.status_code == 400
    assert "A role with this code already exists in the district." in str(
        response.json()
    )


def test_check_constraint_is_400_with_its_message(api_client_for, editor, district):
    metric = MetricFactory(district=district)

    response = api_client_for(editor).patch(
        f"/api/v1/metrics/{metric.pk}/",
        {"target_on": "2010-01-01"},
        format="json",
    )

    assert response.status_code == 400
    assert "The target date must come after the baseline date." in str(response.json())


def test_measurement_with_two_scopes_is_400(api_client_for, editor, district):
    metric = MetricFactory(district=district)
    school = SchoolFactory(district=district)

    response = api_client_for(editor).post(
        "/api/v1/measurements/",
        {
            "district": district.slug,
            "metric": metric.pk,
            "period_end": "2016-06-30",
            "scope": "school",
            "school": school.pk,
            "network": school.network_id,
            "value": "85",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "exactly one school" in str(response.json())
    assert not Measurement.objects.exists()


def test_cross_district_reference_is_400_with_a_field_message(
    api_client_for, superuser, district, other_district
):
    network = NetworkFactory(district=other_district)

    response = api_client_for(superuser).post(
        "/api/v1/schools/",
        {
            "district": district.slug,
            "school_id": "609",
            "name": "Lincoln",
            "network": network.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "network" in response.json()


def test_an_update_cannot_point_to_another_districts_row(
    api_client_for, superuser, district, other_district
):
    """The model's same-district rule runs on updates too, even for a superuser."""
    school = SchoolFactory(district=district, network=None)
    network = NetworkFactory(district=other_district)

    response = api_client_for(superuser).patch(
        f"/api/v1/schools/{school.pk}/", {"network": network.pk}, format="json"
    )

    assert response.status_code == 400
    assert "network" in response.json()
    school.refresh_from_db()
    assert school.network_id is None


def test_reference_to_an_invisible_object_is_400(
    api_client_for, editor, district, other_district
):
    network = NetworkFactory(district=other_district)

    response = api_client_for(editor).post(
        "/api/v1/schools/",
        {
            "district": district.slug,
            "school_id": "1",
            "name": "X",
            "network": network.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["network"] == [
        "No such object, or not one you may use here."
    ]


def test_object_cannot_move_to_another_district(
    api_client_for, superuser, district, other_district
):
    role = RoleFactory(district=district)

    response = api_client_for(superuser).patch(
        f"/api/v1/roles/{role.pk}/", {"district": other_district.slug}, format="json"
    )

    assert response.status_code == 400
    assert "district" in response.json()


def test_value_outside_its_units_range_is_400(api_client_for, editor, district):
    measurement = MeasurementFactory(district=district)

    response = api_client_for(editor).patch(
        f"/api/v1/measurements/{measurement.pk}/", {"value": "140"}, format="json"
    )

    assert response.status_code == 400
    assert "value" in response.json()


@pytest.mark.parametrize(
    "body",
    [
        {"title": "bad\x00title"},
        {"sort_order": 10**30},
        {"sort_order": -1},
        {"reports_to": 10**30},
        {"reports_to": True},
        {"reports_to": "abc"},
        {"kind": "emperor"},
        {"district": ["cps"]},
        ["not", "an", "object"],
    ],
)
def test_bad_bodies_are_400(api_client_for, editor, district, body):
    role = RoleFactory(district=district)

    response = api_client_for(editor).patch(
        f"/api/v1/roles/{role.pk}/", body, format="json"
    )

    assert response.status_code == 400, response.content


def test_malformed_json_is_400(api_client_for, editor, district):
    response = api_client_for(editor).generic(
        "POST", "/api/v1/roles/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400


def test_form_encoded_body_is_415(api_client_for, editor, district):
    response = api_client_for(editor).post(
        "/api/v1/roles/", {"code": "X"}, format="multipart"
    )

    assert response.status_code == 415


# --- Deletes ---


def test_deleting_a_work_area_that_still_has_responsibilities_is_409(
    api_client_for, editor, district
):
    work_area = WorkAreaFactory(district=district)
    ResponsibilityFactory(district=district, work_area=work_area)

    response = api_client_for(editor).delete(f"/api/v1/work-areas/{work_area.pk}/")

    assert response.status_code == 409
    assert WorkArea.objects.filter(pk=work_area.pk).exists()


def test_superuser_creates_and_deletes_a_district(api_client_for, superuser):
    client = api_client_for(superuser)

    created = client.post(
        "/api/v1/districts/",
        {"slug": "springfield", "name": "Springfield"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["url"].endswith("/api/v1/districts/springfield/")

    assert client.delete("/api/v1/districts/springfield/").status_code == 204
    assert not District.objects.filter(slug="springfield").exists()


def test_district_admin_cannot_create_or_delete_districts(
    api_client_for, district_admin, district
):
    client = api_client_for(district_admin)

    assert (
        client.post(
            "/api/v1/districts/", {"slug": "x", "name": "X"}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/districts/{district.slug}/").status_code == 403


# --- Matrix cells go through set_ownership ---


def test_changing_a_cell_advances_its_rows_version(api_client_for, editor, district):
    cell = OwnershipFactory(district=district, level="A")
    row_version = cell.responsibility.version

    response = api_client_for(editor).patch(
        f"/api/v1/ownerships/{cell.pk}/", {"level": "C"}, format="json"
    )

    assert response.status_code == 200, response.content
    cell.responsibility.refresh_from_db()
    assert cell.responsibility.version == row_version + 1
    assert cell.history.order_by("-history_id").first().history_user == editor


def test_cell_edit_lost_to_another_edit_of_its_row_is_412(
    api_client_for, editor, district, monkeypatch
):
    cell = OwnershipFactory(district=district, level="A")
    original = DistrictScopedViewSet.check_if_match

    def read_then_the_row_changes(self, instance):
        original(self, instance)
        claim_row(
            responsibility_id=instance.responsibility_id,
            expected_version=instance.responsibility.version,
        )

    monkeypatch.setattr(
        DistrictScopedViewSet, "check_if_match", read_then_the_row_changes
    )

    response = api_client_for(editor).patch(
        f"/api/v1/ownerships/{cell.pk}/", {"level": "C"}, format="json"
    )

    assert response.status_code == 412
    cell.refresh_from_db()
    assert cell.level == "A"


def test_cell_cannot_move_to_another_row(api_client_for, editor, district):
    cell = OwnershipFactory(district=district)
    other_row = ResponsibilityFactory(district=district)

    response = api_client_for(editor).patch(
        f"/api/v1/ownerships/{cell.pk}/",
        {"responsibility": other_row.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "responsibility" in response.json()


def test_deleting_a_cell_clears_it_through_set_ownership(
    api_client_for, editor, district
):
    cell = OwnershipFactory(district=district)
    row_version = cell.responsibility.version

    response = api_client_for(editor).delete(f"/api/v1/ownerships/{cell.pk}/")

    assert response.status_code == 204
    cell.responsibility.refresh_from_db()
    assert cell.responsibility.version == row_version + 1


def test_a_clash_that_passes_validation_is_409_not_500(
    api_client_for, editor, district, monkeypatch
):
    """Two requests may both pass validation; the database refuses the second."""
    RoleFactory(district=district, code="CAO")
    monkeypatch.setattr(
        "district.api.serializers.ValidatedModelSerializer.validate",
        lambda self, attrs: attrs,
    )

    response = api_client_for(editor).post(
        "/api/v1/roles/",
        {"district": district.slug, "code": "CAO", "title": "Another"},
        format="json",
    )

    assert response.status_code == 409
    assert Role.objects.filter(code="CAO").count() == 1


def test_a_body_over_the_upload_limit_is_413_in_json(
    settings, api_client_for, editor, district
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api_client_for(editor).post(
        "/api/v1/measurements/bulk/",
        {"district": district.slug, "rows": [{"metric": "x" * 100}] * 20},
        format="json",
    )

    assert response.status_code == 413
    assert "at most 10,000 rows" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/roles", "/api/"])
def test_unknown_api_paths_are_json_404(api_client_for, editor, path):
    response = api_client_for(editor).get(path)

    assert response.status_code == 404
    assert "No such API endpoint." in response.json()["detail"]


def test_creating_a_person_tells_nothing_of_accounts_outside_the_district(
    api_client_for, editor, outsider, district
):
    UserFactory(username="unaffiliated")
    client = api_client_for(editor)

    answers = {
        username: client.post(
            "/api/v1/people/",
            {"district": district.slug, "name": "Linked", "user": username},
            format="json",
        )
        for username in ("nobody", "unaffiliated", "outsider")
    }

    for username, response in answers.items():
        assert response.status_code == 400, username
        assert response.json() == {
            "user": ["No member of this district has this username."]
        }, username
    assert not Person.objects.exists()
    member = client.post(
        "/api/v1/people/",
        {"district": district.slug, "name": "Editor", "user": "editor"},
        format="json",
    )
    assert member.status_code == 201, member.content

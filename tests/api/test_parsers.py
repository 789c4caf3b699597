"""JSON bodies: nesting beyond what any resource takes is a 400, never a crash."""

import pytest
from rest_framework.test import APIClient

from district.api.parsers import MAX_DEPTH, nested_deeper_than
from roles.models import Role
from tokens.models import ApiToken


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 200_000])
@pytest.mark.parametrize(
    "path", ["/api/v1/roles/", "/api/v1/measurements/bulk/", "/api/v1/tokens/"]
)
def test_deeply_nested_bodies_are_a_json_400(token_client_for, editor, path, depth):
    client = token_client_for(editor, scope="write")

    response = client.generic(
        "POST", path, nested(depth), content_type="application/json"
    )

    assert response.status_code == 400
    assert "nested more than" in response.json()["detail"]
    assert not Role.objects.exists()
    assert ApiToken.objects.count() == 1


def test_a_viewers_write_token_cannot_crash_the_tokens_endpoint(
    token_client_for, viewer
):
    body = '{"name": "x", "scope": ' + nested(100_000) + "}"

    response = token_client_for(viewer, scope="write").generic(
        "POST", "/api/v1/tokens/", body, content_type="application/json"
    )

    assert response.status_code == 400


def test_ordinary_bodies_still_parse(token_client_for, editor, district):
    response = token_client_for(editor).post(
        "/api/v1/roles/",
        {"district": district.slug, "code": "CAO", "title": "Chief Academic Officer"},
        format="json",
    )

    assert response.status_code == 201, response.content


def test_depth_counts_lists_and_objects():
    assert not nested_deeper_than({"rows": [{"value": 1}]}, 3)
    assert nested_deeper_than({"rows": [{"value": [1]}]}, 3)
    assert not nested_deeper_than("text", 0)


def test_anonymous_deep_bodies_are_refused_before_parsing(db):
    response = APIClient().generic(
        "POST", "/api/v1/roles/", nested(5_000), content_type="application/json"
    )

    assert response.status_code == 401

"""Requests no view should see: null characters in the path or in an admin query."""

import pytest

from tests.factories import NetworkFactory


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/districts/%00/history/",
        "/api/v1/districts/lakeside%00/",
        "/api/v1/roles/%00/",
    ],
)
def test_a_null_character_in_an_api_path_is_a_json_404(api_client_for, viewer, path):
    response = api_client_for(viewer).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "path",
    ["/districts/lakeside%00/matrix/", "/districts/lakeside/matrix%00/", "/%00"],
)
def test_a_null_character_in_a_page_path_is_a_404_page(client_for, viewer, path):
    response = client_for(viewer).get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_null_character_in_the_admin_autocomplete_term_is_a_400(
    client_for, superuser, district
):
    response = client_for(superuser).get(
        "/admin/autocomplete/",
        {
            "term": "\x00",
            "app_label": "district",
            "model_name": "school",
            "field_name": "network",
        },
    )

    assert response.status_code == 400


def test_a_null_character_in_an_admin_search_is_a_400(client_for, superuser):
    response = client_for(superuser).get("/admin/tokens/apitoken/?q=%00")

    assert response.status_code == 400


def test_the_admin_autocomplete_still_finds_rows(client_for, superuser, district):
    NetworkFactory(district=district, name="Network 7")

    response = client_for(superuser).get(
        "/admin/autocomplete/",
        {
            "term": "7",
            "app_label": "district",
            "model_name": "school",
            "field_name": "network",
        },
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Network 7"]


def test_api_responses_are_never_stored(api_client_for, viewer, district):
    for path in ("/api/v1/districts/", "/api/v1/districts/lakeside/", "/api/v1/nope/"):
        response = api_client_for(viewer).get(path)
        assert response["Cache-Control"] == "private, no-store", path
    anonymous = api_client_for(None).get("/api/v1/districts/")
    assert anonymous.status_code == 401
    assert anonymous["Cache-Control"] == "private, no-store"


def test_pages_keep_their_own_caching(client_for, viewer):
    assert "no-store" not in client_for(viewer).get("/").get("Cache-Control", "")

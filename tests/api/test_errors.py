"""Every API error is JSON: DRF's, Django's 404 and 400, and a crash's 500."""

import pytest
from django.test import Client

from district.api import errors
from district.api import views as district_views


def test_a_crash_under_the_api_is_a_json_500(api_client_for, viewer, monkeypatch):
    def crash(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(district_views.DistrictViewSet, "list", crash)
    client = api_client_for(viewer)
    client.raise_request_exception = False

    response = client.get("/api/v1/districts/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "boom" not in response.content.decode()
    assert response.json()["detail"].startswith("Server error")


def test_pages_keep_djangos_html_error_pages(rf):
    response = errors.server_error(rf.get("/districts/lakeside/dashboard/"))

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/roles/%00/"])
def test_api_404s_are_json(api_client_for, viewer, path):
    response = api_client_for(viewer).get(path)

    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_disallowed_host_under_the_api_is_a_json_400(db):
    response = Client(HTTP_HOST="evil.example").get("/api/v1/districts/")

    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}


def test_a_disallowed_host_on_a_page_is_the_html_400_page(db):
    response = Client(HTTP_HOST="evil.example").get("/")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")

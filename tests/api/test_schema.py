"""The OpenAPI schema and the docs page."""

from django.core.management import call_command


def test_schema_builds_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml"
    )


def test_schema_documents_errors_and_if_match(client):
    schema = client.get("/api/v1/schema/?format=json").json()

    update = schema["paths"]["/api/v1/roles/{id}/"]["patch"]
    assert {"400", "401", "403", "404", "409", "412", "429"} <= set(update["responses"])
    assert "If-Match" in [p["name"] for p in update["parameters"]]
    retrieve = schema["paths"]["/api/v1/roles/{id}/"]["get"]
    assert "ETag" in retrieve["responses"]["200"]["headers"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_lists_every_router_route(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]

    for path in ("/api/v1/measurements/bulk/", "/api/v1/districts/{slug}/matrix/"):
        assert path in paths
    assert "/api/v1/metrics/{id}/status/" in paths
    assert "/api/v1/districts/{slug}/dashboard/" in paths


def test_docs_page_loads_its_assets_from_lanes_itself(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "http://" not in page.replace("http://testserver", "")

"""POST /api/v1/measurements/bulk/: atomic, idempotent upserts of many measurements."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.api.serializers import BULK_MAX_ROWS
from goals.models import Measurement, Scope
from tests.factories import MetricFactory, NetworkFactory, SchoolFactory

URL = "/api/v1/measurements/bulk/"


@pytest.fixture
def schools(district):
    network = NetworkFactory(district=district, name="Network 1")
    return [
        SchoolFactory(district=district, network=network, school_id=f"6{i:02}")
        for i in range(30)
    ]


@pytest.fixture
def metric(district):
    return MetricFactory(district=district, code="attendance")


def rows_for(schools, value="93.5"):
    return [
        {
            "metric": "attendance",
            "school_id": school.school_id,
            "period_end": "2016-06-30",
            "value": value,
            "n": 400,
        }
        for school in schools
    ]


def test_bulk_upsert_creates_then_is_idempotent(
    api_client_for, editor, district, schools, metric
):
    client = api_client_for(editor)
    body = {
        "district": district.slug,
        "rows": [
            *rows_for(schools),
            {
                "metric": "attendance",
                "network": "Network 1",
                "school_year": "2015-16",
                "value": 92,
            },
            {"metric": "attendance", "period_end": "2016-06-30", "value": 91.25},
        ],
        "source": "warehouse",
    }

    first = client.post(URL, body, format="json")
    second = client.post(URL, body, format="json")

    assert first.status_code == 200, first.content
    assert first.json() == {"created": 32, "updated": 0, "unchanged": 0, "saved": True}
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 32, "saved": True}
    assert Measurement.objects.count() == 32
    assert Measurement.objects.filter(scope=Scope.DISTRICT).get().value == Decimal(
        "91.25"
    )
    written = Measurement.objects.first()
    assert written.entered_by == editor
    assert written.source == "warehouse"
    assert written.history.get().history_user == editor


def test_bulk_upsert_updates_changed_values(
    api_client_for, editor, district, schools, metric
):
    client = api_client_for(editor)
    client.post(URL, {"district": district.slug, "rows": rows_for(schools)}, "json")
    rows = rows_for(schools)
    rows[0]["value"] = "80"

    response = client.post(URL, {"district": district.slug, "rows": rows}, "json")

    assert response.json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 29,
        "saved": True,
    }
    changed = Measurement.objects.get(school=schools[0])
    assert changed.value == Decimal("80")
    assert changed.history.order_by("-history_id").first().history_user == editor


def test_one_bad_row_among_many_saves_nothing_and_names_the_row(
    api_client_for, editor, district, schools, metric
):
    rows = rows_for(schools)
    rows[17]["value"] = "140"
    rows[23]["school_id"] = "no-such-school"

    response = api_client_for(editor).post(
        URL, {"district": district.slug, "rows": rows}, format="json"
    )

    assert response.status_code == 400
    data = response.json()
    assert data["saved"] is False
    assert [(e["index"], e["column"]) for e in data["errors"]] == [
        (17, "value"),
        (23, "school_id"),
    ]
    assert "2 of 30 rows are invalid" in data["detail"]
    assert not Measurement.objects.exists()


def test_dry_run_counts_without_saving(
    api_client_for, editor, district, schools, metric
):
    response = api_client_for(editor).post(
        URL,
        {"district": district.slug, "rows": rows_for(schools), "dry_run": True},
        format="json",
    )

    assert response.json() == {
        "created": 30,
        "updated": 0,
        "unchanged": 0,
        "saved": False,
    }
    assert not Measurement.objects.exists()


def test_more_than_the_row_limit_is_refused(api_client_for, editor, district, metric):
    rows = [{"metric": "attendance", "value": 1}] * (BULK_MAX_ROWS + 1)

    response = api_client_for(editor).post(
        URL, {"district": district.slug, "rows": rows}, format="json"
    )

    assert response.status_code == 400
    assert "At most 10,000 rows" in str(response.json()["rows"])
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "rows",
    [
        [],
        "not a list",
        [["a", "list"], None, 5],
        [{"metric": "attendance\x00", "value": "1", "period_end": "2016-06-30"}],
        [{"metric": "attendance", "value": 1e308, "period_end": "2016-06-30"}],
        [{"metric": "attendance", "value": {"a": 1}, "period_end": "9999-99-99"}],
    ],
)
def test_malformed_rows_are_400(api_client_for, editor, district, metric, rows):
    response = api_client_for(editor).post(
        URL, {"district": district.slug, "rows": rows}, format="json"
    )

    assert response.status_code == 400, response.content
    assert not Measurement.objects.exists()


def test_bulk_into_a_district_you_cannot_edit_is_400(
    api_client_for, outsider, district, metric
):
    response = api_client_for(outsider).post(
        URL, {"district": district.slug, "rows": [{"metric": "x"}]}, format="json"
    )

    assert response.status_code == 400
    assert "district" in response.json()


@pytest.mark.parametrize("persona", ["viewer", None])
def test_viewer_and_anonymous_cannot_bulk_upsert(
    request, api_client_for, district, metric, persona
):
    user = None if persona is None else request.getfixturevalue(persona)

    response = api_client_for(user).post(
        URL, {"district": district.slug, "rows": [{"metric": "x"}]}, format="json"
    )

    assert response.status_code == (401 if user is None else 403)


def test_read_token_cannot_bulk_upsert(token_client_for, editor, district, metric):
    client = token_client_for(editor, scope="read")

    response = client.post(
        URL, {"district": district.slug, "rows": [{"metric": "x"}]}, format="json"
    )

    assert response.status_code == 403


def test_write_token_bulk_upsert_records_the_tokens_user(
    token_client_for, editor, district, schools, metric
):
    client = token_client_for(editor, scope="write")

    response = client.post(
        URL, {"district": district.slug, "rows": rows_for(schools[:2])}, format="json"
    )

    assert response.status_code == 200
    assert {m.history.get().history_user for m in Measurement.objects.all()} == {editor}


def test_bulk_query_count_does_not_grow_with_rows(
    api_client_for, editor, district, schools, metric
):
    client = api_client_for(editor)

    def count(rows):
        Measurement.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                URL, {"district": district.slug, "rows": rows}, format="json"
            )
        assert response.status_code == 200
        return len(queries)

    assert count(rows_for(schools[:2])) == count(rows_for(schools[:20]))

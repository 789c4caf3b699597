"""The streamed CSV of every measurement of a district."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import goals.exports
from goals.models import Measurement
from tests.factories import MeasurementFactory, MembershipFactory

from .district_data import build_district_data


def export_url(district, query=""):
    return f"/districts/{district.slug}/measurements.csv{query}"


def read_csv(response) -> list[dict]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def data(district):
    return build_district_data(district, schools=4)


def test_editor_exports_every_measurement_of_the_district(
    client_for, data, editor, other_district
):
    MeasurementFactory(district=other_district)
    response = client_for(editor).get(export_url(data.district))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "lakeside-measurements.csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == Measurement.objects.filter(district=data.district).count()
    first = Measurement.objects.filter(district=data.district).order_by("pk").first()
    assert rows[0]["metric"] == first.metric.code
    assert rows[0]["school_id"] == first.school.school_id
    assert rows[0]["network"] == first.school.network.name
    assert rows[0]["period_end"] == first.period_end.isoformat()


def test_viewer_sees_small_denominators_suppressed(client_for, data, viewer):
    rows = read_csv(
        client_for(viewer).get(export_url(data.district, "?metric=attendance"))
    )
    small = [r for r in rows if r["school_id"] == data.small_school.school_id]
    assert small
    assert all(r["suppression"] == "suppressed" for r in small)
    assert all(r["value"] == "" and r["n"] == "" for r in small)
    others = [r for r in rows if r["school_id"] != data.small_school.school_id]
    assert all(r["value"] and r["suppression"] == "" for r in others)


def test_editor_sees_small_denominators_marked(client_for, data, editor):
    rows = read_csv(
        client_for(editor).get(export_url(data.district, "?metric=attendance"))
    )
    small = [r for r in rows if r["school_id"] == data.small_school.school_id]
    assert all(r["suppression"] == "below_min_n" and r["value"] for r in small)


def test_metric_filter_keeps_one_metric(client_for, data, viewer):
    rows = read_csv(client_for(viewer).get(export_url(data.district, "?metric=uptime")))
    assert rows and {r["metric"] for r in rows} == {"uptime"}
    unknown = read_csv(client_for(viewer).get(export_url(data.district, "?metric=x")))
    assert unknown == []


def test_outsider_gets_404_and_anonymous_is_sent_to_log_in(client_for, data, outsider):
    assert client_for(outsider).get(export_url(data.district)).status_code == 404
    response = client_for(None).get(export_url(data.district))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_export_is_written_in_chunks(client_for, data, viewer, monkeypatch):
    monkeypatch.setattr(goals.exports, "CHUNK_ROWS", 5)
    response = client_for(viewer).get(export_url(data.district))
    chunks = list(response.streaming_content)
    rows = Measurement.objects.filter(district=data.district).count()
    assert len(chunks) == rows // 5 + 1


def test_export_query_count_does_not_grow_with_the_data(
    client_for, viewer, district, other_district
):
    MembershipFactory(district=other_district, user=viewer)
    build_district_data(district, schools=2)
    build_district_data(other_district, schools=20)
    client = client_for(viewer)

    def count(slug):
        with CaptureQueriesContext(connection) as queries:
            b"".join(
                client.get(f"/districts/{slug}/measurements.csv").streaming_content
            )
        return len(queries.captured_queries)

    assert count(district.slug) == count(other_district.slug)

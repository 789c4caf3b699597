"""The streamed CSV of every measurement of a district."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import goals.exports
from goals.models import Measurement, Scope
from tests.factories import (
    MeasurementFactory,
    MembershipFactory,
    NetworkFactory,
    SchoolFactory,
)

from .district_data import build_district_data


def export_url(district, query=""):
    return f"/districts/{district.slug}/measurements.csv{query}"


def read_csv(response) -> list[dict]:
    """The rows of a complete export: its trailer is checked against them, then left out."""
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    body, trailer = text.removesuffix("\r\n").rsplit("\r\n", 1)
    rows = list(csv.DictReader(io.StringIO(body + "\r\n", newline="")))
    assert trailer == f"# complete: {len(rows)} rows"
    return rows


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
    today = timezone.localdate()
    assert (
        f"lakeside-measurements-{today:%Y-%m-%d}.csv" in response["Content-Disposition"]
    )
    one = client_for(editor).get(export_url(data.district, "?metric=attendance"))
    assert (
        f"lakeside-measurements-attendance-{today:%Y-%m-%d}.csv"
        in one["Content-Disposition"]
    )
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


def test_export_ends_with_a_trailer_giving_its_row_count(client_for, data, viewer):
    response = client_for(viewer).get(export_url(data.district))
    text = b"".join(response.streaming_content).decode()
    count = Measurement.objects.filter(district=data.district).count()
    assert text.endswith(f"\r\n# complete: {count} rows\r\n")
    assert len(text.splitlines()) == 1 + count + 1


def test_export_of_an_unknown_metric_is_still_complete(client_for, data, viewer):
    response = client_for(viewer).get(export_url(data.district, "?metric=nothing"))
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[1:] == ["# complete: 0 rows"]


def test_export_writes_names_that_look_like_formulas_as_text(
    client_for, district, viewer
):
    network = NetworkFactory(district=district, name="+SUM(1;2)")
    school = SchoolFactory(
        district=district, network=network, name='=HYPERLINK("http://x.example")'
    )
    MeasurementFactory(
        district=district,
        school=school,
        metric__code="-attendance",
        value=Decimal("-4.5"),
        n=40,
        source="@import",
    )
    (row,) = read_csv(client_for(viewer).get(export_url(district)))
    assert row["school"] == '\'=HYPERLINK("http://x.example")'
    assert row["network"] == "'+SUM(1;2)"
    assert row["metric"] == "'-attendance"
    assert row["source"] == "'@import"
    assert row["value"] == "-4.5000"  # a number, not text
    assert row["n"] == "40"


@pytest.mark.parametrize("persona", ["viewer", "editor", "superuser"])
def test_export_is_a_download_no_cache_keeps(client_for, data, persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(export_url(data.district))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert not response.has_header("ETag")
    b"".join(response.streaming_content)


@pytest.mark.django_db(transaction=True)
def test_export_reads_its_rows_inside_a_transaction_it_closes(
    client_for, data, viewer, monkeypatch
):
    """Outside a transaction, a PostgreSQL cursor would be WITH HOLD (see below)."""
    monkeypatch.setattr(goals.exports, "CHUNK_ROWS", 5)
    assert not connection.in_atomic_block
    response = client_for(viewer).get(export_url(data.district))
    chunks = iter(response.streaming_content)
    next(chunks)
    assert connection.in_atomic_block
    response.close()  # the client went away midway
    assert not connection.in_atomic_block


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_export_cursor_is_not_holdable_so_rows_come_without_a_copy(
    client_for, data, viewer, monkeypatch
):
    monkeypatch.setattr(goals.exports, "CHUNK_ROWS", 5)
    response = client_for(viewer).get(export_url(data.district))
    chunks = iter(response.streaming_content)
    next(chunks)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT is_holdable FROM pg_cursors WHERE name LIKE %s", ["_django_curs_%"]
        )
        assert cursor.fetchall() == [(False,)]
    rest = b"".join(chunks).decode()
    count = Measurement.objects.filter(district=data.district).count()
    assert rest.endswith(f"# complete: {count} rows\r\n")
    response.close()
    assert not connection.in_atomic_block


def test_entered_network_value_with_small_n_is_hidden_from_a_viewer_only(
    client_for, data, viewer, editor
):
    MeasurementFactory(
        district=data.district,
        metric=data.attendance,
        scope=Scope.NETWORK,
        school=None,
        network=data.north,
        value=Decimal("77.7"),
        n=3,
    )

    def network_row(user):
        rows = read_csv(client_for(user).get(export_url(data.district)))
        return next(r for r in rows if r["scope"] == Scope.NETWORK)

    seen = network_row(viewer)
    assert (seen["value"], seen["n"], seen["suppression"]) == ("", "", "suppressed")
    assert seen["network"] == "North"
    seen = network_row(editor)
    assert (seen["value"], seen["n"]) == ("77.7000", "3")
    assert seen["suppression"] == "below_min_n"

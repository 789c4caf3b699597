"""A value below the minimum n never reaches a viewer: API, history, admin, pages, charts.

The value 12.3456 of school 600005 has n 3 against the district's minimum n of 10.
Its metric shows four decimals, so any page that leaked it would print "12.3456".
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Measurement

from ..admin_pages import staff, url
from ..factories import (
    MeasurementFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    RoleFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "12.3456"
ROW = {
    "metric": "attendance",
    "school_id": "600005",
    "period_end": "2026-05-08",
    "value": 12.3456,
    "n": 3,
}


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 5, 20, 12, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def suppressed(district, editor, api_client_for):
    """The attacker's row, entered through the bulk API, then changed once."""
    network = NetworkFactory(district=district, name="North")
    school = SchoolFactory(district=district, network=network, school_id="600005")
    SchoolFactory(district=district, network=network, school_id="600006")
    metric = MetricFactory(
        district=district,
        code="attendance",
        name="Attendance",
        decimals=4,
        baseline_on=datetime.date(2025, 6, 30),
        target_on=datetime.date(2027, 6, 30),
    )
    role = RoleFactory(district=district, code="CAO")
    MetricOwnerFactory(district=district, metric=metric, role=role)
    api = api_client_for(editor)
    response = api.post(
        "/api/v1/measurements/bulk/",
        {"district": district.slug, "rows": [ROW]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    measurement = Measurement.objects.get(school=school)
    response = api.patch(
        f"/api/v1/measurements/{measurement.pk}/", {"value": "23.4567"}, format="json"
    )
    assert response.status_code == 200, response.json()
    measurement.refresh_from_db()
    return measurement


def test_viewer_reads_neither_value_nor_n_of_a_suppressed_measurement(
    api_client_for, viewer, suppressed
):
    response = api_client_for(viewer).get(f"/api/v1/measurements/{suppressed.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["value"], body["n"], body["is_suppressed"]) == (None, None, True)
    assert "23.4567" not in response.content.decode()
    assert body["display"] == f"Attendance, {suppressed.school.name}, 2026-05-08"


def test_viewer_list_of_measurements_withholds_the_suppressed_value(
    api_client_for, viewer, district, suppressed
):
    response = api_client_for(viewer).get(
        "/api/v1/measurements/", {"district": district.slug}
    )
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["value"], row["n"], row["is_suppressed"]) == (None, None, True)
    assert "23.4567" not in response.content.decode()


def test_viewer_history_of_a_suppressed_measurement_shows_no_value(
    api_client_for, viewer, suppressed
):
    response = api_client_for(viewer).get(
        f"/api/v1/measurements/{suppressed.pk}/history/"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert SECRET not in text and "23.4567" not in text
    fields = {c["field"] for e in response.json()["results"] for c in e["changes"]}
    assert fields.isdisjoint({"value", "n"})
    assert [e["type"] for e in response.json()["results"]] == ["changed", "created"]


def test_editor_sees_the_suppressed_value_and_its_history(
    api_client_for, editor, suppressed
):
    api = api_client_for(editor)
    body = api.get(f"/api/v1/measurements/{suppressed.pk}/").json()
    assert (body["value"], body["n"], body["is_suppressed"]) == ("23.4567", 3, False)
    history = api.get(f"/api/v1/measurements/{suppressed.pk}/history/").json()
    assert {"field": "value", "old": SECRET, "new": "23.4567"} in history["results"][0][
        "changes"
    ]


def test_value_with_n_at_the_minimum_is_shown_to_viewers(
    api_client_for, viewer, suppressed
):
    Measurement.objects.filter(pk=suppressed.pk).update(n=10)
    body = api_client_for(viewer).get(f"/api/v1/measurements/{suppressed.pk}/").json()
    assert (body["value"], body["n"], body["is_suppressed"]) == ("23.4567", 10, False)


def test_writing_a_measurement_without_a_value_is_refused(
    api_client_for, editor, suppressed
):
    response = api_client_for(editor).patch(
        f"/api/v1/measurements/{suppressed.pk}/", {"value": None}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["value"] == ["Give a value."]


def test_staff_viewer_admin_pages_withhold_the_suppressed_value(
    client_for, viewer, suppressed
):
    client = client_for(staff(viewer))
    record = suppressed.history.order_by("history_id").first()
    pages = [
        url(Measurement, "changelist"),
        url(Measurement, "change", suppressed.pk),
        url(Measurement, "history", suppressed.pk),
        url(Measurement, "simple_history", suppressed.pk, record.history_id),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        text = response.content.decode()
        assert SECRET not in text and "23.4567" not in text, page
    assert "Suppressed (n&lt;10)" in client.get(pages[1]).content.decode()


def test_staff_editor_admin_pages_show_the_value(client_for, editor, suppressed):
    client = client_for(staff(editor))
    assert "23.4567" in client.get(url(Measurement, "changelist")).content.decode()
    history = client.get(url(Measurement, "history", suppressed.pk)).content.decode()
    assert SECRET in history and "23.4567" in history


def test_viewer_pages_and_charts_withhold_the_suppressed_value(
    client_for, viewer, district, suppressed
):
    client = client_for(viewer)
    network = suppressed.school.network
    role = suppressed.metric.owner_roles.get()
    pages = [
        reverse("goals:dashboard", args=[district.slug]),
        reverse("goals:metric-detail", args=[district.slug, suppressed.metric_id]),
        reverse(
            "goals:metric-network",
            args=[district.slug, suppressed.metric_id, network.pk],
        ),
        reverse(
            "goals:metric-network",
            args=[district.slug, suppressed.metric_id, network.pk],
        )
        + "?format=csv",
        reverse("goals:network-scorecard", args=[district.slug, network.pk]),
        reverse("goals:network-trends", args=[district.slug, network.pk]),
        reverse("goals:role-scorecard", args=[district.slug, role.pk]),
        reverse("goals:measurements-csv", args=[district.slug]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        text = b"".join(response).decode() if response.streaming else None
        text = text if text is not None else response.content.decode()
        assert "23.4567" not in text, page


def test_editor_metric_page_shows_the_value_below_the_minimum(
    client_for, editor, district, suppressed
):
    network = suppressed.school.network
    response = client_for(editor).get(
        reverse(
            "goals:metric-network",
            args=[district.slug, suppressed.metric_id, network.pk],
        )
    )
    assert "23.4567" in response.content.decode()


def history_queries(client, measurement) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/measurements/{measurement.pk}/history/")
    return len(queries), len(response.json()["results"])


def test_history_query_count_does_not_grow_with_the_number_of_versions(
    api_client_for, viewer, editor, suppressed
):
    viewer_api = api_client_for(viewer)
    few, entries = history_queries(viewer_api, suppressed)
    assert entries == 2
    for value in ("30", "31", "32", "33", "34"):
        api_client_for(editor).patch(
            f"/api/v1/measurements/{suppressed.pk}/", {"value": value}, format="json"
        )
    many, entries = history_queries(viewer_api, suppressed)
    assert (many, entries) == (few, 7)


def test_list_query_count_does_not_grow_with_suppressed_rows(
    api_client_for, viewer, district, suppressed
):
    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api_client_for(viewer).get(
                "/api/v1/measurements/", {"district": district.slug}
            )
        assert all(row["is_suppressed"] for row in response.json()["results"])
        return len(queries)

    few = list_queries()
    for day in range(1, 11):
        MeasurementFactory(
            district=district,
            metric=suppressed.metric,
            school=suppressed.school,
            period_end=datetime.date(2026, 4, day),
            value=Decimal("50"),
            n=2,
        )
    assert list_queries() == few

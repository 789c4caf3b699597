"""Every benchmarked operation runs as many SQL queries on a small district as on one
ten times larger (bench/run.py times the same operations at real scale)."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.models import AccessLevel
from goals.generator import DistrictSize, generate_district
from goals.models import Measurement, Metric
from roles.models import Ownership
from tests.factories import MembershipFactory

LAST_FRIDAY = datetime.date(2024, 6, 7)
SMALL = DistrictSize(
    schools=3, metrics=2, weeks=3, networks=2, responsibilities=6, roles=3
)
LARGE = DistrictSize(
    schools=30, metrics=6, weeks=30, networks=4, responsibilities=60, roles=6
)


def operations(district, user_client, api_client) -> dict:
    """Each operation of the benchmark as a callable returning its response."""
    slug = district.slug
    metric = Metric.objects.filter(district=district).order_by("sort_order").first()
    network = district.networks.order_by("pk").first()
    cell = Ownership.objects.filter(district=district).order_by("pk").first()
    row = cell.responsibility
    cell_url = f"/districts/{slug}/matrix/rows/{row.pk}/cells/{cell.role_id}/"
    rows = [
        {
            "metric": code,
            "school_id": school,
            "period_end": str(period),
            "value": 50,
            "n": 100,
        }
        for code, school, period in Measurement.objects.filter(district=district)
        .order_by("-period_end", "metric__sort_order", "school__school_id")
        .values_list("metric__code", "school__school_id", "period_end")[:100]
    ]

    def cell_save():
        row.refresh_from_db()
        level = {"level": "I", f"level-{cell.role_id}": "I", "version": row.version}
        return user_client.post(cell_url, level, headers={"hx-request": "true"})

    return {
        "dashboard": lambda: user_client.get(f"/districts/{slug}/dashboard/"),
        "dashboard overview sorted by a metric": lambda: user_client.get(
            f"/districts/{slug}/dashboard/?sort={metric.pk}"
        ),
        "metric page": lambda: user_client.get(
            f"/districts/{slug}/metrics/{metric.pk}/"
        ),
        "network scorecard": lambda: user_client.get(
            f"/districts/{slug}/networks/{network.pk}/"
        ),
        "network trends": lambda: user_client.get(
            f"/districts/{slug}/networks/{network.pk}/trends/",
            headers={"hx-request": "true"},
        ),
        "matrix page": lambda: user_client.get(f"/districts/{slug}/matrix/"),
        "matrix cell save": cell_save,
        "API measurement list": lambda: api_client.get(
            f"/api/v1/measurements/?district={slug}&metric={metric.pk}&limit=100"
        ),
        "API dashboard": lambda: api_client.get(
            f"/api/v1/districts/{slug}/dashboard/?as_of=2024-06-30"
        ),
        "API bulk upsert": lambda: api_client.post(
            "/api/v1/measurements/bulk/",
            json.dumps({"district": slug, "rows": rows}),
            content_type="application/json",
        ),
    }


def query_counts(district, user_client, api_client) -> dict[str, int]:
    counts = {}
    for name, operation in operations(district, user_client, api_client).items():
        with CaptureQueriesContext(connection) as queries:
            response = operation()
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries.captured_queries)
    return counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_ten_times_the_data(
    client_for, api_client_for, editor
):
    small = generate_district(
        slug="small", size=SMALL, last_period=LAST_FRIDAY
    ).district
    large = generate_district(
        slug="large", size=LARGE, last_period=LAST_FRIDAY
    ).district
    for district in (small, large):
        MembershipFactory(
            district=district, user=editor, access_level=AccessLevel.EDITOR
        )
    user_client, api_client = client_for(editor), api_client_for(editor)
    assert query_counts(large, user_client, api_client) == query_counts(
        small, user_client, api_client
    )

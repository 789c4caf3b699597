"""Deleting a school, metric, network or district removes its values in batches.

Every path (a page or the API deleting one row, the admin's delete and "delete
selected", a district's cascade) removes the values through `goals/deletion.py`: their
history is written per batch, not per value, so the number of queries does not grow
with the number of values, and each value still gets its "-" history record naming who
deleted it. The stored rollups end equal to a full recomputation.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district.models import District, School
from goals import deletion
from goals.models import Measurement, Metric, Scope
from goals.rollups import refresh_rollups
from tests.admin_pages import url
from tests.factories import (
    DistrictFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
)
from tests.rollup_checks import assert_rollups_fresh

pytestmark = pytest.mark.django_db


def school_with_values(district, weeks: int, metrics: int = 2) -> School:
    network = NetworkFactory(district=district)
    school = SchoolFactory(district=district, network=network)
    SchoolFactory(district=district, network=network)  # a school that stays
    start = datetime.date(2026, 1, 2)
    rows = [
        Measurement(
            district=district,
            metric=metric,
            school=school,
            scope=Scope.SCHOOL,
            period_end=start + datetime.timedelta(weeks=week),
            value=Decimal("90") + week % 5,
        )
        for metric in MetricFactory.create_batch(metrics, district=district)
        for week in range(weeks)
    ]
    Measurement.objects.bulk_create(rows)
    refresh_rollups(district)
    return school


def queries_to_delete(client, school) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url(School, "delete", school.pk), {"post": "yes"})
    assert response.status_code == 302
    return len(queries.captured_queries)


def test_the_queries_to_delete_a_school_do_not_grow_with_its_values(
    client_for, superuser, monkeypatch
):
    monkeypatch.setattr(deletion, "BATCH", 1_000)
    admin = client_for(superuser)
    warm_up = school_with_values(DistrictFactory(), weeks=1)
    small = school_with_values(DistrictFactory(), weeks=10)
    large = school_with_values(DistrictFactory(), weeks=400)  # 800 values
    queries_to_delete(admin, warm_up)  # the session's first request reads more

    assert queries_to_delete(admin, small) == queries_to_delete(admin, large)
    assert not Measurement.objects.filter(school_id__in=[small.pk, large.pk]).exists()


def test_the_confirmation_counts_the_values_instead_of_listing_them(
    client_for, superuser
):
    school = school_with_values(DistrictFactory(), weeks=300)  # 600 values
    with CaptureQueriesContext(connection) as queries:
        response = client_for(superuser).get(url(School, "delete", school.pk))
    assert response.status_code == 200
    assert "600 measurements, with a history record of each" in response.text
    assert len(queries.captured_queries) < 40


def test_each_deleted_value_has_a_history_record_naming_who_deleted_it(
    client_for, superuser, monkeypatch
):
    monkeypatch.setattr(deletion, "BATCH", 7)  # several batches
    school = school_with_values(DistrictFactory(), weeks=10)
    client_for(superuser).post(url(School, "delete", school.pk), {"post": "yes"})

    deleted = Measurement.history.filter(school_id=school.pk, history_type="-")
    assert deleted.count() == 20
    assert set(deleted.values_list("history_user__username", flat=True)) == {"root"}
    # The record keeps the value as it was.
    assert set(deleted.values_list("value", flat=True)) == {
        Decimal(v) for v in ("90", "91", "92", "93", "94")
    }
    assert_rollups_fresh(school.district)


def test_the_api_delete_of_a_metric_removes_its_values_and_rollups(
    api_client_for, superuser
):
    school = school_with_values(DistrictFactory(), weeks=6)
    metric = Metric.objects.filter(district=school.district).first()
    response = api_client_for(superuser).delete(f"/api/v1/metrics/{metric.pk}/")
    assert response.status_code == 204
    assert not Measurement.objects.filter(metric_id=metric.pk).exists()
    assert (
        Measurement.history.filter(metric_id=metric.pk, history_type="-").count() == 6
    )
    assert Measurement.objects.filter(district=school.district).count() == 6
    assert_rollups_fresh(school.district)


def test_delete_selected_and_a_district_delete_remove_every_value(
    client_for, superuser
):
    first = school_with_values(DistrictFactory(), weeks=3)
    second = SchoolFactory(district=first.district, network=first.network)
    Measurement.objects.create(
        district=first.district,
        metric=Metric.objects.filter(district=first.district).first(),
        school=second,
        scope=Scope.SCHOOL,
        period_end=datetime.date(2026, 1, 2),
        value=Decimal("80"),
    )
    response = client_for(superuser).post(
        url(School, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [first.pk, second.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Measurement.objects.filter(school__in=[first.pk, second.pk]).exists()
    assert_rollups_fresh(first.district)

    other = school_with_values(DistrictFactory(), weeks=3)
    District.objects.filter(pk=other.district_id).delete()
    assert not Measurement.objects.filter(district_id=other.district_id).exists()
    assert (
        Measurement.history.filter(
            district_id=other.district_id, history_type="-"
        ).count()
        == 6
    )

"""Stored rollups stay equal to a fresh computation after every kind of change.

Each test changes a small district through one write path (model saves and deletes as
pages and the admin make them, the API, imports, backup restore, the command) and
checks the stored table against a full recomputation (`tests.rollup_checks`).
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from district.import_rows import read_csv
from district.importers import import_schools
from district.models import School
from goals import rollup_sync
from goals.backup import export_district, import_district, read_backup
from goals.importers import upsert_measurements
from goals.models import Aggregation, Measurement, Metric, Rollup, Scope
from goals.rollups import district_series, network_series
from tests.admin_pages import form_data, url
from tests.factories import (
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
)
from tests.rollup_checks import assert_rollups_fresh

pytestmark = pytest.mark.django_db

JUNE_2016 = datetime.date(2016, 6, 30)
JUNE_2017 = datetime.date(2017, 6, 30)


@pytest.fixture
def world(district):
    north = NetworkFactory(district=district, name="North")
    south = NetworkFactory(district=district, name="South")
    schools = [
        SchoolFactory(district=district, network=north, enrollment=400, school_id="1"),
        SchoolFactory(district=district, network=north, enrollment=600, school_id="2"),
        SchoolFactory(district=district, network=south, enrollment=1000, school_id="3"),
        SchoolFactory(district=district, network=None, enrollment=100, school_id="4"),
    ]
    mean = MetricFactory(district=district, aggregation=Aggregation.MEAN, code="mean")
    weighted = MetricFactory(
        district=district, aggregation=Aggregation.WEIGHTED_ENROLLMENT, code="weighted"
    )
    for metric in (mean, weighted):
        for period in (JUNE_2016, JUNE_2017):
            for i, school in enumerate(schools):
                MeasurementFactory(
                    district=district,
                    metric=metric,
                    school=school,
                    period_end=period,
                    value=Decimal(60 + 10 * i + period.year % 10),
                    n=8 + 4 * i,  # the first school's n is below 10: suppressed
                )
    return {
        "north": north,
        "south": south,
        "schools": schools,
        "metrics": [mean, weighted],
    }


def district_value(district, metric, period=JUNE_2017) -> Decimal:
    series = district_series(district=district, metric_ids=[metric.pk])[metric.pk]
    return next(item.value for item in series if item.period_end == period)


def test_values_saved_one_by_one_are_rolled_up(district, world):
    stored = assert_rollups_fresh(district)
    # 2 metrics x 2 periods x (district + 2 networks)
    assert len(stored) == 12
    mean = world["metrics"][0]
    # Schools 2, 3, 4 (school 1 suppressed): 77, 87, 97 in 2017.
    assert district_value(district, mean) == Decimal("87.0000")


def test_a_changed_moved_or_deleted_value_refreshes_its_periods(district, world):
    mean = world["metrics"][0]
    value = Measurement.objects.get(
        metric=mean, school=world["schools"][1], period_end=JUNE_2017
    )
    value.value = Decimal("50")
    value.save()
    assert_rollups_fresh(district)
    assert district_value(district, mean) == Decimal("78.0000")
    value.period_end = datetime.date(2018, 6, 30)
    value.save()
    assert_rollups_fresh(district)
    value.delete()
    assert_rollups_fresh(district)
    Measurement.objects.filter(metric=mean, period_end=JUNE_2016).delete()
    assert_rollups_fresh(district)
    assert not Rollup.objects.filter(metric=mean, period_end=JUNE_2016).exists()


def test_entered_network_and_district_values_leave_the_stored_rollups_alone(
    district, world
):
    mean = world["metrics"][0]
    before = assert_rollups_fresh(district)
    MeasurementFactory(
        district=district,
        metric=mean,
        scope=Scope.DISTRICT,
        school=None,
        period_end=JUNE_2017,
        value=Decimal("12"),
    )
    assert assert_rollups_fresh(district) == before
    assert district_value(district, mean) == Decimal("12.0000")


def test_upserted_values_refresh_their_periods(district, world, editor):
    mean = world["metrics"][0]
    result = upsert_measurements(
        district=district,
        rows=[
            {
                "metric": "mean",
                "school_id": "2",
                "period_end": "2017-06-30",
                "value": 1,
            },
            {
                "metric": "mean",
                "school_id": "3",
                "period_end": "2018-06-30",
                "value": 2,
            },
            {
                "metric": "weighted",
                "network": "North",
                "school_year": "2016-17",
                "value": 3,
            },
        ],  # fmt: skip
        acting_user=editor,
    )
    assert (result.created, result.updated) == (2, 1)
    assert_rollups_fresh(district)
    assert district_value(district, mean) == Decimal("61.6667")  # (1 + 87 + 97) / 3


def test_a_dry_run_or_a_refused_import_changes_no_rollup(district, world, editor):
    before = assert_rollups_fresh(district)
    rows = [
        {"metric": "mean", "school_id": "2", "period_end": "2017-06-30", "value": 1}
    ]
    upsert_measurements(district=district, rows=rows, acting_user=editor, dry_run=True)
    upsert_measurements(
        district=district, rows=[*rows, {"metric": "nope"}], acting_user=editor
    )
    assert assert_rollups_fresh(district) == before


def test_api_writes_refresh_the_rollups(district, world, editor, api_client_for):
    client = api_client_for(editor)
    mean = world["metrics"][0]
    school = world["schools"][2]
    response = client.post(
        "/api/v1/measurements/",
        {"district": district.slug, "metric": mean.pk, "period_end": "2019-06-30",
         "scope": "school", "school": school.pk, "value": "40", "n": 30},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert_rollups_fresh(district)
    pk = response.json()["id"]
    response = client.patch(
        f"/api/v1/measurements/{pk}/", {"value": "44"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert_rollups_fresh(district)
    assert district_value(district, mean, datetime.date(2019, 6, 30)) == Decimal("44")
    assert client.delete(f"/api/v1/measurements/{pk}/").status_code == 204
    assert_rollups_fresh(district)
    response = client.post(
        "/api/v1/measurements/bulk/",
        {"district": district.slug,
         "rows": [{"metric": "mean", "school_id": "3", "period_end": "2017-06-30",
                   "value": 5, "n": 50}]},
        format="json",
    )  # fmt: skip
    assert response.json()["updated"] == 1
    assert_rollups_fresh(district)


def test_admin_edits_refresh_the_rollups(district, world, client_for, superuser):
    client = client_for(superuser)
    value = Measurement.objects.filter(metric=world["metrics"][1]).first()
    page = client.get(url(Measurement, "change", value.pk))
    data = form_data(page) | {"value": "3.5"}
    assert client.post(url(Measurement, "change", value.pk), data).status_code == 302
    assert_rollups_fresh(district)
    client.post(url(Measurement, "delete", value.pk), {"post": "yes"})
    assert not Measurement.objects.filter(pk=value.pk).exists()
    assert_rollups_fresh(district)


def spy_on_refreshes(monkeypatch) -> list[dict]:
    """The keyword arguments of every rollup refresh a change starts, as it starts it."""
    calls = []
    refresh = rollup_sync.refresh_rollups
    monkeypatch.setattr(
        rollup_sync,
        "refresh_rollups",
        lambda *args, **kwargs: calls.append(kwargs) or refresh(*args, **kwargs),
    )
    return calls


def test_deleting_selected_values_in_the_admin_refreshes_once(
    district, world, client_for, superuser, monkeypatch
):
    calls = spy_on_refreshes(monkeypatch)
    selected = list(
        Measurement.objects.filter(metric=world["metrics"][0]).values_list(
            "pk", flat=True
        )
    )
    response = client_for(superuser).post(
        url(Measurement, "changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )
    assert response.status_code == 302
    assert not Measurement.objects.filter(pk__in=selected).exists()
    assert_rollups_fresh(district)
    assert not Rollup.objects.filter(metric=world["metrics"][0]).exists()
    # Eight values of two periods: one refresh of both periods, not one per value.
    assert len(selected) == 8
    assert [sorted(call["pairs"]) for call in calls] == [
        [(world["metrics"][0].pk, JUNE_2016), (world["metrics"][0].pk, JUNE_2017)]
    ]


def test_a_school_changing_network_or_enrollment_refreshes_the_rollups(district, world):
    school = world["schools"][1]
    school.network = world["south"]
    school.save()
    assert_rollups_fresh(district)
    school.network = None
    school.save()
    assert_rollups_fresh(district)
    school.enrollment = 5000
    school.save()
    assert_rollups_fresh(district)


def test_api_and_import_changes_of_schools_refresh_the_rollups(
    district, world, editor, api_client_for
):
    school = world["schools"][0]
    response = api_client_for(editor).patch(
        f"/api/v1/schools/{school.pk}/",
        {"network": world["south"].pk, "enrollment": 10},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert_rollups_fresh(district)
    csv = (
        "school_id,long_name,network,enrollment\n2,Second,South,900\n4,Fourth,North,\n"
    )
    result = import_schools(
        district=district,
        rows=read_csv(csv.encode(), required_columns=("school_id", "long_name")),
        acting_user=editor,
    )
    assert result.updated == 2
    assert_rollups_fresh(district)


def test_deleting_a_school_or_a_network_refreshes_the_rollups(
    district, world, monkeypatch
):
    calls = spy_on_refreshes(monkeypatch)
    world["schools"][1].delete()
    assert_rollups_fresh(district)
    # Only the school's network and the district: the other networks keep their rows.
    assert calls == [{"network_ids": {world["north"].pk}, "with_district": True}]
    calls.clear()
    School.objects.filter(
        pk__in=[world["schools"][2].pk, world["schools"][3].pk]
    ).delete()
    assert_rollups_fresh(district)
    # Two schools, one refresh: the south network's rows (the other had no network).
    assert calls == [{"network_ids": {world["south"].pk, None}, "with_district": True}]
    world["north"].delete()
    assert_rollups_fresh(district)


def test_a_metrics_rule_or_the_districts_minimum_n_refreshes_the_rollups(
    district, world, editor, api_client_for
):
    mean, weighted = world["metrics"]
    mean.aggregation = Aggregation.MAX
    mean.save()
    assert_rollups_fresh(district)
    assert district_value(district, mean) == Decimal("97.0000")
    weighted.min_n = 1  # no school suppressed any more
    weighted.save()
    assert_rollups_fresh(district)
    response = api_client_for(editor).patch(
        f"/api/v1/metrics/{mean.pk}/", {"aggregation": "min"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert_rollups_fresh(district)
    assert district_value(district, mean) == Decimal("77.0000")
    district.suppression_min_n = 5
    district.save()
    assert_rollups_fresh(district)
    assert district_value(district, mean) == Decimal("67.0000")


def test_a_restored_district_has_its_rollups(district, world):
    before = {
        key: [(v.period_end, v.value, v.schools_reporting) for v in values]
        for key, values in network_series(
            district=district, metric_ids=[m.pk for m in world["metrics"]]
        ).items()
    }
    stream = io.StringIO()
    export_district(district=district, stream=stream)
    backup = read_backup(io.StringIO(stream.getvalue()))
    exported = read_backup(io.StringIO(stream.getvalue())).records()
    assert "goals.rollup" not in {record["model"] for record in exported}
    slug = district.slug
    district.delete()
    assert not Rollup.objects.exists()
    restored = import_district(backup=backup).district
    assert restored.slug == slug
    assert_rollups_fresh(restored)
    after = {
        key: [(v.period_end, v.value, v.schools_reporting) for v in values]
        for key, values in network_series(
            district=restored, metric_ids=Metric.objects.values_list("pk", flat=True)
        ).items()
    }
    assert after == before


def test_the_command_repairs_rollups_after_changes_outside_lanes(district, world):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Measurement._meta.db_table} SET value = value + 1 "
            "WHERE district_id = %s",
            [district.pk],
        )
    with pytest.raises(AssertionError):
        assert_rollups_fresh(district)
    out = io.StringIO()
    call_command("refresh_rollups", "--district", district.slug, stdout=out)
    assert f"{district.slug}: 12 rollups" in out.getvalue()
    assert_rollups_fresh(district)


def test_a_school_import_refreshes_once_for_all_its_schools(
    district, world, editor, monkeypatch
):
    calls = spy_on_refreshes(monkeypatch)
    csv = (
        "school_id,long_name,network,enrollment\n"
        "1,First,South,401\n2,Second,South,601\n3,Third,North,1001\n"
    )
    result = import_schools(
        district=district,
        rows=read_csv(csv.encode(), required_columns=("school_id", "long_name")),
        acting_user=editor,
    )
    assert result.updated == 3
    assert_rollups_fresh(district)
    # Three schools moved and reweighed: the weighted metric once, both networks once.
    assert calls == [
        {"metric_ids": {world["metrics"][1].pk}},
        {
            "network_ids": {world["north"].pk, world["south"].pk},
            "with_district": False,
        },
    ]

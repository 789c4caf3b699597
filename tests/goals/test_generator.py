"""The synthetic district generator: sizes, validity, matrix faults, determinism."""

import datetime
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from district.models import District, Network, School
from goals.generator import DistrictSize, generate_district
from goals.models import Goal, Measurement, Metric, MetricOwner, Scope, Target
from roles.models import Ownership, RaciLevel, Responsibility, Role, WorkArea
from tests.factories import MeasurementFactory
from tests.rollup_checks import assert_rollups_fresh

SMALL = DistrictSize(
    schools=6, metrics=4, weeks=5, networks=2, responsibilities=30, roles=5
)
LAST_FRIDAY = datetime.date(2024, 6, 7)


def build(slug="synthetic", size=SMALL, **kwargs):
    return generate_district(slug=slug, size=size, last_period=LAST_FRIDAY, **kwargs)


@pytest.mark.django_db
def test_generates_the_requested_numbers_of_rows():
    result = build()
    district = result.district
    assert Network.objects.filter(district=district).count() == 2
    assert School.objects.filter(district=district).count() == 6
    assert Role.objects.filter(district=district).count() == 5
    assert Responsibility.objects.filter(district=district).count() == 30
    assert Metric.objects.filter(district=district).count() == 4
    assert Measurement.objects.filter(district=district).count() == 6 * 4 * 5
    assert result.counts["measurements"] == 6 * 4 * 5
    assert (
        result.counts["ownerships"]
        == Ownership.objects.filter(district=district).count()
    )


@pytest.mark.django_db
def test_the_generated_district_has_its_rollups_stored():
    result = build()
    stored = assert_rollups_fresh(result.district)
    # Every metric and week has a district value and one per network (some school
    # of each network reports every week: only a few schools are tiny).
    assert {(metric, network) for metric, network, *_rest in stored} >= {
        (metric.pk, None) for metric in Metric.objects.filter(district=result.district)
    }
    assert result.counts["rollups"] == len(stored)


@pytest.mark.django_db
def test_every_school_has_one_value_per_metric_and_week():
    district = build().district
    rows = Measurement.objects.filter(district=district)
    assert set(rows.values_list("scope", flat=True)) == {Scope.SCHOOL}
    keys = set(rows.values_list("metric_id", "school_id", "period_end"))
    assert len(keys) == 6 * 4 * 5
    periods = sorted({period for _m, _s, period in keys})
    assert periods[-1] == LAST_FRIDAY
    assert all(p.weekday() == 4 for p in periods)
    assert all(
        (b - a) == datetime.timedelta(weeks=1)
        for a, b in zip(periods, periods[1:], strict=False)
    )


@pytest.mark.django_db
def test_generated_rows_pass_model_validation():
    district = build().district
    for model in (
        Network,
        School,
        Role,
        WorkArea,
        Responsibility,
        Ownership,
        Goal,
        Metric,
        MetricOwner,
        Target,
        Measurement,
    ):
        rows = model.objects.filter(district=district)
        assert rows.exists(), model
        for row in rows:
            row.full_clean()


@pytest.mark.django_db
def test_interim_targets_lie_between_baseline_and_target():
    district = build().district
    for metric in Metric.objects.filter(district=district):
        targets = list(metric.targets.all())
        assert targets
        assert all(metric.baseline_on < t.due_on < metric.target_on for t in targets)


@pytest.mark.django_db
def test_generated_matrix_has_distinct_joint_gap_and_conflict_rows():
    district = build(
        size=DistrictSize(6, 4, 5, 2, responsibilities=120, roles=8)
    ).district
    accountable = defaultdict(int)
    for ownership in Ownership.objects.filter(
        district=district, level=RaciLevel.ACCOUNTABLE
    ):
        accountable[ownership.responsibility_id] += 1
    kinds = set()
    for row in Responsibility.objects.filter(district=district):
        count = accountable[row.pk]
        if count == 0:
            kinds.add("gap")
        elif count == 1 and not row.is_joint:
            kinds.add("distinct")
        elif row.is_joint:
            kinds.add("joint")
        else:
            kinds.add("conflict")
    assert kinds == {"distinct", "joint", "gap", "conflict"}


@pytest.mark.django_db
def test_generation_writes_no_history_rows():
    build()
    assert Measurement.history.count() == 0
    assert Ownership.history.count() == 0
    assert Metric.history.count() == 0


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_values():
    first = build(slug="one", seed=7).district
    second = build(slug="two", seed=7).district
    third = build(slug="three", seed=8).district

    def values(district):
        return list(
            Measurement.objects.filter(district=district)
            .order_by("metric__sort_order", "school__school_id", "period_end")
            .values_list("value", flat=True)
        )

    assert values(first) == values(second)
    assert values(first) != values(third)


@pytest.mark.django_db
def test_replace_rebuilds_the_district_with_the_same_counts():
    first = build(seed=3)
    second = build(seed=3, replace=True)
    assert second.counts == first.counts
    assert District.objects.filter(slug="synthetic").count() == 1
    assert Measurement.objects.count() == SMALL.measurements
    assert not District.objects.filter(pk=first.district.pk).exists()


@pytest.mark.django_db
def test_replace_leaves_other_districts_alone():
    other = MeasurementFactory().district
    build()
    build(replace=True)
    assert Measurement.objects.filter(district=other).count() == 1


@pytest.mark.django_db
def test_an_existing_slug_is_refused_without_replace():
    build()
    with pytest.raises(ValueError, match="replace"):
        build()
    assert Measurement.objects.count() == SMALL.measurements


@pytest.mark.django_db
def test_command_builds_and_reports_counts(capsys):
    args = ["--schools=3", "--metrics=2", "--weeks=4", "--networks=2"]
    args += ["--responsibilities=12", "--roles=4", "--slug=cmd", "--seed=1"]
    call_command("generate_district", *args)
    assert Measurement.objects.filter(district__slug="cmd").count() == 24
    assert "24 measurements" in capsys.readouterr().out
    with pytest.raises(CommandError, match="replace"):
        call_command("generate_district", *args)
    call_command("generate_district", *args, "--replace")
    assert Measurement.objects.filter(district__slug="cmd").count() == 24


@pytest.mark.django_db
def test_command_refuses_a_size_below_one():
    with pytest.raises(CommandError, match="schools"):
        call_command("generate_district", "--schools=0", "--metrics=1", "--weeks=1")
    assert not District.objects.exists()

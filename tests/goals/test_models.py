"""Goals, metrics, owners, targets and measurements: rules, guards and school years."""

import datetime
from decimal import Decimal

import pytest

from goals.models import (
    Goal,
    GoalOwner,
    Measurement,
    Metric,
    MetricOwner,
    Scope,
    Target,
    Unit,
    school_year_end,
)

from ..constraints import assert_refused, clean_messages
from ..factories import (
    GoalFactory,
    GoalOwnerFactory,
    MeasurementFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    SchoolFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2016, 6, 30)


@pytest.mark.parametrize(
    "ends_on", [datetime.date(2014, 7, 1), datetime.date(2014, 6, 30)]
)
def test_a_goal_ends_after_it_starts(district, ends_on):
    goal = Goal(
        district=district,
        statement="Backwards",
        starts_on=datetime.date(2014, 7, 1),
        ends_on=ends_on,
    )
    assert_refused(goal, "starts_before_it_ends")


def test_a_goal_cannot_be_its_own_parent(district):
    goal = GoalFactory(district=district)
    goal.parent_id = goal.pk
    assert_refused(goal, "not_own_parent")


def test_a_role_owns_a_goal_once(district):
    owner = GoalOwnerFactory(district=district)
    duplicate = GoalOwner(district=district, goal=owner.goal, role=owner.role)
    assert_refused(duplicate, "once_per_goal")


def _metric(district, **fields) -> Metric:
    return MetricFactory.build(
        district=district, goal=GoalFactory(district=district), **fields
    )


def test_metric_codes_are_unique_per_district(district, other_district):
    MetricFactory(district=district, code="attendance")
    assert_refused(_metric(district, code="attendance"), "unique_code")
    _metric(other_district, code="attendance").full_clean()


@pytest.mark.parametrize(
    "target_on", [datetime.date(2015, 6, 30), datetime.date(2014, 6, 30)]
)
def test_a_metric_target_date_comes_after_its_baseline(district, target_on):
    metric = _metric(
        district, baseline_on=datetime.date(2015, 6, 30), target_on=target_on
    )
    assert_refused(metric, "target_after_baseline")


def test_a_metric_shows_at_most_six_decimals(district):
    assert_refused(_metric(district, decimals=7), "decimals_at_most_six")


def test_a_metric_tolerance_is_not_negative(district):
    assert_refused(
        _metric(district, tolerance=Decimal("-0.5")), "tolerance_not_negative"
    )


@pytest.mark.parametrize("field", ["unit", "direction", "aggregation", "frequency"])
def test_a_metric_choice_must_be_a_known_one(district, field):
    metric = _metric(district, **{field: "bogus"})
    assert_refused(metric, "choices_valid", by_full_clean=False)


@pytest.mark.parametrize("field", ["baseline_value", "target_value"])
def test_a_percent_metric_refuses_a_baseline_or_target_above_100(district, field):
    metric = _metric(district, unit=Unit.PERCENT, **{field: Decimal("101")})
    assert "A percent lies between 0 and 100." in clean_messages(metric)


def test_a_role_owns_a_metric_once(district):
    owner = MetricOwnerFactory(district=district)
    duplicate = MetricOwner(district=district, metric=owner.metric, role=owner.role)
    assert_refused(duplicate, "once_per_metric")


def test_a_metric_has_one_target_per_date(district):
    target = TargetFactory(district=district)
    duplicate = Target(
        district=district, metric=target.metric, due_on=target.due_on, value=88
    )
    assert_refused(duplicate, "one_per_date")


@pytest.mark.parametrize(
    "due_on", [datetime.date(2015, 6, 30), datetime.date(2019, 6, 30)]
)
def test_an_interim_target_falls_strictly_between_baseline_and_target(district, due_on):
    target = TargetFactory.build(
        district=district, metric=MetricFactory(district=district), due_on=due_on
    )
    assert (
        "An interim target falls between the baseline and final target dates."
        in clean_messages(target)
    )


def test_a_percent_target_lies_between_0_and_100(district):
    target = TargetFactory.build(
        district=district,
        metric=MetricFactory(district=district),
        value=Decimal("-1"),
    )
    assert "A percent lies between 0 and 100." in clean_messages(target)


def _measurement(district, metric, **fields) -> Measurement:
    values = {
        "district": district,
        "metric": metric,
        "period_end": PERIOD,
        "value": Decimal("85"),
    }
    return Measurement(**(values | fields))


@pytest.mark.parametrize(
    ("scope", "with_school", "with_network"),
    [
        (Scope.SCHOOL, False, False),
        (Scope.SCHOOL, True, True),
        (Scope.SCHOOL, False, True),
        (Scope.NETWORK, False, False),
        (Scope.NETWORK, True, True),
        (Scope.NETWORK, True, False),
        (Scope.DISTRICT, True, False),
        (Scope.DISTRICT, False, True),
        (Scope.DISTRICT, True, True),
        ("state", False, False),
    ],
)
def test_a_measurement_describes_exactly_one_scope(
    district, scope, with_school, with_network
):
    school = SchoolFactory(district=district)
    measurement = _measurement(
        district,
        MetricFactory(district=district),
        scope=scope,
        school=school if with_school else None,
        network=school.network if with_network else None,
    )
    by_full_clean = scope in Scope.values
    assert_refused(measurement, "exactly_one_scope", by_full_clean=by_full_clean)


@pytest.mark.parametrize("scope", Scope.values)
def test_each_scope_accepts_its_own_shape(district, scope):
    school = SchoolFactory(district=district)
    measurement = _measurement(
        district,
        MetricFactory(district=district),
        scope=scope,
        school=school if scope == Scope.SCHOOL else None,
        network=school.network if scope == Scope.NETWORK else None,
    )
    measurement.full_clean()
    measurement.save()


def test_a_school_has_one_value_per_metric_and_period(district):
    first = MeasurementFactory(district=district, period_end=PERIOD)
    duplicate = _measurement(
        district, first.metric, scope=Scope.SCHOOL, school=first.school
    )
    assert_refused(duplicate, "one_per_school_period")
    _measurement(
        district,
        first.metric,
        scope=Scope.SCHOOL,
        school=first.school,
        period_end=datetime.date(2017, 6, 30),
    ).full_clean()


def test_a_network_has_one_value_per_metric_and_period(district):
    metric = MetricFactory(district=district)
    network = NetworkFactory(district=district)
    _measurement(district, metric, scope=Scope.NETWORK, network=network).save()
    duplicate = _measurement(district, metric, scope=Scope.NETWORK, network=network)
    assert_refused(duplicate, "one_per_network_period")


def test_the_district_has_one_value_per_metric_and_period(district):
    metric = MetricFactory(district=district)
    _measurement(district, metric, scope=Scope.DISTRICT).save()
    duplicate = _measurement(district, metric, scope=Scope.DISTRICT)
    assert_refused(duplicate, "one_per_district_period")


def test_school_network_and_district_values_of_one_period_coexist(district):
    school = SchoolFactory(district=district)
    metric = MetricFactory(district=district)
    for scope, where in [
        (Scope.SCHOOL, {"school": school}),
        (Scope.NETWORK, {"network": school.network}),
        (Scope.DISTRICT, {}),
    ]:
        measurement = _measurement(district, metric, scope=scope, **where)
        measurement.full_clean()
        measurement.save()
    assert metric.measurements.count() == 3


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        (Unit.PERCENT, Decimal("100.5"), "A percent lies between 0 and 100."),
        (Unit.COUNT, Decimal("-1"), "This value cannot be negative."),
        (Unit.DAYS, Decimal("-0.1"), "This value cannot be negative."),
    ],
)
def test_a_measurement_value_fits_its_metrics_unit(district, unit, value, message):
    measurement = MeasurementFactory.build(
        district=district,
        metric=MetricFactory(district=district, unit=unit),
        school=SchoolFactory(district=district),
        value=value,
    )
    assert message in clean_messages(measurement)


def test_a_score_may_be_negative(district):
    MeasurementFactory.build(
        district=district,
        metric=MetricFactory(
            district=district,
            unit=Unit.SCORE,
            baseline_value=Decimal("-3"),
            target_value=Decimal("2"),
        ),
        school=SchoolFactory(district=district),
        value=Decimal("-1.5"),
    ).full_clean()


@pytest.mark.parametrize(
    ("label", "end"),
    [
        ("2014-15", datetime.date(2015, 6, 30)),
        ("2014-2015", datetime.date(2015, 6, 30)),
        (" 1999-00 ", datetime.date(2000, 6, 30)),
    ],
)
def test_school_year_end_is_the_30th_of_june_of_its_second_year(label, end):
    assert school_year_end(label) == end


@pytest.mark.parametrize("label", ["2014", "2014-16", "14-15", "2014-2016", "2014-ab"])
def test_school_year_end_refuses_a_label_that_is_not_one_school_year(label):
    with pytest.raises(ValueError):
        school_year_end(label)

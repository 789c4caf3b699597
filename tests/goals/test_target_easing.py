"""Easing a target (less ambitious by the metric's direction, or later) needs a reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from goals.models import Direction, Metric, Target
from goals.targets import is_eased
from tests.factories import MetricFactory, TargetFactory

JUNE_2017 = datetime.date(2017, 6, 30)


@pytest.mark.parametrize(
    ("direction", "before", "after", "eased"),
    [
        (Direction.HIGHER_IS_BETTER, ("90", JUNE_2017), ("88", JUNE_2017), True),
        (Direction.HIGHER_IS_BETTER, ("90", JUNE_2017), ("92", JUNE_2017), False),
        (Direction.LOWER_IS_BETTER, ("10", JUNE_2017), ("12", JUNE_2017), True),
        (Direction.LOWER_IS_BETTER, ("10", JUNE_2017), ("8", JUNE_2017), False),
        (
            Direction.HIGHER_IS_BETTER,
            ("90", JUNE_2017),
            ("90", datetime.date(2018, 6, 30)),
            True,
        ),
        (
            Direction.HIGHER_IS_BETTER,
            ("90", JUNE_2017),
            ("95", datetime.date(2016, 6, 30)),
            False,
        ),
    ],
)
def test_easing_follows_the_metrics_direction_and_the_date(
    direction, before, after, eased
):
    assert (
        is_eased(
            direction=direction,
            before=(Decimal(before[0]), before[1]),
            after=(Decimal(after[0]), after[1]),
        )
        is eased
    )


@pytest.fixture
def target(district):
    metric = MetricFactory(district=district, direction=Direction.LOWER_IS_BETTER)
    return TargetFactory(
        district=district, metric=metric, due_on=JUNE_2017, value=Decimal("10")
    )


def test_an_eased_target_without_a_reason_is_refused(target):
    target.value = Decimal("12")
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert "change_reason" in refused.value.message_dict


def test_an_eased_target_with_a_reason_saves_and_keeps_it_in_history(target, editor):
    target.value = Decimal("12")
    target.change_reason = "Two new schools with high chronic absence joined."
    target._history_user = editor
    target.full_clean()
    target.save()
    record = target.history.first()
    assert record.change_reason == "Two new schools with high chronic absence joined."
    assert record.value == Decimal("12")


def test_the_next_easing_needs_a_reason_of_its_own(target):
    target.value, target.change_reason = Decimal("12"), "First reason."
    target.full_clean()
    target.save()
    target.value = Decimal("13")
    with pytest.raises(ValidationError):
        target.full_clean()


def test_a_more_ambitious_target_needs_no_reason(target):
    target.value = Decimal("8")
    target.full_clean()


def test_the_api_refuses_an_eased_target_without_a_reason(
    target, api_client_for, editor
):
    url = f"/api/v1/targets/{target.pk}/"
    refused = api_client_for(editor).patch(url, {"value": "12"}, format="json")
    assert refused.status_code == 400
    assert "change_reason" in refused.json()
    accepted = api_client_for(editor).patch(
        url, {"value": "12", "change_reason": "Boundary change."}, format="json"
    )
    assert accepted.status_code == 200
    assert Target.objects.get(pk=target.pk).change_reason == "Boundary change."


def test_a_later_final_target_on_the_metric_needs_a_reason(
    district, api_client_for, editor
):
    metric = MetricFactory(district=district)
    url = f"/api/v1/metrics/{metric.pk}/"
    refused = api_client_for(editor).patch(
        url, {"target_on": "2020-06-30"}, format="json"
    )
    assert refused.status_code == 400
    assert "target_change_reason" in refused.json()
    accepted = api_client_for(editor).patch(
        url,
        {"target_on": "2020-06-30", "target_change_reason": "The plan was extended."},
        format="json",
    )
    assert accepted.status_code == 200
    assert Metric.objects.get(pk=metric.pk).target_on == datetime.date(2020, 6, 30)

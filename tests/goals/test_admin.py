"""The goals admin: metrics under goals, targets under metrics, the measurements list."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.admin import SchoolYearFilter
from goals.models import Goal, Measurement, Metric, Scope, Target

from ..admin_pages import add_inline_row, errors, form_data, staff, url
from ..factories import GoalFactory, MeasurementFactory, MetricFactory, SchoolFactory

pytestmark = pytest.mark.django_db

NEW_METRIC = {
    "name": "Attendance",
    "unit": "percent",
    "direction": "higher",
    "baseline_value": "90",
    "baseline_on": "2015-06-30",
    "target_value": "95",
    "target_on": "2019-06-30",
}


def test_a_metric_added_under_a_goal_takes_its_district(client_for, editor, district):
    goal = GoalFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(Goal, "change", goal.pk))
    data = form_data(page)
    add_inline_row(data, page, Metric, code="attendance", **NEW_METRIC)
    response = client.post(url(Goal, "change", goal.pk), data)
    assert response.status_code == 302, errors(response)
    metric = Metric.objects.get(code="attendance")
    assert (metric.district, metric.goal) == (district, goal)


def test_a_metric_row_refuses_a_code_the_district_already_uses(
    client_for, editor, district
):
    MetricFactory(district=district, code="attendance")
    goal = GoalFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(Goal, "change", goal.pk))
    data = form_data(page)
    add_inline_row(data, page, Metric, code="attendance", **NEW_METRIC)
    response = client.post(url(Goal, "change", goal.pk), data)
    assert response.status_code == 200
    assert "A metric with this code already exists in the district." in errors(response)
    assert not goal.metrics.exists()


def test_two_new_metric_rows_cannot_share_a_code(client_for, editor, district):
    goal = GoalFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(Goal, "change", goal.pk))
    data = form_data(page)
    add_inline_row(data, page, Metric, code="attendance", **NEW_METRIC)
    add_inline_row(data, page, Metric, code="attendance", **NEW_METRIC)
    response = client.post(url(Goal, "change", goal.pk), data)
    assert response.status_code == 200
    assert "A metric with this code already exists in the district." in errors(response)
    assert not Metric.objects.exists()


def test_another_district_may_use_the_same_metric_code(
    client_for, editor, district, other_district
):
    MetricFactory(district=other_district, code="attendance")
    goal = GoalFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(Goal, "change", goal.pk))
    data = form_data(page)
    add_inline_row(data, page, Metric, code="attendance", **NEW_METRIC)
    response = client.post(url(Goal, "change", goal.pk), data)
    assert response.status_code == 302, errors(response)


def test_a_target_row_falls_between_the_metrics_baseline_and_target(
    client_for, editor, district
):
    metric = MetricFactory(district=district)
    client = client_for(staff(editor))
    page = client.get(url(Metric, "change", metric.pk))
    data = form_data(page)
    row = add_inline_row(
        data, page, Target, kind="interim", due_on="2020-06-30", value="88"
    )
    response = client.post(url(Metric, "change", metric.pk), data)
    assert response.status_code == 200
    assert (
        "An interim target falls between the baseline and final target dates."
        in errors(response)
    )
    data[f"{row}-due_on"] = "2017-06-30"
    response = client.post(url(Metric, "change", metric.pk), data)
    assert response.status_code == 302, errors(response)
    assert metric.targets.get().district == district


def test_a_measurement_entered_in_the_admin_records_who_entered_it(
    client_for, editor, district
):
    metric = MetricFactory(district=district)
    school = SchoolFactory(district=district)
    client = client_for(staff(editor))
    response = client.post(
        url(Measurement, "add"),
        {
            "district": district.pk,
            "metric": metric.pk,
            "period_end": "2016-06-30",
            "scope": Scope.SCHOOL,
            "school": school.pk,
            "value": "87.5",
        },
    )
    assert response.status_code == 302, errors(response)
    measurement = Measurement.objects.get()
    assert measurement.entered_by == editor
    assert measurement.value == Decimal("87.5")
    assert measurement.history.get().history_user == editor


def test_a_measurement_with_two_scopes_is_refused_with_its_rule(
    client_for, editor, district
):
    metric = MetricFactory(district=district)
    school = SchoolFactory(district=district)
    response = client_for(staff(editor)).post(
        url(Measurement, "add"),
        {
            "district": district.pk,
            "metric": metric.pk,
            "period_end": "2016-06-30",
            "scope": Scope.SCHOOL,
            "school": school.pk,
            "network": school.network.pk,
            "value": "87.5",
        },
    )
    assert response.status_code == 200
    assert (
        "A measurement describes exactly one school, one network or the whole district."
        in errors(response)
    )
    assert not Measurement.objects.exists()


def test_measurements_filter_by_school_year(client_for, editor, district):
    metric = MetricFactory(district=district)
    school = SchoolFactory(district=district)
    june_2016, june_2017 = (
        MeasurementFactory(
            district=district, metric=metric, school=school, period_end=day
        )
        for day in (datetime.date(2016, 6, 30), datetime.date(2017, 6, 30))
    )
    client = client_for(staff(editor))
    response = client.get(url(Measurement, "changelist"), {"school_year": "2017"})
    assert [row.pk for row in response.context["cl"].result_list] == [june_2017.pk]
    (years,) = [
        spec
        for spec in response.context["cl"].filter_specs
        if isinstance(spec, SchoolYearFilter)
    ]
    # From the metric's baseline (2014-15) to its target (2018-19), newest first.
    assert [label for _value, label in years.lookup_choices] == [
        "2018-19",
        "2017-18",
        "2016-17",
        "2015-16",
        "2014-15",
    ]
    assert june_2016.pk not in {row.pk for row in response.context["cl"].result_list}


def test_the_measurements_list_reads_the_table_only_for_its_page_and_one_count(
    client_for, editor, district
):
    for _ in range(3):
        MeasurementFactory(district=district, metric=MetricFactory(district=district))
    client = client_for(staff(editor))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(Measurement, "changelist"), {"school_year": "2016"})
    assert response.status_code == 200
    assert response.context["cl"].show_full_result_count is False
    table = re.compile(r'\bFROM "goals_measurement"')
    reads = [q["sql"] for q in queries if table.search(q["sql"])]
    assert len(reads) == 2, reads

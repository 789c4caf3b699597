"""API filters of the goals app (the HTML lists use the same FilterSets)."""

import django_filters

from district.api.filters import DistrictScopedFilterSet, visible
from district.models import Network, School, SchoolGroup
from goals.models import (
    ClosedPeriod,
    Commentary,
    Frequency,
    Goal,
    GoalOwner,
    Measurement,
    Metric,
    MetricOwner,
    ResponsibilityLink,
    Scope,
    Target,
)
from roles.models import Responsibility, Role


class GoalFilterSet(DistrictScopedFilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=visible(Goal))
    role = django_filters.ModelChoiceFilter(
        field_name="owners__role",
        queryset=visible(Role),
        method="filter_role",
        help_text="Goals this role owns.",
    )

    class Meta:
        model = Goal
        fields = ["district", "parent", "role"]

    def filter_role(self, queryset, name, value):
        # subquery, not join: a join over owners would repeat goals
        return queryset.filter(
            pk__in=GoalOwner.objects.filter(role=value).values("goal")
        )


class GoalOwnerFilterSet(DistrictScopedFilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=visible(Goal))
    role = django_filters.ModelChoiceFilter(queryset=visible(Role))

    class Meta:
        model = GoalOwner
        fields = ["district", "goal", "role"]


class MetricFilterSet(DistrictScopedFilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=visible(Goal))
    role = django_filters.ModelChoiceFilter(
        field_name="owners__role",
        queryset=visible(Role),
        method="filter_role",
        help_text="Metrics this role owns.",
    )
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices)

    class Meta:
        model = Metric
        fields = ["district", "goal", "role", "code", "frequency"]

    def filter_role(self, queryset, name, value):
        # subquery, not join: a join over owners would repeat metrics
        return queryset.filter(
            pk__in=MetricOwner.objects.filter(role=value).values("metric")
        )


class MetricOwnerFilterSet(DistrictScopedFilterSet):
    metric = django_filters.ModelChoiceFilter(queryset=visible(Metric))
    role = django_filters.ModelChoiceFilter(queryset=visible(Role))

    class Meta:
        model = MetricOwner
        fields = ["district", "metric", "role"]


class TargetFilterSet(DistrictScopedFilterSet):
    metric = django_filters.ModelChoiceFilter(queryset=visible(Metric))
    network = django_filters.ModelChoiceFilter(queryset=visible(Network))
    school_group = django_filters.ModelChoiceFilter(queryset=visible(SchoolGroup))
    due_on__gte = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_on__lte = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Target
        fields = ["district", "metric", "network", "school_group", "kind"]


class MeasurementFilterSet(DistrictScopedFilterSet):
    metric = django_filters.ModelChoiceFilter(queryset=visible(Metric))
    metric_code = django_filters.CharFilter(
        field_name="metric__code", help_text="The metric's code."
    )
    scope = django_filters.ChoiceFilter(choices=Scope.choices)
    school = django_filters.ModelChoiceFilter(queryset=visible(School))
    network = django_filters.ModelChoiceFilter(
        queryset=visible(Network), help_text="Values of this network itself."
    )
    schools_in_network = django_filters.ModelChoiceFilter(
        field_name="school__network",
        queryset=visible(Network),
        help_text="Values of the schools in this network.",
    )
    period_end__gte = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte"
    )
    period_end__lte = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte"
    )

    class Meta:
        model = Measurement
        fields = ["district", "metric", "scope", "school", "network", "period_end"]


class ResponsibilityLinkFilterSet(DistrictScopedFilterSet):
    responsibility = django_filters.ModelChoiceFilter(queryset=visible(Responsibility))
    goal = django_filters.ModelChoiceFilter(queryset=visible(Goal))
    metric = django_filters.ModelChoiceFilter(queryset=visible(Metric))

    class Meta:
        model = ResponsibilityLink
        fields = ["district", "responsibility", "goal", "metric"]


class CommentaryFilterSet(DistrictScopedFilterSet):
    metric = django_filters.ModelChoiceFilter(queryset=visible(Metric))
    network = django_filters.ModelChoiceFilter(queryset=visible(Network))
    period_end__gte = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte"
    )
    period_end__lte = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte"
    )

    class Meta:
        model = Commentary
        fields = ["district", "metric", "network", "period_end"]


class ClosedPeriodFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = ClosedPeriod
        fields = ["district"]

"""API filters of publishing."""

import django_filters

from district.api.filters import DistrictScopedFilterSet, visible
from goals.models import Goal, Metric
from publishing.models import (
    Packet,
    Publication,
    PublishedGoal,
    PublishedMetric,
    Schedule,
)


class PublicationFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = Publication
        fields = ["district", "is_published"]


class PublishedGoalFilterSet(DistrictScopedFilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=visible(Goal))

    class Meta:
        model = PublishedGoal
        fields = ["district", "goal"]


class PublishedMetricFilterSet(DistrictScopedFilterSet):
    metric = django_filters.ModelChoiceFilter(queryset=visible(Metric))

    class Meta:
        model = PublishedMetric
        fields = ["district", "metric"]


class ScheduleFilterSet(DistrictScopedFilterSet):
    goal = django_filters.ModelChoiceFilter(queryset=visible(Goal))

    class Meta:
        model = Schedule
        fields = ["district", "goal"]


class PacketFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = Packet
        fields = ["district", "school_year"]

"""API filters of the tiers app."""

import django_filters

from district.api.filters import DistrictScopedFilterSet, visible
from district.models import Network, School, SchoolGroup
from tiers.models import (
    Allocation,
    Support,
    Tier,
    TierAssignment,
    TierPlan,
    TierRule,
)


class TierFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = Tier
        fields = ["district", "level"]


class TierPlanFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = TierPlan
        fields = ["district", "school_year"]


class TierRuleFilterSet(DistrictScopedFilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=visible(TierPlan))

    class Meta:
        model = TierRule
        fields = ["district", "plan"]


class TierAssignmentFilterSet(DistrictScopedFilterSet):
    school = django_filters.ModelChoiceFilter(queryset=visible(School))
    tier = django_filters.ModelChoiceFilter(queryset=visible(Tier))
    network = django_filters.ModelChoiceFilter(
        field_name="school__network", queryset=visible(Network)
    )

    class Meta:
        model = TierAssignment
        fields = ["district", "school", "school_year", "tier", "source", "is_current"]


class SupportFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = Support
        fields = ["district", "kind", "unit"]


class AllocationFilterSet(DistrictScopedFilterSet):
    support = django_filters.ModelChoiceFilter(queryset=visible(Support))
    school = django_filters.ModelChoiceFilter(queryset=visible(School))
    school_group = django_filters.ModelChoiceFilter(queryset=visible(SchoolGroup))

    class Meta:
        model = Allocation
        fields = ["district", "support", "school", "school_group"]

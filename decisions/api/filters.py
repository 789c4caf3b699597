"""API filters of two-key decisions."""

import django_filters

from district.api.filters import DistrictScopedFilterSet, visible
from roles.models import Responsibility, Role

from ..models import (
    ChecklistItem,
    Decision,
    DecisionKind,
    DecisionPolicy,
    DecisionState,
    Review,
    Transition,
)


class DecisionPolicyFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = DecisionPolicy
        fields = ["district"]


class DecisionKindFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = DecisionKind
        fields = ["district", "is_tool"]


class ChecklistItemFilterSet(DistrictScopedFilterSet):
    kind = django_filters.ModelChoiceFilter(queryset=visible(DecisionKind))
    role = django_filters.ModelChoiceFilter(queryset=visible(Role))

    class Meta:
        model = ChecklistItem
        fields = ["district", "kind", "role"]


class DecisionFilterSet(DistrictScopedFilterSet):
    kind = django_filters.ModelChoiceFilter(queryset=visible(DecisionKind))
    responsibility = django_filters.ModelChoiceFilter(queryset=visible(Responsibility))
    state = django_filters.MultipleChoiceFilter(choices=DecisionState.choices)

    class Meta:
        model = Decision
        fields = ["district", "kind", "responsibility", "state"]


class ReviewFilterSet(DistrictScopedFilterSet):
    decision = django_filters.ModelChoiceFilter(queryset=visible(Decision))
    role = django_filters.ModelChoiceFilter(queryset=visible(Role))
    is_pending = django_filters.BooleanFilter(
        field_name="verdict",
        lookup_expr="exact",
        method="filter_pending",
        help_text="true: reviews without a verdict yet.",
    )

    class Meta:
        model = Review
        fields = ["district", "decision", "role", "round"]

    def filter_pending(self, queryset, name, value):
        return queryset.filter(verdict="") if value else queryset.exclude(verdict="")


class TransitionFilterSet(DistrictScopedFilterSet):
    decision = django_filters.ModelChoiceFilter(queryset=visible(Decision))

    class Meta:
        model = Transition
        fields = ["district", "decision", "to_state"]

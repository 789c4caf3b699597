"""API filters of the routines app."""

import django_filters

from district.api.filters import DistrictScopedFilterSet, visible
from district.models import Network, Person, School
from goals.models import Goal, Metric
from roles.models import Responsibility, Role
from routines.models import (
    ActionItem,
    Meeting,
    MeetingDecision,
    MeetingSeries,
    NonNegotiable,
    Partnership,
    PartnershipRole,
    SeriesMember,
    TheoryLink,
    TheoryStatement,
)


class PartnershipFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = Partnership
        fields = ["district"]


class PartnershipRoleFilterSet(DistrictScopedFilterSet):
    partnership = django_filters.ModelChoiceFilter(queryset=visible(Partnership))
    role = django_filters.ModelChoiceFilter(queryset=visible(Role))

    class Meta:
        model = PartnershipRole
        fields = ["district", "partnership", "role"]


class TheoryStatementFilterSet(DistrictScopedFilterSet):
    partnership = django_filters.ModelChoiceFilter(queryset=visible(Partnership))

    class Meta:
        model = TheoryStatement
        fields = ["district", "partnership"]


class TheoryLinkFilterSet(DistrictScopedFilterSet):
    statement = django_filters.ModelChoiceFilter(queryset=visible(TheoryStatement))
    responsibility = django_filters.ModelChoiceFilter(queryset=visible(Responsibility))
    goal = django_filters.ModelChoiceFilter(queryset=visible(Goal))

    class Meta:
        model = TheoryLink
        fields = ["district", "statement", "responsibility", "goal"]


class NonNegotiableFilterSet(DistrictScopedFilterSet):
    partnership = django_filters.ModelChoiceFilter(queryset=visible(Partnership))
    owner = django_filters.ModelChoiceFilter(queryset=visible(Role))

    class Meta:
        model = NonNegotiable
        fields = ["district", "partnership", "owner"]


class MeetingSeriesFilterSet(DistrictScopedFilterSet):
    network = django_filters.ModelChoiceFilter(queryset=visible(Network))
    partnership = django_filters.ModelChoiceFilter(queryset=visible(Partnership))

    class Meta:
        model = MeetingSeries
        fields = ["district", "scope", "network", "partnership"]


class SeriesMemberFilterSet(DistrictScopedFilterSet):
    series = django_filters.ModelChoiceFilter(queryset=visible(MeetingSeries))
    person = django_filters.ModelChoiceFilter(queryset=visible(Person))

    class Meta:
        model = SeriesMember
        fields = ["district", "series", "person"]


class MeetingFilterSet(DistrictScopedFilterSet):
    series = django_filters.ModelChoiceFilter(queryset=visible(MeetingSeries))

    class Meta:
        model = Meeting
        fields = ["district", "series"]


class MeetingDecisionFilterSet(DistrictScopedFilterSet):
    meeting = django_filters.ModelChoiceFilter(queryset=visible(Meeting))
    is_waiting = django_filters.BooleanFilter(
        field_name="decided_on", lookup_expr="isnull", help_text="Not decided yet."
    )

    class Meta:
        model = MeetingDecision
        fields = ["district", "meeting", "is_waiting"]


class ActionItemFilterSet(DistrictScopedFilterSet):
    series = django_filters.ModelChoiceFilter(queryset=visible(MeetingSeries))
    raised_in = django_filters.ModelChoiceFilter(queryset=visible(Meeting))
    owner_person = django_filters.ModelChoiceFilter(queryset=visible(Person))
    owner_role = django_filters.ModelChoiceFilter(queryset=visible(Role))
    metric = django_filters.ModelChoiceFilter(queryset=visible(Metric))
    school = django_filters.ModelChoiceFilter(queryset=visible(School))
    network = django_filters.ModelChoiceFilter(queryset=visible(Network))
    responsibility = django_filters.ModelChoiceFilter(queryset=visible(Responsibility))
    is_open = django_filters.BooleanFilter(
        field_name="done_on", lookup_expr="isnull", help_text="Not done yet."
    )

    class Meta:
        model = ActionItem
        fields = [
            "district",
            "series",
            "raised_in",
            "owner_person",
            "owner_role",
            "metric",
            "school",
            "network",
            "responsibility",
            "is_open",
        ]

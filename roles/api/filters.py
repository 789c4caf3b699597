"""API filters of the roles app (the HTML lists use the same FilterSets)."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from district.api.filters import DistrictScopedFilterSet, visible
from district.models import Person
from roles.models import (
    Ownership,
    RaciLevel,
    Responsibility,
    Role,
    RoleAssignment,
    WorkArea,
)


class RoleFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = Role
        fields = ["district", "kind", "code"]


class RoleAssignmentFilterSet(DistrictScopedFilterSet):
    role = django_filters.ModelChoiceFilter(queryset=visible(Role))
    person = django_filters.ModelChoiceFilter(queryset=visible(Person))
    is_current = django_filters.BooleanFilter(
        method="filter_is_current",
        help_text="true: assignments holding today; false: ended or not yet started.",
    )

    class Meta:
        model = RoleAssignment
        fields = ["district", "role", "person", "is_acting"]

    def filter_is_current(self, queryset, name, value):
        today = timezone.localdate()
        current = Q(started_on__lte=today) & (
            Q(ended_on__isnull=True) | Q(ended_on__gte=today)
        )
        return queryset.filter(current if value else ~current)


class WorkAreaFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = WorkArea
        fields = ["district"]


class ResponsibilityFilterSet(DistrictScopedFilterSet):
    work_area = django_filters.ModelChoiceFilter(queryset=visible(WorkArea))

    class Meta:
        model = Responsibility
        fields = ["district", "work_area", "is_joint"]


class OwnershipFilterSet(DistrictScopedFilterSet):
    responsibility = django_filters.ModelChoiceFilter(queryset=visible(Responsibility))
    role = django_filters.ModelChoiceFilter(queryset=visible(Role))
    work_area = django_filters.ModelChoiceFilter(
        field_name="responsibility__work_area", queryset=visible(WorkArea)
    )
    level = django_filters.ChoiceFilter(choices=RaciLevel.choices)

    class Meta:
        model = Ownership
        fields = ["district", "responsibility", "role", "work_area", "level"]

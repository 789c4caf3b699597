"""API filters of the district app, and what every API list shares: district and
incremental-sync filters, stable ordering, pagination."""

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from rest_framework import exceptions, filters, pagination

from district.models import (
    AccessLevel,
    District,
    Membership,
    Network,
    Person,
    Principal,
    School,
    SchoolGroup,
    SchoolGroupMember,
    principal_on,
)


def visible(model):
    """Choices of a filter on `model`: only rows the requesting user can see."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.visible_to(request.user)

    return queryset


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, converted to UTC: PostgreSQL refuses offsets beyond ±16 hours."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError as error:
            raise ValidationError(_("This time is out of range."), "invalid") from error


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


def updated_since_filter() -> django_filters.IsoDateTimeFilter:
    return UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only rows changed at or after this time (ISO 8601), "
        "for incremental sync.",
    )


class DistrictScopedFilterSet(django_filters.FilterSet):
    """Filters every tenant-owned list has: its district (by slug) and `updated_since`."""

    district = django_filters.ModelChoiceFilter(
        queryset=visible(District),
        to_field_name="slug",
        help_text="Only rows of this district (its slug, e.g. `cps`).",
    )
    updated_since = updated_since_filter()


class StableOrderingFilter(filters.OrderingFilter):
    """`?ordering=` on the listed fields, always ending with the primary key,
    so pages never repeat or skip rows."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """Pages of the small tables: `limit` (at most 1000) and `offset`, with `count`."""

    default_limit = 100
    max_limit = 1000


class MeasurementCursorPagination(pagination.CursorPagination):
    """Pages of measurements (millions of rows): a cursor over the id, no count.

    Follow `next` until it is null. For incremental sync, filter with `updated_since`
    set to the time the previous sync started.
    """

    ordering = ("id",)
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The position is an id: anything else would reach the database as a crash.
        if cursor is not None and cursor.position is not None:
            position = cursor.position
            if not position.isdigit() or int(position) > 2**63 - 1:
                raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as error:
            raise exceptions.ValidationError(
                {self.cursor_query_param: [_("Invalid cursor.")]}
            ) from error


# --- District app ---


class DistrictFilterSet(django_filters.FilterSet):
    updated_since = updated_since_filter()

    class Meta:
        model = District
        fields = ["slug"]


class PersonFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = Person
        fields = ["district"]


class NetworkFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = Network
        fields = ["district", "is_geographic", "kind"]


class SchoolFilterSet(DistrictScopedFilterSet):
    network = django_filters.ModelChoiceFilter(queryset=visible(Network))

    class Meta:
        model = School
        fields = ["district", "network", "category", "school_id"]


class MembershipFilterSet(DistrictScopedFilterSet):
    user = django_filters.CharFilter(field_name="user__username")
    access_level = django_filters.ChoiceFilter(choices=AccessLevel.choices)

    class Meta:
        model = Membership
        fields = ["district", "user", "access_level"]


class SchoolGroupFilterSet(DistrictScopedFilterSet):
    class Meta:
        model = SchoolGroup
        fields = ["district"]


class SchoolGroupMemberFilterSet(DistrictScopedFilterSet):
    group = django_filters.ModelChoiceFilter(queryset=visible(SchoolGroup))
    school = django_filters.ModelChoiceFilter(queryset=visible(School))

    class Meta:
        model = SchoolGroupMember
        fields = ["district", "group", "school"]


class PrincipalFilterSet(DistrictScopedFilterSet):
    school = django_filters.ModelChoiceFilter(queryset=visible(School))
    person = django_filters.ModelChoiceFilter(queryset=visible(Person))
    on = django_filters.DateFilter(
        method="filter_on", help_text="Terms running on this date (YYYY-MM-DD)."
    )

    class Meta:
        model = Principal
        fields = ["district", "school", "person", "is_acting"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(principal_on(value))

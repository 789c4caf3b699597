"""Admin for roles, who holds them, work areas, responsibilities and the matrix cells."""

from django.contrib import admin
from django.db.models import Count

from district.admin_base import (
    DistrictScopedAdmin,
    DistrictScopedInline,
    DistrictScopedRelatedFilter,
)

from .models import Ownership, Responsibility, Role, RoleAssignment, WorkArea


class RoleAssignmentInline(DistrictScopedInline):
    model = RoleAssignment
    fields = ["person", "started_on", "ended_on", "is_acting"]
    autocomplete_fields = ["person"]


class OwnershipInline(DistrictScopedInline):
    model = Ownership
    fields = ["role", "level"]


class ResponsibilityInline(DistrictScopedInline):
    model = Responsibility
    fields = ["name", "is_joint", "sort_order"]


@admin.register(Role)
class RoleAdmin(DistrictScopedAdmin):
    list_display = ["code", "title", "kind", "reports_to", "sort_order", "district"]
    list_display_links = ["code", "title"]
    list_filter = [("district", DistrictScopedRelatedFilter), "kind"]
    list_select_related = ["reports_to", "district"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["reports_to"]
    fields = ["district", "code", "title", "kind", "reports_to", "sort_order"]
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(DistrictScopedAdmin):
    list_display = ["person", "role", "started_on", "ended_on", "is_acting", "district"]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("role", DistrictScopedRelatedFilter),
        "is_acting",
    ]
    list_select_related = ["person", "role", "district"]
    search_fields = ["person__name", "role__code", "role__title"]
    autocomplete_fields = ["role", "person"]
    date_hierarchy = "started_on"
    fields = ["district", "role", "person", "started_on", "ended_on", "is_acting"]


@admin.register(WorkArea)
class WorkAreaAdmin(DistrictScopedAdmin):
    list_display = ["name", "sort_order", "responsibility_count", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["district"]
    search_fields = ["name", "description"]
    fields = ["district", "name", "description", "sort_order"]
    # The responsibility count's GROUP BY drops Meta.ordering, so the order is explicit here.
    ordering = ["district", "sort_order", "name", "pk"]
    inlines = [ResponsibilityInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(responsibility_count=Count("responsibilities"))
        )

    @admin.display(description="responsibilities", ordering="responsibility_count")
    def responsibility_count(self, work_area):
        return work_area.responsibility_count


@admin.register(Responsibility)
class ResponsibilityAdmin(DistrictScopedAdmin):
    list_display = ["name", "work_area", "is_joint", "sort_order", "district"]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("work_area", DistrictScopedRelatedFilter),
        "is_joint",
    ]
    list_select_related = ["work_area", "district"]
    search_fields = ["name", "description", "work_area__name"]
    autocomplete_fields = ["work_area"]
    fields = ["district", "work_area", "name", "description", "is_joint", "sort_order"]
    inlines = [OwnershipInline]


@admin.register(Ownership)
class OwnershipAdmin(DistrictScopedAdmin):
    list_display = ["responsibility", "role", "level", "district"]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        "level",
        ("role", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["responsibility", "role", "district"]
    search_fields = ["responsibility__name", "role__code"]
    autocomplete_fields = ["responsibility", "role"]
    fields = ["district", "responsibility", "role", "level"]

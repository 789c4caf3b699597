"""Admin of tiers, tier rules, tier history, supports and allocations.

Tier history is read here, not written: tiers are recorded by adopting rules and by
overrides (`tiers.assignments`), on the pages and through the API. Allocations are
saved and deleted through `tiers.allocations`, so the capacity rule holds here too.
"""

from django.contrib import admin, messages

from district.admin_base import (
    DistrictScopedAdmin,
    DistrictScopedInline,
    DistrictScopedRelatedFilter,
)

from .allocations import delete_allocation, save_allocation
from .assignments import adopt_plan
from .models import Allocation, Support, Tier, TierAssignment, TierPlan, TierRule


@admin.register(Tier)
class TierAdmin(DistrictScopedAdmin):
    list_display = ["level", "name", "monitoring_cadence", "district"]
    list_display_links = ["level", "name"]
    list_filter = [("district", DistrictScopedRelatedFilter), "monitoring_cadence"]
    list_select_related = ["district"]
    search_fields = ["name"]
    fields = [
        "district",
        "level",
        "name",
        "description",
        "monitoring_cadence",
        "autonomies",
    ]


class TierRuleInline(DistrictScopedInline):
    model = TierRule
    fields = [
        "position",
        "tier",
        "metric",
        "comparison",
        "threshold",
        "min_off_track",
        "max_off_track",
    ]
    extra = 0


@admin.register(TierRule)
class TierRuleAdmin(DistrictScopedAdmin):
    list_display = ["plan", "position", "tier", "metric", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["plan", "tier", "metric", "district"]
    search_fields = ["plan__school_year", "tier__name"]
    fields = [
        "district",
        "plan",
        "position",
        "tier",
        "metric",
        "comparison",
        "threshold",
        "min_off_track",
        "max_off_track",
    ]


@admin.register(TierPlan)
class TierPlanAdmin(DistrictScopedAdmin):
    list_display = ["school_year", "default_tier", "adopted_at", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["default_tier", "district"]
    search_fields = ["school_year"]
    fields = ["district", "school_year", "default_tier", "adopted_at", "adopted_by"]
    readonly_fields = ["adopted_at", "adopted_by"]
    inlines = [TierRuleInline]
    actions = ["adopt"]

    @admin.action(
        description="Adopt the selected tier rules (record every school's tier)"
    )
    def adopt(self, request, queryset):
        for plan in queryset.editable_by(request.user).select_related("district"):
            adopt_plan(plan=plan, acting_user=request.user)
            self.message_user(
                request, f"Tier rules {plan.school_year} adopted.", messages.SUCCESS
            )


@admin.register(TierAssignment)
class TierAssignmentAdmin(DistrictScopedAdmin):
    list_display = [
        "school",
        "school_year",
        "tier",
        "source",
        "assigned_at",
        "assigned_by",
        "is_current",
    ]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        "school_year",
        ("tier", DistrictScopedRelatedFilter),
        "source",
        "is_current",
    ]
    list_select_related = ["school", "tier", "assigned_by"]
    search_fields = ["school__name", "school__school_id", "reason"]
    fields = [
        "district",
        "school",
        "school_year",
        "tier",
        "source",
        "rule",
        "explanation",
        "reason",
        "assigned_at",
        "assigned_by",
        "is_current",
    ]

    # The history of tiers is written by adopting rules and by overrides only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Support)
class SupportAdmin(DistrictScopedAdmin):
    list_display = ["name", "kind", "capacity", "unit", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter), "kind", "unit"]
    list_select_related = ["district"]
    search_fields = ["name", "description"]
    fields = ["district", "name", "kind", "description", "unit", "capacity"]


@admin.register(Allocation)
class AllocationAdmin(DistrictScopedAdmin):
    list_display = [
        "support",
        "school",
        "school_group",
        "amount",
        "starts_on",
        "ends_on",
        "district",
    ]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("support", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["support", "school", "school_group", "district"]
    search_fields = ["support__name", "school__name", "school_group__name", "reason"]
    autocomplete_fields = ["school"]
    fields = [
        "district",
        "support",
        "school",
        "school_group",
        "amount",
        "starts_on",
        "ends_on",
        "reason",
    ]

    # Every write goes through `tiers.allocations`: the capacity rule.

    def save_model(self, request, obj, form, change):
        save_allocation(allocation=obj, acting_user=request.user)

    def delete_model(self, request, obj):
        delete_allocation(allocation=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for allocation in queryset.order_by("pk"):
            delete_allocation(allocation=allocation, acting_user=request.user)

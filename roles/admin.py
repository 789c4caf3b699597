"""Admin for roles, who holds them, work areas, responsibilities and the matrix cells."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from district.admin_base import (
    DistrictInlineFormSet,
    DistrictScopedAdmin,
    DistrictScopedInline,
    DistrictScopedRelatedFilter,
)

from .cells import set_ownership_on_current_row
from .models import Ownership, Responsibility, Role, RoleAssignment, WorkArea


class RoleAssignmentInline(DistrictScopedInline):
    model = RoleAssignment
    fields = ["person", "started_on", "ended_on", "is_acting"]
    autocomplete_fields = ["person"]


CELL_STAYS = _(
    "A cell stays in its row and column: clear it and set the other cell instead."
)


class OwnershipInlineFormSet(DistrictInlineFormSet):
    """A row's cells saved under it, each through `roles.cells`, like the matrix page."""

    def save_new(self, form, commit=True):
        return set_ownership_on_current_row(
            responsibility=self.instance,
            role=form.cleaned_data["role"],
            level=form.cleaned_data["level"],
            acting_user=self.acting_user,
        )

    def save_existing(self, form, obj, commit=True):
        if "role" in form.changed_data:
            raise ValidationError(CELL_STAYS)
        return set_ownership_on_current_row(
            responsibility=self.instance,
            role=obj.role,
            level=form.cleaned_data["level"],
            acting_user=self.acting_user,
        )

    def delete_existing(self, obj, commit=True):
        set_ownership_on_current_row(
            responsibility=self.instance,
            role=obj.role,
            level=None,
            acting_user=self.acting_user,
        )


class OwnershipInline(DistrictScopedInline):
    model = Ownership
    formset = OwnershipInlineFormSet
    fields = ["role", "level"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.acting_user = request.user
        return formset


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

    # Every write goes through `roles.cells`, like the matrix page: it advances the
    # row's version, so a matrix page opened before is refused instead of overwriting.

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "responsibility", "role") if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        cell = set_ownership_on_current_row(
            responsibility=obj.responsibility,
            role=obj.role,
            level=obj.level,
            acting_user=request.user,
        )
        obj.pk, obj.version = cell.pk, cell.version

    def delete_model(self, request, obj):
        set_ownership_on_current_row(
            responsibility=obj.responsibility,
            role=obj.role,
            level=None,
            acting_user=request.user,
        )

    def delete_queryset(self, request, queryset):
        for cell in queryset.select_related("responsibility", "role").order_by("pk"):
            self.delete_model(request, cell)

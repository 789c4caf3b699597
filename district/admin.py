"""Admin for districts, their people, networks, schools, school groups and members.

Superusers create and delete districts; a district's admins edit it and manage its
members; editors change its people, networks and schools; viewers only read.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django_tasks_db.models import DBTaskResult

from .admin_base import (
    DistrictInlineFormSet,
    DistrictScopedAdmin,
    DistrictScopedInline,
    DistrictScopedRelatedFilter,
    delete_in_background,
)
from .members import (
    MEMBERSHIP_KEEPS_ITS_USER,
    add_member,
    remove_member,
    set_access_level,
)
from .models import (
    AccessLevel,
    District,
    Job,
    JobStatus,
    Membership,
    Network,
    Person,
    Principal,
    School,
    SchoolGroup,
    SchoolGroupMember,
)
from .permissions import linkable_users


def _count_per_district(model):
    """The number of `model` rows in each district, as a subquery (a join would multiply)."""
    rows = (
        model.objects.filter(district=OuterRef("pk"))
        .order_by()
        .values("district")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


class MembershipInlineFormSet(DistrictInlineFormSet):
    """Members added, changed and removed under their district, through `members`."""

    def save_new(self, form, commit=True):
        return add_member(
            district=self.instance,
            user=form.cleaned_data["user"],
            access_level=form.cleaned_data["access_level"],
            acting_user=self.acting_user,
        )

    def save_existing(self, form, obj, commit=True):
        if "user" in form.changed_data:
            raise ValidationError(MEMBERSHIP_KEEPS_ITS_USER)
        return set_access_level(
            membership=obj,
            access_level=form.cleaned_data["access_level"],
            acting_user=self.acting_user,
        )

    def delete_existing(self, obj, commit=True):
        remove_member(membership=obj, acting_user=self.acting_user)


class MembershipInline(DistrictScopedInline):
    model = Membership
    formset = MembershipInlineFormSet
    edit_level = AccessLevel.ADMIN
    fields = ["user", "access_level"]
    show_change_link = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.acting_user = request.user
        return formset


@admin.register(District)
class DistrictAdmin(DistrictScopedAdmin):
    edit_level = AccessLevel.ADMIN
    list_display = [
        "name",
        "slug",
        "school_count",
        "member_count",
        "suppression_min_n",
        "overload_ratio",
        "updated_at",
    ]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "suppression_min_n",
        "public_min_n",
        "coverage_threshold",
        "overload_ratio",
        "grace_days",
        "escalation_days",
        "reminders_per_week",
    ]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                school_count=_count_per_district(School),
                member_count=_count_per_district(Membership),
            )
        )

    @admin.display(description="schools", ordering="school_count")
    def school_count(self, district):
        return district.school_count

    @admin.display(description="members", ordering="member_count")
    def member_count(self, district):
        return district.member_count

    # A district is created or removed by a superuser only: it holds everything else.
    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(DistrictScopedAdmin):
    edit_level = AccessLevel.ADMIN
    list_display = ["user", "user_email", "district", "access_level", "updated_at"]
    list_filter = [("district", DistrictScopedRelatedFilter), "access_level"]
    list_select_related = ["user", "district"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    fields = ["district", "user", "access_level"]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # A membership changes its level; a new user gets a new membership.
        return (*readonly, "user") if obj is not None else readonly

    # Every write goes through `district.members`, like the members page: the last
    # admin is neither demoted nor removed.

    def save_model(self, request, obj, form, change):
        if change:
            set_access_level(
                membership=obj, access_level=obj.access_level, acting_user=request.user
            )
        else:
            obj.pk = add_member(
                district=obj.district,
                user=obj.user,
                access_level=obj.access_level,
                acting_user=request.user,
            ).pk

    def delete_model(self, request, obj):
        remove_member(membership=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        # All or none: the changelist's transaction rolls back on a refusal.
        for membership in queryset.order_by("pk"):
            remove_member(membership=membership, acting_user=request.user)

    @admin.display(description="email", ordering="user__email")
    def user_email(self, membership):
        return membership.user.email


@admin.register(Person)
class PersonAdmin(DistrictScopedAdmin):
    list_display = ["name", "title", "email", "user", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["user", "district"]
    search_fields = ["name", "email", "title"]
    fields = ["district", "name", "title", "email", "user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user":
            # Members only: a list of other accounts would tell which exist.
            formfield.queryset = linkable_users(request.user)
        return formfield


@admin.register(Network)
class NetworkAdmin(DistrictScopedAdmin):
    list_display = [
        "name",
        "is_geographic",
        "kind",
        "chief",
        "school_count",
        "district",
    ]
    list_filter = [("district", DistrictScopedRelatedFilter), "is_geographic", "kind"]
    actions = ["delete_selected", delete_in_background]
    list_select_related = ["chief", "district"]
    search_fields = ["name"]
    autocomplete_fields = ["chief"]
    fields = ["district", "name", "is_geographic", "kind", "chief"]
    # The school count's GROUP BY drops Meta.ordering, so the order is explicit here.
    ordering = ["district", "-is_geographic", "name", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(school_count=Count("schools"))

    @admin.display(description="schools", ordering="school_count")
    def school_count(self, network):
        return network.school_count


class PrincipalInline(DistrictScopedInline):
    model = Principal
    fields = ["person", "starts_on", "ends_on", "is_acting"]
    autocomplete_fields = ["person"]
    extra = 0


@admin.register(School)
class SchoolAdmin(DistrictScopedAdmin):
    list_display = [
        "school_id",
        "name",
        "category",
        "grades",
        "network",
        "enrollment",
        "performance_rating",
        "district",
    ]
    list_display_links = ["school_id", "name"]
    actions = ["delete_selected", delete_in_background]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        "category",
        ("network", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["network", "district"]
    search_fields = ["school_id", "name", "short_name"]
    autocomplete_fields = ["network"]
    fields = [
        "district",
        "school_id",
        "name",
        "short_name",
        "category",
        "grades",
        "enrollment",
        "network",
        "performance_rating",
    ]
    inlines = [PrincipalInline]


@admin.register(Principal)
class PrincipalAdmin(DistrictScopedAdmin):
    list_display = ["person", "school", "starts_on", "ends_on", "is_acting", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter), "is_acting"]
    list_select_related = ["person", "school", "district"]
    search_fields = ["person__name", "school__name", "school__school_id"]
    autocomplete_fields = ["person", "school"]
    fields = ["district", "school", "person", "starts_on", "ends_on", "is_acting"]


class SchoolGroupMemberInline(DistrictScopedInline):
    model = SchoolGroupMember
    fields = ["school"]
    autocomplete_fields = ["school"]
    extra = 0
    show_change_link = False


@admin.register(SchoolGroup)
class SchoolGroupAdmin(DistrictScopedAdmin):
    list_display = ["name", "member_count", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["district"]
    search_fields = ["name", "description"]
    fields = ["district", "name", "description"]
    inlines = [SchoolGroupMemberInline]
    # The member count's GROUP BY drops Meta.ordering, so the order is explicit here.
    ordering = ["district", "name", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description="schools", ordering="member_count")
    def member_count(self, group):
        return group.member_count


@admin.register(SchoolGroupMember)
class SchoolGroupMemberAdmin(DistrictScopedAdmin):
    list_display = ["group", "school", "district"]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("group", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["group", "school", "district"]
    search_fields = ["group__name", "school__name", "=school__school_id"]
    autocomplete_fields = ["group", "school"]
    fields = ["district", "group", "school"]


# The task worker's own records (django_tasks_db) name tasks and their arguments for
# every district alike; the jobs above show each district's background work instead.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background work of the user's districts and its progress; read only (the task
    worker writes it)."""

    list_display = ["description", "status", "progress", "requested_by", "created_at"]
    list_filter = [("district", DistrictScopedRelatedFilter), "status"]
    list_select_related = ["district", "requested_by"]
    readonly_fields = (
        "district",
        "description",
        "status",
        "progress",
        "error",
        "requested_by",
        "created_at",
        "updated_at",
        "finished_at",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="progress")
    def progress(self, job):
        return f"{job.done:,} of {job.total:,}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A finished or failed job may be cleared away; a running one may not.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status != JobStatus.RUNNING)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

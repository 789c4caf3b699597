"""Admin for goals, their metrics, owners and targets, and measurements."""

import datetime

from django import forms
from django.contrib import admin
from django.db.models import Max, Min
from django.utils import timezone

from district.admin_base import (
    DistrictScopedAdmin,
    DistrictScopedInline,
    DistrictScopedRelatedFilter,
    delete_in_background,
)
from district.models import AccessLevel

from .display import (
    WITHHELD_FIELDS,
    is_withheld,
    suppressed_text,
    withheld_in_history,
)
from .models import (
    ClosedPeriod,
    Commentary,
    Goal,
    GoalOwner,
    Measurement,
    Metric,
    MetricOwner,
    ResponsibilityLink,
    Target,
)
from .periods import refuse_if_closed
from .populations import foreign_schools_error


class MetricAdminForm(forms.ModelForm):
    """The metric form: listed schools must be of the metric's district."""

    def clean(self):
        cleaned = super().clean()
        district = cleaned.get("district") or getattr(self.instance, "district", None)
        schools = cleaned.get("population_schools")
        if district is not None and schools:
            message = foreign_schools_error(district.pk, schools)
            if message:
                self.add_error("population_schools", message)
        return cleaned


class GoalOwnerInline(DistrictScopedInline):
    model = GoalOwner
    fields = ["role"]


class MetricInline(DistrictScopedInline):
    model = Metric
    fields = [
        "code",
        "name",
        "unit",
        "direction",
        "baseline_value",
        "baseline_on",
        "target_value",
        "target_on",
    ]
    extra = 0


class MetricOwnerInline(DistrictScopedInline):
    model = MetricOwner
    fields = ["role"]


class TargetInline(DistrictScopedInline):
    """A metric's targets: the district's interim targets, and each network's or
    school group's own baseline, interim and final targets."""

    model = Target
    fields = ["network", "school_group", "kind", "due_on", "value", "change_reason"]


@admin.register(Goal)
class GoalAdmin(DistrictScopedAdmin):
    list_display = [
        "statement",
        "starts_on",
        "ends_on",
        "parent",
        "sort_order",
        "district",
    ]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["parent", "district"]
    search_fields = ["statement", "description"]
    autocomplete_fields = ["parent"]
    fields = [
        "district",
        "statement",
        "description",
        "starts_on",
        "ends_on",
        "parent",
        "sort_order",
    ]
    inlines = [GoalOwnerInline, MetricInline]


@admin.register(GoalOwner)
class GoalOwnerAdmin(DistrictScopedAdmin):
    list_display = ["goal", "role", "district"]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("role", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["goal", "role", "district"]
    search_fields = ["goal__statement", "role__code"]
    autocomplete_fields = ["goal", "role"]
    fields = ["district", "goal", "role"]


@admin.register(ResponsibilityLink)
class ResponsibilityLinkAdmin(DistrictScopedAdmin):
    list_display = ["responsibility", "goal", "metric", "district"]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["responsibility", "goal", "metric", "district"]
    search_fields = ["responsibility__name", "goal__statement", "metric__name"]
    autocomplete_fields = ["responsibility", "goal", "metric"]
    fields = ["district", "responsibility", "goal", "metric"]


@admin.register(Metric)
class MetricAdmin(DistrictScopedAdmin):
    list_display = [
        "code",
        "name",
        "goal",
        "unit",
        "direction",
        "frequency",
        "aggregation",
        "target_value",
        "target_on",
        "district",
    ]
    list_display_links = ["code", "name"]
    actions = ["delete_selected", delete_in_background]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("goal", DistrictScopedRelatedFilter),
        "unit",
        "direction",
        "frequency",
    ]
    list_select_related = ["goal", "district"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["goal", "population_schools"]
    form = MetricAdminForm
    fieldsets = [
        (None, {"fields": ["district", "goal", "code", "name", "description"]}),
        (
            "How it is measured",
            {
                "fields": [
                    "unit",
                    "decimals",
                    "direction",
                    "aggregation",
                    "frequency",
                    "min_n",
                    "source",
                    "is_simulated",
                ]
            },
        ),
        (
            "Population and coverage",
            {
                "description": "Which schools the metric is about, and how many of "
                "them must report before a period counts as complete.",
                "fields": [
                    "population",
                    "population_category",
                    "population_network_kind",
                    "population_schools",
                    "coverage_threshold",
                ],
            },
        ),
        (
            "Baseline and target",
            {
                "fields": [
                    ("baseline_value", "baseline_on"),
                    ("target_value", "target_on"),
                    "target_change_reason",
                    "tolerance",
                ]
            },
        ),
        (
            "Updates",
            {
                "description": "Who enters each period's values and commentary, and "
                "how long after the period ends they are due.",
                "fields": ["update_owner", "grace_days"],
            },
        ),
        (None, {"fields": ["sort_order"]}),
    ]
    inlines = [TargetInline, MetricOwnerInline]


@admin.register(MetricOwner)
class MetricOwnerAdmin(DistrictScopedAdmin):
    list_display = ["metric", "role", "district"]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("role", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["metric", "role", "district"]
    search_fields = ["metric__code", "metric__name", "role__code"]
    autocomplete_fields = ["metric", "role"]
    fields = ["district", "metric", "role"]


class RefuseClosedOnBulkDelete:
    """ "Delete selected" deletes in SQL, past `Model.delete`: check the lock first."""

    def delete_queryset(self, request, queryset):
        field = queryset.model.period_field
        for district_id in {row.district_id for row in queryset}:
            refuse_if_closed(
                district_id=district_id,
                days=queryset.filter(district_id=district_id)
                .order_by()
                .values_list(field, flat=True)
                .distinct(),
            )
        super().delete_queryset(request, queryset)


@admin.register(Target)
class TargetAdmin(RefuseClosedOnBulkDelete, DistrictScopedAdmin):
    list_display = [
        "metric",
        "network",
        "school_group",
        "kind",
        "due_on",
        "value",
        "district",
    ]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("metric", DistrictScopedRelatedFilter),
        ("network", DistrictScopedRelatedFilter),
        ("school_group", DistrictScopedRelatedFilter),
        "kind",
    ]
    list_select_related = ["metric", "network", "school_group", "district"]
    search_fields = ["metric__code", "metric__name"]
    autocomplete_fields = ["metric"]
    fields = [
        "district",
        "metric",
        "network",
        "school_group",
        "kind",
        "due_on",
        "value",
        "change_reason",
    ]


class SchoolYearFilter(admin.SimpleListFilter):
    """Measurements of one school year (July to June), offered from the metrics' dates.

    The choices come from the visible metrics' baseline and target dates, never from
    the measurements table, which holds millions of rows.
    """

    title = "school year"
    parameter_name = "school_year"

    def lookups(self, request, model_admin):
        span = Metric.objects.visible_to(request.user).aggregate(
            first=Min("baseline_on"), last=Max("target_on")
        )
        if span["first"] is None:
            return []
        first = _school_year_ending(span["first"])
        last = _school_year_ending(span["last"])
        return [
            (str(end), f"{end - 1}-{end % 100:02d}")
            for end in range(last, first - 1, -1)
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            end = int(self.value())
            first, last = datetime.date(end - 1, 7, 1), datetime.date(end, 6, 30)
        except (ValueError, OverflowError):  # not a year, or one no date has
            return queryset.none()
        return queryset.filter(period_end__gte=first, period_end__lte=last)


def _school_year_ending(day: datetime.date) -> int:
    """The calendar year in which the school year holding `day` ends (30 June)."""
    return day.year + 1 if day.month >= 7 else day.year


def _withheld(request, measurement) -> bool:
    """Whether `measurement` (or a version of it) hides its value and n from the user."""
    return is_withheld(
        request,
        n=measurement.n,
        min_n=measurement.effective_min_n,
        district_id=measurement.district_id,
    )


def _shown_columns(request) -> dict:
    """Changelist columns for value and n that withhold suppressed ones from viewers."""

    @admin.display(description="value")
    def value(measurement):
        if _withheld(request, measurement):
            return suppressed_text(measurement.effective_min_n)
        return measurement.value

    @admin.display(description="n")
    def n(measurement):
        return "—" if _withheld(request, measurement) else measurement.n

    return {"value": value, "n": n}


@admin.register(Measurement)
class MeasurementAdmin(RefuseClosedOnBulkDelete, DistrictScopedAdmin):
    """Millions of rows: no full count, no facets, no scan for filter choices.

    Newest changes first, which the index on `updated_at` serves; sorting is offered
    only on indexed columns. A suppressed value and its n (`goals.display.is_withheld`)
    are withheld from viewers in the list, on the change page, in the history and in
    each historical version.
    """

    list_display = [
        "metric",
        "period_end",
        "scope",
        "school",
        "network",
        "value",
        "n",
        "source",
        "updated_at",
    ]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        SchoolYearFilter,
        "scope",
        ("metric", DistrictScopedRelatedFilter),
        ("network", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["metric", "district", "school", "network"]
    search_fields = ["=school__school_id"]
    search_help_text = "Search by the district's school id (exact)."
    autocomplete_fields = ["metric", "school", "network"]
    ordering = ["-updated_at", "-pk"]
    sortable_by = ["period_end", "updated_at"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    fields = [
        "district",
        "metric",
        "period_end",
        "scope",
        "school",
        "network",
        "value",
        "n",
        "source",
        "entered_by",
        "entered_at",
    ]
    readonly_fields = ["entered_by", "entered_at"]

    def get_list_display(self, request):
        columns = _shown_columns(request)
        return [columns.get(name, name) for name in super().get_list_display(request)]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and _withheld(request, obj):
            return [
                f"withheld_{name}" if name in WITHHELD_FIELDS else name
                for name in fields
            ]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and _withheld(request, obj):
            readonly += tuple(f"withheld_{name}" for name in WITHHELD_FIELDS)
        return readonly

    @admin.display(description="value")
    def withheld_value(self, obj):
        return suppressed_text(obj.effective_min_n)

    @admin.display(description="n")
    def withheld_n(self, obj):
        return "—"

    def set_history_delta_changes(
        self, request, historical_records, foreign_keys_are_objs=True
    ):
        """Each version's changes, without value and n where either side withholds them."""
        withheld = withheld_in_history(request)
        previous = None
        for current in historical_records:
            if previous is not None:
                hidden = [*withheld(previous), *withheld(current)]
                delta = previous.diff_against(
                    current,
                    excluded_fields=hidden,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Commentary)
class CommentaryAdmin(RefuseClosedOnBulkDelete, DistrictScopedAdmin):
    list_display = ["metric", "network", "period_end", "written_by", "district"]
    list_filter = [
        ("district", DistrictScopedRelatedFilter),
        ("metric", DistrictScopedRelatedFilter),
    ]
    list_select_related = ["metric", "network", "written_by", "district"]
    search_fields = ["metric__code", "metric__name", "behind_the_number"]
    autocomplete_fields = ["metric"]
    fields = [
        "district",
        "metric",
        "network",
        "period_end",
        "behind_the_number",
        "next_steps",
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.written_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(DistrictScopedAdmin):
    """District admins close periods; reopening one takes a reason."""

    edit_level = AccessLevel.ADMIN
    list_display = [
        "name",
        "starts_on",
        "ends_on",
        "closed_by",
        "reopened_at",
        "district",
    ]
    list_filter = [("district", DistrictScopedRelatedFilter)]
    list_select_related = ["closed_by", "district"]
    fields = ["district", "name", "starts_on", "ends_on", "reopen_reason"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.closed_by = request.user
        elif obj.reopened_at is None and obj.reopen_reason.strip():
            obj.reopened_at = timezone.now()
            obj.reopened_by = request.user
        super().save_model(request, obj, form, change)

"""Admin for partnerships, meeting series, meetings, decisions and action items."""

from django.contrib import admin

from district.admin_base import (
    DistrictScopedAdmin,
    DistrictScopedInline,
    DistrictScopedRelatedFilter,
)

from .models import (
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

DISTRICT_FILTER = ("district", DistrictScopedRelatedFilter)


class PartnershipRoleInline(DistrictScopedInline):
    model = PartnershipRole
    fields = ["role"]


class TheoryStatementInline(DistrictScopedInline):
    model = TheoryStatement
    fields = ["if_clause", "then_clause", "sort_order"]
    extra = 0


class NonNegotiableInline(DistrictScopedInline):
    model = NonNegotiable
    fields = ["statement", "owner", "monitoring", "metric", "sort_order"]
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(DistrictScopedAdmin):
    list_display = ["name", "district"]
    list_filter = [DISTRICT_FILTER]
    search_fields = ["name", "vision"]
    fields = ["district", "name", "vision", "sort_order"]
    inlines = [PartnershipRoleInline, TheoryStatementInline, NonNegotiableInline]


@admin.register(PartnershipRole)
class PartnershipRoleAdmin(DistrictScopedAdmin):
    list_display = ["partnership", "role", "district"]
    list_filter = [DISTRICT_FILTER]
    list_select_related = ["partnership", "role", "district"]
    search_fields = ["partnership__name", "role__code"]
    fields = ["district", "partnership", "role"]


class TheoryLinkInline(DistrictScopedInline):
    model = TheoryLink
    fields = ["responsibility", "goal"]


@admin.register(TheoryStatement)
class TheoryStatementAdmin(DistrictScopedAdmin):
    list_display = ["__str__", "partnership", "district"]
    list_filter = [DISTRICT_FILTER]
    list_select_related = ["partnership", "district"]
    search_fields = ["if_clause", "then_clause"]
    fields = ["district", "partnership", "if_clause", "then_clause", "sort_order"]
    inlines = [TheoryLinkInline]


@admin.register(TheoryLink)
class TheoryLinkAdmin(DistrictScopedAdmin):
    list_display = ["statement", "responsibility", "goal", "district"]
    list_filter = [DISTRICT_FILTER]
    list_select_related = ["statement", "responsibility", "goal", "district"]
    search_fields = ["responsibility__name", "goal__statement"]
    fields = ["district", "statement", "responsibility", "goal"]


@admin.register(NonNegotiable)
class NonNegotiableAdmin(DistrictScopedAdmin):
    list_display = ["statement", "owner", "partnership", "district"]
    list_filter = [DISTRICT_FILTER]
    list_select_related = ["owner", "partnership", "district"]
    search_fields = ["statement", "monitoring"]
    fields = [
        "district",
        "partnership",
        "statement",
        "owner",
        "monitoring",
        "metric",
        "sort_order",
    ]


class SeriesMemberInline(DistrictScopedInline):
    model = SeriesMember
    fields = ["person"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(DistrictScopedAdmin):
    list_display = ["name", "scope", "cadence", "district"]
    list_filter = [DISTRICT_FILTER, "scope"]
    search_fields = ["name"]
    fields = [
        "district",
        "name",
        "scope",
        "network",
        "partnership",
        "cadence",
        "duration_minutes",
        "location",
    ]
    inlines = [SeriesMemberInline]


@admin.register(SeriesMember)
class SeriesMemberAdmin(DistrictScopedAdmin):
    list_display = ["series", "person", "district"]
    list_filter = [DISTRICT_FILTER]
    list_select_related = ["series", "person", "district"]
    search_fields = ["series__name", "person__name"]
    fields = ["district", "series", "person"]


class MeetingDecisionInline(DistrictScopedInline):
    model = MeetingDecision
    fields = ["statement", "outcome", "decided_on"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(DistrictScopedAdmin):
    list_display = ["series", "starts_at", "started_at", "district"]
    list_filter = [DISTRICT_FILTER]
    list_select_related = ["series", "district"]
    search_fields = ["series__name", "notes"]
    fields = ["district", "series", "starts_at", "started_at", "notes"]
    readonly_fields = ["started_at"]
    inlines = [MeetingDecisionInline]


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(DistrictScopedAdmin):
    list_display = ["statement", "meeting", "decided_on", "district"]
    list_filter = [DISTRICT_FILTER]
    list_select_related = ["meeting", "meeting__series", "district"]
    search_fields = ["statement", "outcome"]
    fields = ["district", "meeting", "statement", "outcome", "decided_on"]


@admin.register(ActionItem)
class ActionItemAdmin(DistrictScopedAdmin):
    list_display = [
        "title",
        "series",
        "owner_person",
        "owner_role",
        "due_on",
        "done_on",
    ]
    list_filter = [DISTRICT_FILTER]
    list_select_related = ["series", "owner_person", "owner_role", "district"]
    search_fields = ["title"]
    fields = [
        "district",
        "series",
        "raised_in",
        "title",
        "owner_person",
        "owner_role",
        "due_on",
        "done_on",
        "metric",
        "school",
        "network",
        "responsibility",
    ]

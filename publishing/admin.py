"""Admin for publishing: settings, published goals and metrics, packets, schedules."""

from django.contrib import admin

from district.admin_base import DistrictScopedAdmin
from district.models import AccessLevel

from .models import Packet, Publication, PublishedGoal, PublishedMetric, Schedule


@admin.register(Publication)
class PublicationAdmin(DistrictScopedAdmin):
    edit_level = AccessLevel.ADMIN
    list_display = ["district", "is_published", "shows_staff_names", "updated_at"]
    fields = ["district", "is_published", "shows_staff_names", "introduction"]


@admin.register(PublishedGoal)
class PublishedGoalAdmin(DistrictScopedAdmin):
    edit_level = AccessLevel.ADMIN
    list_display = ["goal", "district", "updated_at"]
    fields = ["district", "goal"]
    search_fields = ["goal__statement"]


@admin.register(PublishedMetric)
class PublishedMetricAdmin(DistrictScopedAdmin):
    edit_level = AccessLevel.ADMIN
    list_display = ["metric", "district", "updated_at"]
    fields = ["district", "metric"]
    search_fields = ["metric__name", "metric__code"]


@admin.register(Schedule)
class ScheduleAdmin(DistrictScopedAdmin):
    edit_level = AccessLevel.ADMIN
    list_display = ["meets_on", "goal", "days_before", "district", "sent_at"]
    fields = [
        "district",
        "goal",
        "meets_on",
        "days_before",
        "recipients",
        "commentary",
        "created_by",
        "packet",
        "sent_at",
    ]
    readonly_fields = ["packet", "sent_at"]
    search_fields = ["goal__statement", "recipients"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Packet)
class PacketAdmin(DistrictScopedAdmin):
    """Issued packets are read here; they are issued on the packets page."""

    edit_level = AccessLevel.ADMIN
    list_display = ["title", "school_year", "issued_at", "issued_by", "district"]
    fields = [
        "district",
        "title",
        "school_year",
        "as_of",
        "commentary",
        "issued_by",
        "issued_at",
        "content_hash",
    ]
    readonly_fields = [
        "title",
        "school_year",
        "as_of",
        "commentary",
        "issued_by",
        "issued_at",
        "content_hash",
    ]
    search_fields = ["title"]

    def has_add_permission(self, request):
        return False

"""Admin for publishing: settings, published goals and metrics, packets, schedules."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from district.admin_base import DistrictScopedAdmin
from district.models import AccessLevel
from goals.models import Goal

from .models import Packet, Publication, PublishedGoal, PublishedMetric, Schedule
from .packets import issue_packet


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


class PacketIssueForm(forms.ModelForm):
    """Issuing a packet in the admin: the same choices as on the packets page."""

    goals = forms.ModelMultipleChoiceField(queryset=Goal.objects.none(), required=False)
    goal_area = forms.ModelChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        help_text=_("A goal with all its subgoals."),
    )

    class Meta:
        model = Packet
        fields = ["district", "title", "school_year", "commentary"]


@admin.register(Packet)
class PacketAdmin(DistrictScopedAdmin):
    """Packets are issued (frozen from the data as it stands) and then only read."""

    edit_level = AccessLevel.ADMIN
    list_display = ["title", "school_year", "issued_at", "issued_by", "district"]
    search_fields = ["title"]
    readonly = [
        "district",
        "title",
        "school_year",
        "as_of",
        "commentary",
        "issued_by",
        "issued_at",
        "content_hash",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "district",
                "title",
                "school_year",
                "goals",
                "goal_area",
                "commentary",
            ]
        return self.readonly

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PacketIssueForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            goals = Goal.objects.administered_by(request.user)
            form.base_fields["goals"].queryset = goals
            form.base_fields["goal_area"].queryset = goals.filter(parent__isnull=True)
        return form

    def save_model(self, request, obj, form, change):
        if change:  # every field is read-only: nothing of the packet changes
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        packet = issue_packet(
            district=data["district"],
            goals=data["goals"],
            area=data["goal_area"],
            school_year=data["school_year"],
            title=data["title"],
            commentary=data["commentary"],
            acting_user=request.user,
        )
        obj.pk = packet.pk
        obj._state.adding = False

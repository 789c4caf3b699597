"""API serializers of publishing: publication settings, packets, schedules."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from district.api.serializers import (
    TRACKED_FIELDS,
    DetailUrlField,
    DisplayField,
    ValidatedModelSerializer,
    district_field,
)
from district.models import AccessLevel, District
from goals.api.serializers import goal_field, metric_field
from goals.models import Goal
from publishing.models import (
    Packet,
    Publication,
    PublishedGoal,
    PublishedMetric,
    RenderStatus,
    Schedule,
)
from publishing.packets import issue_packet, render_of


def username_field() -> serializers.SlugRelatedField:
    """A user named by username, read-only: who issued or scheduled a packet."""
    return serializers.SlugRelatedField(slug_field="username", read_only=True)


def packet_id_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The packet issued for this meeting, once sent."
    )


class PublicationSerializer(ValidatedModelSerializer):
    url = DetailUrlField("publication-detail")
    display = DisplayField()
    district = district_field()
    district_level = AccessLevel.ADMIN

    class Meta:
        model = Publication
        fields = [
            "id",
            "url",
            "display",
            "district",
            "is_published",
            "shows_staff_names",
            "introduction",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class PublishedGoalSerializer(ValidatedModelSerializer):
    url = DetailUrlField("published-goal-detail")
    display = DisplayField()
    district = district_field()
    goal = goal_field()
    district_level = AccessLevel.ADMIN

    class Meta:
        model = PublishedGoal
        fields = ["id", "url", "display", "district", "goal", *TRACKED_FIELDS]
        read_only_fields = TRACKED_FIELDS


class PublishedMetricSerializer(ValidatedModelSerializer):
    url = DetailUrlField("published-metric-detail")
    display = DisplayField()
    district = district_field()
    metric = metric_field()
    district_level = AccessLevel.ADMIN

    class Meta:
        model = PublishedMetric
        fields = ["id", "url", "display", "district", "metric", *TRACKED_FIELDS]
        read_only_fields = TRACKED_FIELDS


class ScheduleSerializer(ValidatedModelSerializer):
    url = DetailUrlField("packet-schedule-detail")
    display = DisplayField()
    district = district_field()
    goal = goal_field(help_text="The goal area: this goal and its subgoals.")
    created_by = username_field()
    packet = packet_id_field()
    district_level = AccessLevel.ADMIN

    class Meta:
        model = Schedule
        fields = [
            "id",
            "url",
            "display",
            "district",
            "goal",
            "meets_on",
            "days_before",
            "recipients",
            "commentary",
            "created_by",
            "packet",
            "sent_at",
            *TRACKED_FIELDS,
        ]
        read_only_fields = [*TRACKED_FIELDS, "sent_at"]


class PacketSerializer(serializers.ModelSerializer):
    """An issued packet: what was frozen, by whom, when, and its PDF's progress."""

    url = DetailUrlField("packet-detail")
    display = DisplayField()
    district = district_field()
    issued_by = username_field()
    status = serializers.SerializerMethodField(
        help_text="The PDF's progress: `queued`, `rendering`, `ready` or `failed`."
    )
    progress = serializers.SerializerMethodField(help_text="Percent done.")
    page_count = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Packet
        fields = [
            "id",
            "url",
            "display",
            "district",
            "title",
            "school_year",
            "as_of",
            "commentary",
            "issued_by",
            "issued_at",
            "content_hash",
            "status",
            "progress",
            "page_count",
            "pdf_url",
            "snapshot",
        ]
        read_only_fields = fields

    def get_status(self, packet) -> str:
        return render_of(packet).status

    def get_progress(self, packet) -> int:
        return render_of(packet).progress

    def get_page_count(self, packet) -> int | None:
        return render_of(packet).page_count

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, packet) -> str | None:
        if render_of(packet).status != RenderStatus.READY:
            return None
        request = self.context.get("request")
        path = reverse("packet-pdf", kwargs={"pk": packet.pk})
        return request.build_absolute_uri(path) if request else path


class PacketIssueSerializer(serializers.Serializer):
    """What a district admin sends to issue a packet."""

    district = district_field()
    title = serializers.CharField(max_length=200)
    school_year = serializers.CharField(
        max_length=7, help_text="A school year with values, e.g. `2017-18`."
    )
    goals = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Goal.objects.all(), required=False, default=list
    )
    goal_area = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A goal whose subgoals come with it.",
    )
    commentary = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20000
    )

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["district"].queryset = District.objects.with_access(
                request.user, AccessLevel.ADMIN
            )
            visible = Goal.objects.visible_to(request.user)
            fields["goals"].child_relation.queryset = visible
            fields["goal_area"].queryset = visible
        return fields

    def create(self, validated_data):
        request = self.context["request"]
        try:
            return issue_packet(
                district=validated_data["district"],
                goals=validated_data["goals"],
                area=validated_data["goal_area"],
                school_year=validated_data["school_year"],
                title=validated_data["title"],
                commentary=validated_data["commentary"],
                acting_user=request.user,
            )
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
            raise serializers.ValidationError(detail) from error


class ChangeSerializer(serializers.Serializer):
    subject = serializers.CharField()
    what = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()

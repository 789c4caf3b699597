"""API serializers of the goals app: goals, metrics, owners, targets, measurements."""

from rest_framework import serializers

from district.api.serializers import (
    TRACKED_FIELDS,
    BriefRelatedField,
    NetworkBriefSerializer,
    SchoolBriefSerializer,
    ValidatedModelSerializer,
    district_field,
)
from district.models import Network, School
from goals.models import Goal, GoalOwner, Measurement, Metric, MetricOwner, Target
from roles.api.serializers import RoleBriefSerializer, role_field

# --- Briefs ---


class GoalBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="goal-detail")
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "url", "display"]


class MetricBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="metric-detail")
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Metric
        fields = ["id", "url", "display"]


def goal_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(
        brief=GoalBriefSerializer, queryset=Goal.objects.all(), **kwargs
    )


def metric_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(
        brief=MetricBriefSerializer, queryset=Metric.objects.all(), **kwargs
    )


# --- Resources ---


class GoalSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="goal-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    parent = goal_field(required=False, allow_null=True)
    owner_roles = RoleBriefSerializer(
        many=True,
        read_only=True,
        help_text="Roles that own the goal; change them through /api/v1/goal-owners/.",
    )

    class Meta:
        model = Goal
        fields = [
            "id",
            "url",
            "display",
            "district",
            "statement",
            "description",
            "starts_on",
            "ends_on",
            "parent",
            "sort_order",
            "owner_roles",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class GoalOwnerSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="goal-owner-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    goal = goal_field()
    role = role_field()

    class Meta:
        model = GoalOwner
        fields = ["id", "url", "display", "district", "goal", "role", *TRACKED_FIELDS]
        read_only_fields = TRACKED_FIELDS


class MetricSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="metric-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    goal = goal_field()
    owner_roles = RoleBriefSerializer(
        many=True,
        read_only=True,
        help_text="Roles that own the metric; change them through /api/v1/metric-owners/.",
    )
    effective_min_n = serializers.IntegerField(
        read_only=True,
        help_text="Values with a smaller n are suppressed (min_n, or the district's).",
    )

    class Meta:
        model = Metric
        fields = [
            "id",
            "url",
            "display",
            "district",
            "goal",
            "code",
            "name",
            "description",
            "unit",
            "decimals",
            "direction",
            "aggregation",
            "frequency",
            "baseline_value",
            "baseline_on",
            "target_value",
            "target_on",
            "tolerance",
            "min_n",
            "effective_min_n",
            "source",
            "sort_order",
            "owner_roles",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class MetricOwnerSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="metric-owner-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    metric = metric_field()
    role = role_field()

    class Meta:
        model = MetricOwner
        fields = ["id", "url", "display", "district", "metric", "role", *TRACKED_FIELDS]
        read_only_fields = TRACKED_FIELDS


class TargetSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="target-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    metric = metric_field()

    class Meta:
        model = Target
        fields = [
            "id",
            "url",
            "display",
            "district",
            "metric",
            "due_on",
            "value",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class MeasurementSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="measurement-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    metric = metric_field()
    school = BriefRelatedField(
        brief=SchoolBriefSerializer,
        queryset=School.objects.all(),
        required=False,
        allow_null=True,
        help_text="The school, when scope is `school`.",
    )
    network = BriefRelatedField(
        brief=NetworkBriefSerializer,
        queryset=Network.objects.all(),
        required=False,
        allow_null=True,
        help_text="The network, when scope is `network`.",
    )
    entered_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Measurement
        fields = [
            "id",
            "url",
            "display",
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
            *TRACKED_FIELDS,
        ]
        read_only_fields = ["entered_at", *TRACKED_FIELDS]

    def create(self, validated_data):
        validated_data["entered_by"] = self.context["request"].user
        return super().create(validated_data)

"""API serializers of the tiers app."""

from rest_framework import serializers

from district.api.serializers import (
    TRACKED_FIELDS,
    BriefRelatedField,
    DetailUrlField,
    DisplayField,
    SchoolBriefSerializer,
    SchoolGroupBriefSerializer,
    ValidatedModelSerializer,
    district_field,
)
from district.models import School, SchoolGroup
from goals.api.serializers import MetricBriefSerializer
from goals.models import Metric
from tiers.models import (
    Allocation,
    Support,
    Tier,
    TierAssignment,
    TierPlan,
    TierRule,
    validate_school_year,
)

# --- Briefs ---


class TierBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("tier-detail")
    display = DisplayField()

    class Meta:
        model = Tier
        fields = ["id", "url", "display", "level"]


class SupportBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("support-detail")
    display = DisplayField()

    class Meta:
        model = Support
        fields = ["id", "url", "display"]


# --- Resources ---


class TierSerializer(ValidatedModelSerializer):
    url = DetailUrlField("tier-detail")
    display = DisplayField()
    district = district_field()

    class Meta:
        model = Tier
        fields = [
            "id",
            "url",
            "display",
            "district",
            "level",
            "name",
            "description",
            "monitoring_cadence",
            "autonomies",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class TierPlanSerializer(ValidatedModelSerializer):
    url = DetailUrlField("tier-plan-detail")
    display = DisplayField()
    district = district_field()
    default_tier = BriefRelatedField(
        brief=TierBriefSerializer, queryset=Tier.objects.all()
    )
    adopted_by = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="username", read_only=True
    )

    class Meta:
        model = TierPlan
        fields = [
            "id",
            "url",
            "display",
            "district",
            "school_year",
            "default_tier",
            "adopted_at",
            "adopted_by",
            *TRACKED_FIELDS,
        ]
        read_only_fields = ["adopted_at", "adopted_by", *TRACKED_FIELDS]


class TierRuleSerializer(ValidatedModelSerializer):
    url = DetailUrlField("tier-rule-detail")
    display = DisplayField()
    district = district_field()
    plan = serializers.PrimaryKeyRelatedField(queryset=TierPlan.objects.all())
    tier = BriefRelatedField(brief=TierBriefSerializer, queryset=Tier.objects.all())
    metric = BriefRelatedField(
        brief=MetricBriefSerializer,
        queryset=Metric.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = TierRule
        fields = [
            "id",
            "url",
            "display",
            "district",
            "plan",
            "position",
            "tier",
            "metric",
            "comparison",
            "threshold",
            "min_off_track",
            "max_off_track",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class TierAssignmentSerializer(serializers.ModelSerializer):
    """A school's tier in a school year from one moment on (read only)."""

    url = DetailUrlField("tier-assignment-detail")
    display = DisplayField()
    district = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="slug", read_only=True
    )
    school = SchoolBriefSerializer(read_only=True)
    tier = TierBriefSerializer(read_only=True)
    assigned_by = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="username", read_only=True
    )

    class Meta:
        model = TierAssignment
        fields = [
            "id",
            "url",
            "display",
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
        read_only_fields = fields


class OverrideSerializer(serializers.Serializer):
    """Put a school in another tier for a school year, with a reason."""

    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.all())
    school_year = serializers.CharField(max_length=9, validators=[validate_school_year])
    tier = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all())
    reason = serializers.CharField(max_length=2000)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            for name in ("school", "tier"):
                fields[name].queryset = fields[name].queryset.visible_to(request.user)
        return fields

    def validate(self, attrs):
        if attrs["tier"].district_id != attrs["school"].district_id:
            raise serializers.ValidationError(
                {"tier": "The tier must belong to the school's district."}
            )
        return attrs


class SupportSerializer(ValidatedModelSerializer):
    url = DetailUrlField("support-detail")
    display = DisplayField()
    district = district_field()

    class Meta:
        model = Support
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "kind",
            "description",
            "unit",
            "capacity",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class AllocationSerializer(ValidatedModelSerializer):
    """An allocation; saving it checks the support's capacity (`tiers.allocations`)."""

    url = DetailUrlField("allocation-detail")
    display = DisplayField()
    district = district_field()
    support = BriefRelatedField(
        brief=SupportBriefSerializer, queryset=Support.objects.all()
    )
    school = BriefRelatedField(
        brief=SchoolBriefSerializer,
        queryset=School.objects.all(),
        required=False,
        allow_null=True,
    )
    school_group = BriefRelatedField(
        brief=SchoolGroupBriefSerializer,
        queryset=SchoolGroup.objects.all(),
        required=False,
        allow_null=True,
    )
    allocated_by = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="username", read_only=True
    )

    class Meta:
        model = Allocation
        fields = [
            "id",
            "url",
            "display",
            "district",
            "support",
            "school",
            "school_group",
            "amount",
            "starts_on",
            "ends_on",
            "reason",
            "allocated_by",
            *TRACKED_FIELDS,
        ]
        read_only_fields = ["allocated_by", *TRACKED_FIELDS]


class TierCountSerializer(serializers.Serializer):
    tier = TierBriefSerializer()
    schools = serializers.IntegerField()


class PlacementSerializer(serializers.Serializer):
    school = SchoolBriefSerializer()
    tier = TierBriefSerializer()
    rule = serializers.IntegerField(source="rule.pk", allow_null=True, default=None)
    off_track = serializers.IntegerField()
    explanation = serializers.CharField()


class EvaluationSerializer(serializers.Serializer):
    """What a plan's rules give: schools per tier and each school's tier and why."""

    school_year = serializers.CharField(source="plan.school_year")
    as_of = serializers.DateField()
    counts = TierCountSerializer(many=True)
    placements = PlacementSerializer(many=True)

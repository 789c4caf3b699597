"""API serializers of two-key decisions.

Decisions are written through `decisions.workflow` (the viewsets call it); their
state, round, dates and conditions are the workflow's and read-only here.
"""

from django.utils import timezone
from rest_framework import serializers

from district.api.serializers import (
    TRACKED_FIELDS,
    BriefRelatedField,
    DetailUrlField,
    DisplayField,
    ValidatedModelSerializer,
    district_field,
)
from goals.api.serializers import GoalBriefSerializer
from goals.models import Goal
from roles.api.serializers import ResponsibilityBriefSerializer, RoleBriefSerializer
from roles.models import Responsibility, Role

from ..models import (
    ChecklistItem,
    Decision,
    DecisionKind,
    DecisionPolicy,
    Review,
    ReviewCheck,
    Transition,
    Verdict,
)
from ..timing import decision_waited

# --- Briefs ---


class DecisionKindBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("decision-kind-detail")
    display = DisplayField()

    class Meta:
        model = DecisionKind
        fields = ["id", "url", "display"]


class DecisionBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("decision-detail")
    display = DisplayField()

    class Meta:
        model = Decision
        fields = ["id", "url", "display"]


def role_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(
        brief=RoleBriefSerializer, queryset=Role.objects.all(), **kwargs
    )


# --- Resources ---


class DecisionPolicySerializer(ValidatedModelSerializer):
    url = DetailUrlField("decision-policy-detail")
    display = DisplayField()
    district = district_field()

    class Meta:
        model = DecisionPolicy
        fields = [
            "id",
            "url",
            "display",
            "district",
            "target_working_days",
            "review_interval_months",
            "publish_register",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class DecisionKindSerializer(ValidatedModelSerializer):
    url = DetailUrlField("decision-kind-detail")
    display = DisplayField()
    district = district_field()

    class Meta:
        model = DecisionKind
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "description",
            "is_tool",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class ChecklistItemSerializer(ValidatedModelSerializer):
    url = DetailUrlField("checklist-item-detail")
    display = DisplayField()
    district = district_field()
    kind = BriefRelatedField(
        brief=DecisionKindBriefSerializer, queryset=DecisionKind.objects.all()
    )
    role = role_field()

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "url",
            "display",
            "district",
            "kind",
            "role",
            "text",
            "sort_order",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class DecisionSerializer(ValidatedModelSerializer):
    url = DetailUrlField("decision-detail")
    display = DisplayField()
    district = district_field()
    kind = BriefRelatedField(
        brief=DecisionKindBriefSerializer, queryset=DecisionKind.objects.all()
    )
    responsibility = BriefRelatedField(
        brief=ResponsibilityBriefSerializer,
        queryset=Responsibility.objects.all(),
        help_text="The matrix row: its accountable and consulted roles hold the keys.",
    )
    goal = BriefRelatedField(
        brief=GoalBriefSerializer,
        queryset=Goal.objects.all(),
        required=False,
        allow_null=True,
    )
    requested_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    waiting_working_days = serializers.SerializerMethodField(
        help_text="Working days (Monday to Friday) in review, until decided."
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "url",
            "display",
            "district",
            "title",
            "kind",
            "description",
            "requested_for",
            "requested_by",
            "responsibility",
            "goal",
            "product",
            "vendor",
            "privacy_status",
            "state",
            "round",
            "submitted_at",
            "decided_on",
            "conditions",
            "review_on",
            "waiting_working_days",
            *TRACKED_FIELDS,
        ]
        read_only_fields = [
            "requested_by",
            "state",
            "round",
            "submitted_at",
            "decided_on",
            "conditions",
            *TRACKED_FIELDS,
        ]

    def get_waiting_working_days(self, decision) -> int:
        return decision_waited(decision, today=timezone.localdate())


class ReviewCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewCheck
        fields = ["id", "text", "sort_order", "is_checked", "note"]


class ReviewSerializer(ValidatedModelSerializer):
    url = DetailUrlField("decision-review-detail")
    display = DisplayField()
    district = district_field()
    decision = BriefRelatedField(
        brief=DecisionBriefSerializer, queryset=Decision.objects.all()
    )
    role = role_field()
    checks = ReviewCheckSerializer(many=True, read_only=True)
    reviewed_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "url",
            "display",
            "district",
            "decision",
            "round",
            "role",
            "requested_at",
            "checks",
            "verdict",
            "conditions",
            "rationale",
            "reviewed_by",
            "reviewer_name",
            "reviewed_at",
            *TRACKED_FIELDS,
        ]
        read_only_fields = fields


class CheckAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, help_text="The review check's id.")
    is_checked = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class VerdictSerializer(serializers.Serializer):
    """A role holder's verdict on one key."""

    verdict = serializers.ChoiceField(choices=Verdict.choices)
    rationale = serializers.CharField(max_length=4000)
    conditions = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )
    checks = CheckAnswerSerializer(many=True, required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TransitionSerializer(serializers.ModelSerializer):
    url = DetailUrlField("decision-transition-detail")
    display = DisplayField()
    decision = DecisionBriefSerializer(read_only=True)
    actor: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Transition
        fields = [
            "id",
            "url",
            "display",
            "decision",
            "from_state",
            "to_state",
            "actor",
            "at",
            "reason",
        ]
        read_only_fields = fields


class ApprovedToolSerializer(serializers.ModelSerializer):
    """One entry of the register of approved tools."""

    kind = serializers.CharField(source="kind.name", read_only=True)
    approved_on = serializers.DateField(source="decided_on", read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "title",
            "product",
            "vendor",
            "kind",
            "conditions",
            "privacy_status",
            "approved_on",
            "review_on",
        ]
        read_only_fields = fields


class OpenKeySerializer(serializers.Serializer):
    role = serializers.CharField(source="review.role.code")
    holders = serializers.ListField(
        child=serializers.CharField(), source="holder_names"
    )
    verdict = serializers.CharField(source="review.verdict")
    working_days = serializers.IntegerField()
    is_overdue = serializers.BooleanField()


class OpenDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="decision.pk")
    title = serializers.CharField(source="decision.title")
    submitted_at = serializers.DateTimeField(source="decision.submitted_at")
    working_days = serializers.IntegerField()
    is_overdue = serializers.BooleanField()
    keys = OpenKeySerializer(many=True)

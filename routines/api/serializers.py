"""API serializers of the routines app: partnerships, meeting series, meetings, items."""

from rest_framework import serializers

from district.api.serializers import (
    TRACKED_FIELDS,
    BriefRelatedField,
    DetailUrlField,
    DisplayField,
    NetworkBriefSerializer,
    PersonBriefSerializer,
    SchoolBriefSerializer,
    ValidatedModelSerializer,
    district_field,
)
from district.models import Network, Person, School
from goals.api.serializers import goal_field, metric_field
from roles.api.serializers import ResponsibilityBriefSerializer, role_field
from roles.models import Responsibility
from routines.models import (
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

# --- Briefs ---


class PartnershipBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("partnership-detail")
    display = DisplayField()

    class Meta:
        model = Partnership
        fields = ["id", "url", "display"]


class MeetingSeriesBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("meeting-series-detail")
    display = DisplayField()

    class Meta:
        model = MeetingSeries
        fields = ["id", "url", "display"]


class MeetingBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("meeting-detail")
    display = DisplayField()

    class Meta:
        model = Meeting
        fields = ["id", "url", "display"]


class TheoryStatementBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("theory-statement-detail")
    display = DisplayField()

    class Meta:
        model = TheoryStatement
        fields = ["id", "url", "display"]


def brief_field(brief, model, **kwargs) -> BriefRelatedField:
    return BriefRelatedField(brief=brief, queryset=model.objects.all(), **kwargs)


def person_field(**kwargs) -> BriefRelatedField:
    return brief_field(PersonBriefSerializer, Person, **kwargs)


def row_field(**kwargs) -> BriefRelatedField:
    return brief_field(ResponsibilityBriefSerializer, Responsibility, **kwargs)


# --- Partnerships ---


class PartnershipSerializer(ValidatedModelSerializer):
    url = DetailUrlField("partnership-detail")
    display = DisplayField()
    district = district_field()

    class Meta:
        model = Partnership
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "vision",
            "sort_order",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class PartnershipRoleSerializer(ValidatedModelSerializer):
    url = DetailUrlField("partnership-role-detail")
    display = DisplayField()
    district = district_field()
    partnership = brief_field(PartnershipBriefSerializer, Partnership)
    role = role_field()

    class Meta:
        model = PartnershipRole
        fields = ["id", "url", "display", "district", "partnership", "role"]
        fields += TRACKED_FIELDS
        read_only_fields = TRACKED_FIELDS


class TheoryStatementSerializer(ValidatedModelSerializer):
    url = DetailUrlField("theory-statement-detail")
    display = DisplayField()
    district = district_field()
    partnership = brief_field(PartnershipBriefSerializer, Partnership)

    class Meta:
        model = TheoryStatement
        fields = [
            "id",
            "url",
            "display",
            "district",
            "partnership",
            "if_clause",
            "then_clause",
            "sort_order",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class TheoryLinkSerializer(ValidatedModelSerializer):
    url = DetailUrlField("theory-link-detail")
    display = DisplayField()
    district = district_field()
    statement = brief_field(TheoryStatementBriefSerializer, TheoryStatement)
    responsibility = row_field(required=False, allow_null=True)
    goal = goal_field(required=False, allow_null=True)

    class Meta:
        model = TheoryLink
        fields = [
            "id",
            "url",
            "display",
            "district",
            "statement",
            "responsibility",
            "goal",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class NonNegotiableSerializer(ValidatedModelSerializer):
    url = DetailUrlField("non-negotiable-detail")
    display = DisplayField()
    district = district_field()
    partnership = brief_field(PartnershipBriefSerializer, Partnership)
    owner = role_field()
    metric = metric_field(required=False, allow_null=True)

    class Meta:
        model = NonNegotiable
        fields = [
            "id",
            "url",
            "display",
            "district",
            "partnership",
            "statement",
            "owner",
            "monitoring",
            "metric",
            "sort_order",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


# --- Meetings ---


class MeetingSeriesSerializer(ValidatedModelSerializer):
    url = DetailUrlField("meeting-series-detail")
    display = DisplayField()
    district = district_field()
    network = brief_field(
        NetworkBriefSerializer, Network, required=False, allow_null=True
    )
    partnership = brief_field(
        PartnershipBriefSerializer, Partnership, required=False, allow_null=True
    )

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "scope",
            "network",
            "partnership",
            "cadence",
            "duration_minutes",
            "location",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class SeriesMemberSerializer(ValidatedModelSerializer):
    url = DetailUrlField("series-member-detail")
    display = DisplayField()
    district = district_field()
    series = brief_field(MeetingSeriesBriefSerializer, MeetingSeries)
    person = person_field()

    class Meta:
        model = SeriesMember
        fields = ["id", "url", "display", "district", "series", "person"]
        fields += TRACKED_FIELDS
        read_only_fields = TRACKED_FIELDS


class MeetingSerializer(ValidatedModelSerializer):
    url = DetailUrlField("meeting-detail")
    display = DisplayField()
    district = district_field()
    series = brief_field(MeetingSeriesBriefSerializer, MeetingSeries)
    brief = serializers.JSONField(
        read_only=True,
        help_text="The brief frozen when the meeting started; null before.",
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "display",
            "district",
            "series",
            "starts_at",
            "started_at",
            "notes",
            "brief",
            *TRACKED_FIELDS,
        ]
        read_only_fields = ["started_at", *TRACKED_FIELDS]


class MeetingDecisionSerializer(ValidatedModelSerializer):
    url = DetailUrlField("meeting-decision-detail")
    display = DisplayField()
    district = district_field()
    meeting = brief_field(MeetingBriefSerializer, Meeting)

    class Meta:
        model = MeetingDecision
        fields = [
            "id",
            "url",
            "display",
            "district",
            "meeting",
            "statement",
            "outcome",
            "decided_on",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class ActionItemSerializer(ValidatedModelSerializer):
    url = DetailUrlField("action-item-detail")
    display = DisplayField()
    district = district_field()
    series = brief_field(MeetingSeriesBriefSerializer, MeetingSeries)
    raised_in = brief_field(
        MeetingBriefSerializer, Meeting, required=False, allow_null=True
    )
    owner_person = person_field(required=False, allow_null=True)
    owner_role = role_field(required=False, allow_null=True)
    metric = metric_field(required=False, allow_null=True)
    school = brief_field(SchoolBriefSerializer, School, required=False, allow_null=True)
    network = brief_field(
        NetworkBriefSerializer, Network, required=False, allow_null=True
    )
    responsibility = row_field(required=False, allow_null=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "url",
            "display",
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
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS

"""API serializers of the goals app: goals, metrics, owners, targets, measurements."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from district.api.serializers import (
    TRACKED_FIELDS,
    BriefRelatedField,
    DetailUrlField,
    DisplayField,
    NetworkBriefSerializer,
    PersonBriefSerializer,
    SchoolBriefSerializer,
    SchoolGroupBriefSerializer,
    ValidatedModelSerializer,
    district_field,
)
from district.models import (
    AccessLevel,
    District,
    Network,
    Person,
    School,
    SchoolGroup,
)
from goals.display import is_withheld
from goals.models import (
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
from goals.populations import foreign_schools_error
from goals.status import (
    EARLIEST_AS_OF,
    LATEST_AS_OF,
    Status,
    as_of_error,
    is_suppressed,
    judged_on,
)
from goals.targets import TargetScope
from roles.api.serializers import (
    ResponsibilityBriefSerializer,
    RoleBriefSerializer,
    role_field,
)
from roles.models import Responsibility

# --- Briefs ---


class GoalBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("goal-detail")
    display = DisplayField()

    class Meta:
        model = Goal
        fields = ["id", "url", "display"]


class MetricBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("metric-detail")
    display = DisplayField()

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
    url = DetailUrlField("goal-detail")
    display = DisplayField()
    district = district_field()
    parent = goal_field(required=False, allow_null=True)  # type: ignore[assignment]
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
    url = DetailUrlField("goal-owner-detail")
    display = DisplayField()
    district = district_field()
    goal = goal_field()
    role = role_field()

    class Meta:
        model = GoalOwner
        fields = ["id", "url", "display", "district", "goal", "role", *TRACKED_FIELDS]
        read_only_fields = TRACKED_FIELDS


class ResponsibilityLinkSerializer(ValidatedModelSerializer):
    url = DetailUrlField("responsibility-link-detail")
    display = DisplayField()
    district = district_field()
    responsibility = BriefRelatedField(
        brief=ResponsibilityBriefSerializer, queryset=Responsibility.objects.all()
    )
    goal = goal_field(required=False, allow_null=True)
    metric = metric_field(required=False, allow_null=True)

    class Meta:
        model = ResponsibilityLink
        fields = [
            "id",
            "url",
            "display",
            "district",
            "responsibility",
            "goal",
            "metric",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class MetricSerializer(ValidatedModelSerializer):
    url = DetailUrlField("metric-detail")
    display = DisplayField()
    update_owner = BriefRelatedField(
        brief=PersonBriefSerializer,
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
        help_text="Who enters its values and commentary; empty: the holder of its "
        "first owner role on the day.",
    )
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
    population_schools = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=School.objects.all(),
        help_text="School ids, for a population of listed schools.",
    )
    effective_coverage_threshold = serializers.IntegerField(
        read_only=True,
        help_text="Percent of the population that must report for a complete period "
        "(coverage_threshold, or the district's).",
    )

    def validate(self, attrs):
        schools = attrs.pop("population_schools", None)
        attrs = super().validate(attrs)
        if schools is not None:
            district = attrs.get("district") or self.instance.district
            message = foreign_schools_error(district.pk, schools)
            if message:
                raise serializers.ValidationError({"population_schools": [message]})
            attrs["population_schools"] = schools
        return attrs

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
            "population",
            "population_category",
            "population_network_kind",
            "population_schools",
            "coverage_threshold",
            "effective_coverage_threshold",
            "source",
            "is_simulated",
            "sort_order",
            "owner_roles",
            "update_owner",
            "grace_days",
            "target_change_reason",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class MetricOwnerSerializer(ValidatedModelSerializer):
    url = DetailUrlField("metric-owner-detail")
    display = DisplayField()
    district = district_field()
    metric = metric_field()
    role = role_field()

    class Meta:
        model = MetricOwner
        fields = ["id", "url", "display", "district", "metric", "role", *TRACKED_FIELDS]
        read_only_fields = TRACKED_FIELDS


class TargetSerializer(ValidatedModelSerializer):
    url = DetailUrlField("target-detail")
    display = DisplayField()
    district = district_field()
    metric = metric_field()
    network = BriefRelatedField(
        brief=NetworkBriefSerializer,
        queryset=Network.objects.all(),
        required=False,
        allow_null=True,
        help_text="The network whose own target this is; empty for the district's "
        "(or a school group's).",
    )
    school_group = BriefRelatedField(
        brief=SchoolGroupBriefSerializer,
        queryset=SchoolGroup.objects.all(),
        required=False,
        allow_null=True,
        help_text="The school group whose own target this is.",
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "url",
            "display",
            "district",
            "metric",
            "network",
            "school_group",
            "kind",
            "due_on",
            "value",
            "change_reason",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class MeasurementSerializer(ValidatedModelSerializer):
    url = DetailUrlField("measurement-detail")
    display = DisplayField()
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
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        allow_null=True,
        help_text="Required when writing. Null in a response when `is_suppressed`.",
    )
    n = serializers.IntegerField(
        min_value=0,
        max_value=2_147_483_647,
        required=False,
        allow_null=True,
        help_text="The denominator (students or staff the value describes). Null "
        "in a response when `is_suppressed`.",
    )
    is_suppressed = serializers.SerializerMethodField(
        help_text="True when the value and n are withheld from you: n is below the "
        "metric's minimum n and you cannot edit the district (editors see them)."
    )
    entered_by = serializers.SlugRelatedField(  # type: ignore[var-annotated]
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
            "is_suppressed",
            "source",
            "entered_by",
            "entered_at",
            *TRACKED_FIELDS,
        ]
        read_only_fields = ["entered_at", *TRACKED_FIELDS]

    def _is_withheld(self, measurement) -> bool:
        request = self.context.get("request")
        min_n = measurement.effective_min_n
        if request is None:  # no one to ask about: withheld whenever suppressed
            return is_suppressed(measurement.n, min_n)
        return is_withheld(
            request, n=measurement.n, min_n=min_n, district_id=measurement.district_id
        )

    def get_is_suppressed(self, measurement) -> bool:
        return self._is_withheld(measurement)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["is_suppressed"]:
            data["value"] = data["n"] = None
        return data

    def validate_value(self, value):
        if value is None:
            raise serializers.ValidationError(_("Give a value."))
        return value

    def create(self, validated_data):
        validated_data["entered_by"] = self.context["request"].user
        return super().create(validated_data)


# --- Bulk upsert ---

BULK_MAX_ROWS = 10_000


class MeasurementRowSerializer(serializers.Serializer):
    """One row of a bulk upsert (documentation of the row's keys; other keys are ignored)."""

    metric = serializers.CharField(help_text="The metric's code.")
    scope = serializers.ChoiceField(
        choices=["school", "network", "district"],
        required=False,
        help_text="Optional: follows from school_id / network when absent.",
    )
    school_id = serializers.CharField(
        required=False, help_text="The district's school id, for a school's value."
    )
    network = serializers.CharField(
        required=False, help_text="The network's name, for a network's value."
    )
    period_end = serializers.DateField(
        required=False, help_text="Last day of the period (or give school_year)."
    )
    school_year = serializers.CharField(
        required=False, help_text="A school year such as 2014-15 (ends 30 June 2015)."
    )
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        coerce_to_string=False,
        help_text="A number (JSON number or string) in the metric's unit range.",
    )
    n = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=2_147_483_647,
        help_text="The denominator (students or staff the value describes).",
    )


class MeasurementBulkSerializer(serializers.Serializer):
    """A bulk upsert: all rows are saved, or none."""

    district = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=District.objects.all(),
        help_text="The district's slug (e.g. `cps`); you must be an editor there.",
    )
    # Rows are checked by upsert_measurements, which numbers each row's errors.
    rows = serializers.ListField(
        allow_empty=False,
        max_length=BULK_MAX_ROWS,
        error_messages={
            "max_length": f"At most {BULK_MAX_ROWS:,} rows per request; "
            "send the rest in further requests."
        },
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check the rows and count, but save nothing."
    )
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=200,
        required=False,
        default="",
        allow_blank=True,
        help_text="Where the values come from, e.g. `warehouse 2016-07-01`.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["district"].queryset = District.objects.editable_by(
                request.user
            )


class MeasurementBulkDocSerializer(MeasurementBulkSerializer):
    """The request body as the schema shows it: rows with their keys."""

    # many=True builds a ListSerializer, which takes max_length; the stubs do not say so.
    rows = MeasurementRowSerializer(many=True, max_length=BULK_MAX_ROWS)  # type: ignore[call-arg,assignment]


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the row in `rows`, from 0.")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class MeasurementBulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    saved = serializers.BooleanField(help_text="False for a dry run.")


class MeasurementBulkRefusalSerializer(serializers.Serializer):
    """A refused bulk upsert: invalid rows with their index, or invalid body fields
    (`district`, `rows`, ... as in any 400). Nothing was saved."""

    detail = serializers.CharField(required=False)
    errors = RowErrorSerializer(many=True, required=False)  # type: ignore[assignment]
    created = serializers.IntegerField(
        required=False, help_text="What the valid rows would have created."
    )
    updated = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    saved = serializers.BooleanField(required=False, help_text="Always false.")


# --- Statuses and rollups (computed by goals.dashboards and goals.scorecards, which
# call goals.status and goals.rollups) ---


class PeriodQuerySerializer(serializers.Serializer):
    """The date statuses are judged as of: `as_of`, or that of `school_year`."""

    as_of = serializers.DateField(
        required=False,
        help_text="Judge as of this date (default: today), from "
        f"{EARLIEST_AS_OF.isoformat()} to {LATEST_AS_OF.isoformat()}.",
    )
    school_year = serializers.RegexField(
        r"^\d{4}-(\d{2}|\d{4})$",
        required=False,
        help_text="A school year such as 2016-17: as of today while it runs, as of "
        "its last day (30 June) once it is over.",
    )

    def validate_as_of(self, value):
        if message := as_of_error(value):
            raise serializers.ValidationError(message)
        return value

    def validate(self, attrs):
        if "as_of" in attrs and "school_year" in attrs:
            raise serializers.ValidationError("Give as_of or school_year, not both.")
        if "school_year" in attrs:
            try:
                attrs["as_of"] = judged_on(
                    attrs["school_year"], today=timezone.localdate()
                )
            except ValueError as error:
                raise serializers.ValidationError(
                    {"school_year": "Not a school year; write it as 2016-17."}
                ) from error
            if message := as_of_error(attrs["as_of"]):
                raise serializers.ValidationError({"school_year": message})
        attrs.setdefault("as_of", timezone.localdate())
        return attrs


class DashboardQuerySerializer(PeriodQuerySerializer):
    role = serializers.RegexField(
        r"^(\d{1,18}|joint)$",
        required=False,
        help_text="Only goals this role (id) owns, or `joint` for goals of 2+ roles.",
    )
    network = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Values of this network (id) instead of the district's.",
    )


class CoverageSerializer(serializers.Serializer):
    """How many units of the metric's population reported for a value (goals.coverage)."""

    reported = serializers.IntegerField()
    expected = serializers.IntegerField()
    units = serializers.SerializerMethodField(
        help_text="`schools`, or `networks` for a district value rolled up from "
        "values entered for networks."
    )
    is_partial = serializers.BooleanField(
        help_text="Fewer than the coverage threshold reported."
    )
    text = serializers.CharField(help_text='For example "17 of 612 schools reported".')

    def get_units(self, coverage) -> str:
        return "networks" if coverage.from_networks else "schools"


class InProgressSerializer(serializers.Serializer):
    """A partial period newer than the headline: never taken as the latest value."""

    period_end = serializers.DateField()
    value = serializers.DecimalField(
        source="latest.value",
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="Null when suppressed (small n) for you.",
    )
    coverage = CoverageSerializer()


class ScopeValueSerializer(serializers.Serializer):
    """A metric's latest value for one scope, as the caller may see it, and its status."""

    status = serializers.ChoiceField(choices=Status.choices, source="status.status")
    value = serializers.DecimalField(
        source="latest.value",
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="Null when there is none or it is suppressed (small n) for you.",
    )
    n = serializers.IntegerField(source="latest.n", allow_null=True)
    is_suppressed = serializers.BooleanField(source="latest.is_suppressed")
    period_end = serializers.DateField(source="status.period_end", allow_null=True)
    expected = serializers.DecimalField(
        source="status.expected",
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="The target trajectory's value at period_end.",
    )
    margin = serializers.DecimalField(
        source="status.margin",
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="Better (positive) or worse (negative) than expected.",
    )
    change = serializers.DecimalField(
        source="change_value",
        max_digits=None,
        decimal_places=4,
        allow_null=True,
        help_text="Change since the previous period.",
    )
    schools_reporting = serializers.IntegerField(allow_null=True)
    is_entered = serializers.BooleanField(
        help_text="Entered for this scope, not rolled up from schools."
    )
    coverage = CoverageSerializer(
        allow_null=True,
        help_text="Coverage of the value above: the latest complete period. Null "
        "when unknown.",
    )
    in_progress = InProgressSerializer(
        allow_null=True,
        help_text="A newer period with too few reports, shown apart; null when none.",
    )
    target_scope = serializers.ChoiceField(
        choices=TargetScope.choices,
        source="applied_target.scope",
        help_text="Whose target judges the value: the district's, the network's own "
        "or a school group's.",
    )


class NetworkValueSerializer(ScopeValueSerializer):
    network = NetworkBriefSerializer(source="place")


class MetricStatusSerializer(serializers.Serializer):
    """A metric's status as of a date: for the district and for each network."""

    metric = MetricBriefSerializer(source="card.metric")
    as_of = serializers.DateField()
    district = ScopeValueSerializer(source="card")
    networks = NetworkValueSerializer(many=True)


class CardCommentarySerializer(serializers.Serializer):
    period_end = serializers.DateField()
    behind_the_number = serializers.CharField()
    next_steps = serializers.CharField()


class MetricCardSerializer(ScopeValueSerializer):
    metric = MetricBriefSerializer()
    code = serializers.CharField(source="metric.code")
    unit = serializers.CharField(source="metric.unit")
    owners = serializers.ListField(
        child=serializers.CharField(), help_text="Role codes."
    )
    commentary = CardCommentarySerializer(
        allow_null=True,
        help_text="The owner's latest commentary on the scope's number, up to as_of.",
    )


class GoalCardSerializer(serializers.Serializer):
    goal = GoalBriefSerializer()
    owners = serializers.ListField(
        child=serializers.CharField(), help_text="Role codes."
    )
    status = serializers.ChoiceField(
        choices=Status.choices, help_text="The worst of its metrics' statuses."
    )
    metrics = MetricCardSerializer(many=True)


class StatusCountsSerializer(serializers.Serializer):
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    off_track = serializers.IntegerField()
    stale = serializers.IntegerField()
    no_data = serializers.IntegerField()
    not_applicable = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    """A district's (or a network's) goals, their metrics' statuses, and counts."""

    as_of = serializers.DateField()
    scope = serializers.CharField(
        source="scope_label", help_text="`District` or the network's name."
    )
    counts = serializers.SerializerMethodField(
        help_text="How many metrics have each status."
    )
    goals = GoalCardSerializer(many=True)

    @extend_schema_field(StatusCountsSerializer)
    def get_counts(self, dashboard):
        return {str(status.value): count for status, count in dashboard.counts}


class CommentarySerializer(ValidatedModelSerializer):
    url = DetailUrlField("commentary-detail")
    display = DisplayField()
    district = district_field()
    metric = metric_field()
    network = BriefRelatedField(
        brief=NetworkBriefSerializer,
        queryset=Network.objects.all(),
        required=False,
        allow_null=True,
        help_text="Empty: the district's number.",
    )
    written_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Commentary
        fields = [
            "id",
            "url",
            "display",
            "district",
            "metric",
            "network",
            "period_end",
            "behind_the_number",
            "next_steps",
            "written_by",
            "written_at",
            *TRACKED_FIELDS,
        ]
        read_only_fields = [*TRACKED_FIELDS, "written_at"]

    def create(self, validated_data):
        validated_data["written_by"] = self.context["request"].user
        return super().create(validated_data)


class ClosedPeriodSerializer(ValidatedModelSerializer):
    url = DetailUrlField("closed-period-detail")
    display = DisplayField()
    district = district_field()
    closed_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    reopened_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    # District admins close and reopen periods.
    district_level = AccessLevel.ADMIN

    class Meta:
        model = ClosedPeriod
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "starts_on",
            "ends_on",
            "closed_by",
            "reopened_at",
            "reopened_by",
            "reopen_reason",
            *TRACKED_FIELDS,
        ]
        read_only_fields = [*TRACKED_FIELDS, "reopened_at"]

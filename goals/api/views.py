"""API views of the goals app."""

from django.db.models import Prefetch
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from district.api.base import DistrictScopedViewSet
from district.api.computed import DistrictComputedViewSet
from district.api.filters import MeasurementCursorPagination
from district.conditional import conditional_api_action
from district.models import AccessLevel, Network, School
from district.permissions import get_district_access_or_404
from goals.dashboards import GOALS_DATA, build_dashboard, metrics_with_details
from goals.display import withheld_in_history
from goals.importers import upsert_measurements
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
from goals.scorecards import build_metric_detail
from roles.models import Role

from .filters import (
    ClosedPeriodFilterSet,
    CommentaryFilterSet,
    GoalFilterSet,
    GoalOwnerFilterSet,
    MeasurementFilterSet,
    MetricFilterSet,
    MetricOwnerFilterSet,
    ResponsibilityLinkFilterSet,
    TargetFilterSet,
)
from .serializers import (
    ClosedPeriodSerializer,
    CommentarySerializer,
    DashboardQuerySerializer,
    DashboardSerializer,
    GoalOwnerSerializer,
    GoalSerializer,
    MeasurementBulkDocSerializer,
    MeasurementBulkRefusalSerializer,
    MeasurementBulkResultSerializer,
    MeasurementBulkSerializer,
    MeasurementSerializer,
    MetricOwnerSerializer,
    MetricSerializer,
    MetricStatusSerializer,
    PeriodQuerySerializer,
    ResponsibilityLinkSerializer,
    TargetSerializer,
)

OWNER_ROLES = Prefetch("owner_roles", queryset=Role.objects.order_by("pk"))


class GoalViewSet(DistrictScopedViewSet):
    queryset = Goal.objects.select_related("district", "parent").prefetch_related(
        OWNER_ROLES
    )
    serializer_class = GoalSerializer
    filterset_class = GoalFilterSet
    search_fields = ["statement", "description"]
    ordering_fields = ["statement", "sort_order", "starts_on", "ends_on", "updated_at"]


class GoalOwnerViewSet(DistrictScopedViewSet):
    queryset = GoalOwner.objects.select_related("district", "goal", "role")
    serializer_class = GoalOwnerSerializer
    filterset_class = GoalOwnerFilterSet
    search_fields = ["goal__statement", "role__code"]
    ordering_fields = ["updated_at"]


class ResponsibilityLinkViewSet(DistrictScopedViewSet):
    """Matrix rows linked to the goals and metrics they serve (filter either way)."""

    queryset = ResponsibilityLink.objects.select_related(
        "district", "responsibility", "goal", "metric"
    )
    serializer_class = ResponsibilityLinkSerializer
    filterset_class = ResponsibilityLinkFilterSet
    search_fields = ["responsibility__name", "goal__statement", "metric__name"]
    ordering_fields = ["updated_at"]


class MetricViewSet(DistrictScopedViewSet):
    queryset = Metric.objects.select_related("district", "goal").prefetch_related(
        OWNER_ROLES, Prefetch("population_schools", queryset=School.objects.only("pk"))
    )
    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    search_fields = ["code", "name", "description"]
    ordering_fields = ["code", "name", "sort_order", "updated_at"]

    @extend_schema(
        parameters=[PeriodQuerySerializer],
        responses={200: MetricStatusSerializer},
        description="The metric's latest value and status (on track, at risk, off "
        "track, stale, no data) as of a date, for the district and for each network, "
        "rolled up from school values by the metric's aggregation (a value entered "
        "for a network or the district takes precedence). Values below the metric's "
        "minimum n are suppressed unless you can edit the district.",
    )
    @action(detail=True, methods=["get"])
    def status(self, request, pk=None):
        """Status and rollups as computed by `goals.scorecards.build_metric_detail`."""
        metric = self.get_object()
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data["as_of"]
        access = get_district_access_or_404(request.user, metric.district.slug)
        district = access.district
        metric = metrics_with_details(Metric.objects.filter(pk=metric.pk)).get()
        networks = list(
            Network.objects.visible_to(request.user)
            .filter(district=district)
            .order_by("-is_geographic", "name", "pk")
        )
        detail = build_metric_detail(
            district=district,
            user=request.user,
            metric=metric,
            networks=networks,
            as_of=as_of,
            can_see_suppressed=access.can_edit,
        )
        data = {"card": detail.card, "as_of": as_of, "networks": detail.networks}
        return Response(MetricStatusSerializer(data, context={"request": request}).data)


class MetricOwnerViewSet(DistrictScopedViewSet):
    queryset = MetricOwner.objects.select_related("district", "metric", "role")
    serializer_class = MetricOwnerSerializer
    filterset_class = MetricOwnerFilterSet
    search_fields = ["metric__name", "metric__code", "role__code"]
    ordering_fields = ["updated_at"]


class TargetViewSet(DistrictScopedViewSet):
    queryset = Target.objects.select_related(
        "district", "metric", "network", "school_group"
    )
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    ordering_fields = ["due_on", "value", "updated_at"]


class CommentaryViewSet(DistrictScopedViewSet):
    """The owner's commentary on a metric's number for a period (district or network).

    Refused, like values and targets, in a closed period.
    """

    queryset = Commentary.objects.select_related(
        "district", "metric", "network", "written_by"
    )
    serializer_class = CommentarySerializer
    filterset_class = CommentaryFilterSet
    ordering_fields = ["period_end", "updated_at"]


class ClosedPeriodViewSet(DistrictScopedViewSet):
    """Periods a district admin closed: their values, commentary and targets stay put.

    Reopening takes a reason: PATCH `reopen_reason`. The dates of a closed period do
    not change.
    """

    queryset = ClosedPeriod.objects.select_related(
        "district", "closed_by", "reopened_by"
    )
    serializer_class = ClosedPeriodSerializer
    filterset_class = ClosedPeriodFilterSet
    ordering_fields = ["starts_on", "updated_at"]
    write_level = AccessLevel.ADMIN

    def perform_create(self, serializer):
        serializer.validated_data["closed_by"] = self.request.user
        super().perform_create(serializer)

    def perform_update(self, serializer):
        reason = serializer.validated_data.get("reopen_reason", "")
        if serializer.instance.reopened_at is None and reason.strip():
            serializer.save(reopened_at=timezone.now(), reopened_by=self.request.user)
        else:
            serializer.save()


class MeasurementViewSet(DistrictScopedViewSet):
    """Values of metrics per school, network or district and period.

    Paged by a cursor over the id (no count: the table holds millions of rows); no
    search or reordering, which a cursor over the id cannot follow.
    """

    queryset = Measurement.objects.select_related(
        "district", "metric", "school", "network", "entered_by"
    )
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = MeasurementCursorPagination

    def history_hidden_fields(self):
        # A suppressed value and its n stay hidden from viewers in its history too.
        return withheld_in_history(self.request)

    @extend_schema(
        request=MeasurementBulkDocSerializer,
        responses={
            200: MeasurementBulkResultSerializer,
            400: OpenApiResponse(
                MeasurementBulkRefusalSerializer,
                description="Some rows are invalid (each listed with its index), or "
                "the body is (for example over 10,000 rows). Nothing was saved.",
            ),
        },
        description="Create or update up to 10,000 measurements of one district in "
        "one transaction: all rows are saved or none. A row that matches the stored "
        "value and n is unchanged, so sending the same rows again writes nothing. "
        "Rows name the metric by code, the school by the district's school id and "
        "the network by name.",
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Upsert measurements in bulk through `goals.importers.upsert_measurements`."""
        body = MeasurementBulkSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        result = upsert_measurements(
            district=body.validated_data["district"],
            rows=body.validated_data["rows"],
            acting_user=request.user,
            dry_run=body.validated_data["dry_run"],
            source=body.validated_data["source"],
        )
        counts = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "saved": result.saved,
        }
        if result.errors:
            invalid = result.skipped
            return Response(
                {
                    "detail": f"{invalid} of {len(body.validated_data['rows'])} rows "
                    "are invalid; nothing was saved.",
                    **counts,
                    "errors": [
                        {"index": e.row, "column": e.column, "message": e.message}
                        for e in result.errors
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(counts)


class DistrictDashboardViewSet(DistrictComputedViewSet):
    """A district's dashboard, at `/api/v1/districts/<slug>/dashboard/`."""

    @extend_schema(
        parameters=[DashboardQuerySerializer],
        responses={200: DashboardSerializer},
        description="The district's goals with their metrics' latest values and "
        "statuses (on track, at risk, off track, stale, no data) as of a date, for "
        "the district or one network, and how many metrics have each status. Values "
        "below a metric's minimum n are suppressed unless you can edit the district.",
    )
    @action(detail=True, methods=["get"])
    @conditional_api_action(GOALS_DATA)
    def dashboard(self, request, slug=None):
        """The dashboard as computed by `goals.dashboards.build_dashboard`."""
        access = get_district_access_or_404(request.user, self.get_object().slug)
        district = access.district
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        network = None
        if "network" in params:
            network = (
                Network.objects.visible_to(request.user)
                .filter(district=district, pk=params["network"])
                .first()
            )
            if network is None:
                raise ValidationError(
                    {"network": ["No such network in this district."]}
                )
        board = build_dashboard(
            district=district,
            user=request.user,
            as_of=params["as_of"],
            owner=params.get("role"),
            network=network,
            can_see_suppressed=access.can_edit,
        )
        return Response(DashboardSerializer(board, context={"request": request}).data)

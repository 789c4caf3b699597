"""API views of the goals app."""

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend

from district.access import DistrictScopedViewSet
from district.api.filters import MeasurementCursorPagination
from goals.models import Goal, GoalOwner, Measurement, Metric, MetricOwner, Target
from roles.models import Role

from .filters import (
    GoalFilterSet,
    GoalOwnerFilterSet,
    MeasurementFilterSet,
    MetricFilterSet,
    MetricOwnerFilterSet,
    TargetFilterSet,
)
from .serializers import (
    GoalOwnerSerializer,
    GoalSerializer,
    MeasurementSerializer,
    MetricOwnerSerializer,
    MetricSerializer,
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


class MetricViewSet(DistrictScopedViewSet):
    queryset = Metric.objects.select_related("district", "goal").prefetch_related(
        OWNER_ROLES
    )
    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    search_fields = ["code", "name", "description"]
    ordering_fields = ["code", "name", "sort_order", "updated_at"]


class MetricOwnerViewSet(DistrictScopedViewSet):
    queryset = MetricOwner.objects.select_related("district", "metric", "role")
    serializer_class = MetricOwnerSerializer
    filterset_class = MetricOwnerFilterSet
    search_fields = ["metric__name", "metric__code", "role__code"]
    ordering_fields = ["updated_at"]


class TargetViewSet(DistrictScopedViewSet):
    queryset = Target.objects.select_related("district", "metric")
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    ordering_fields = ["due_on", "value", "updated_at"]


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

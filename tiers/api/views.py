"""API views of the tiers app: tiers, rules, their evaluation and adoption, the tier
history and overrides, supports and allocations."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from district.api.base import DistrictScopedViewSet
from tiers.allocations import delete_allocation, save_allocation
from tiers.assignments import adopt_plan, override_tier
from tiers.evaluation import evaluate_plan
from tiers.models import Allocation, Support, Tier, TierAssignment, TierPlan, TierRule

from .filters import (
    AllocationFilterSet,
    SupportFilterSet,
    TierAssignmentFilterSet,
    TierFilterSet,
    TierPlanFilterSet,
    TierRuleFilterSet,
)
from .serializers import (
    AllocationSerializer,
    EvaluationSerializer,
    OverrideSerializer,
    SupportSerializer,
    TierAssignmentSerializer,
    TierCountSerializer,
    TierPlanSerializer,
    TierRuleSerializer,
    TierSerializer,
)


@contextmanager
def refusals_as_400():
    """A service's ValidationError as the API's 400 with its messages."""
    try:
        yield
    except DjangoValidationError as error:
        raise ValidationError(as_serializer_error(error)) from error


class TierViewSet(DistrictScopedViewSet):
    queryset = Tier.objects.select_related("district")
    serializer_class = TierSerializer
    filterset_class = TierFilterSet
    search_fields = ["name"]
    ordering_fields = ["level", "name", "updated_at"]


class TierPlanViewSet(DistrictScopedViewSet):
    """Tier rules of a school year; `preview` evaluates them, `adopt` records tiers."""

    queryset = TierPlan.objects.select_related("district", "default_tier", "adopted_by")
    serializer_class = TierPlanSerializer
    filterset_class = TierPlanFilterSet
    ordering_fields = ["school_year", "updated_at"]

    @extend_schema(
        responses={200: EvaluationSerializer},
        description="How many schools each tier would get under the rules as they "
        "are now, and where each school falls and why (the first rule matched, the "
        "values it looked at).",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def preview(self, request, *args, **kwargs):
        evaluation = evaluate_plan(self.get_object())
        return Response(
            EvaluationSerializer(evaluation, context={"request": request}).data
        )

    @extend_schema(
        request=None,
        responses={200: TierCountSerializer(many=True)},
        description="Adopt the rules: record every school's tier for the school "
        "year (earlier records stay as history). Answers the count per tier.",
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def adopt(self, request, *args, **kwargs):
        plan = self.get_object()
        with refusals_as_400():
            counts = adopt_plan(plan=plan, acting_user=request.user)
        tiers = {tier.pk: tier for tier in Tier.objects.filter(district=plan.district)}
        rows = [
            {"tier": tiers[pk], "schools": n}
            for pk, n in sorted(counts.items(), key=lambda item: tiers[item[0]].level)
        ]
        return Response(
            TierCountSerializer(rows, many=True, context={"request": request}).data
        )


class TierRuleViewSet(DistrictScopedViewSet):
    queryset = TierRule.objects.select_related("district", "plan", "tier", "metric")
    serializer_class = TierRuleSerializer
    filterset_class = TierRuleFilterSet
    ordering_fields = ["position", "updated_at"]


class TierAssignmentViewSet(DistrictScopedViewSet):
    """The tier history: read every school's tiers; POST overrides one school's tier."""

    queryset = TierAssignment.objects.select_related(
        "district", "school", "tier", "assigned_by"
    )
    serializer_class = TierAssignmentSerializer
    filterset_class = TierAssignmentFilterSet
    ordering_fields = ["assigned_at", "school_year"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        request=OverrideSerializer,
        responses={201: TierAssignmentSerializer},
        description="Override a school's tier for a school year, with a reason. The "
        "CSO may override any school; a network chief the schools of their networks.",
    )
    def create(self, request, *args, **kwargs):
        override = OverrideSerializer(data=request.data, context={"request": request})
        override.is_valid(raise_exception=True)
        data = override.validated_data
        with refusals_as_400():
            assignment = override_tier(
                school=data["school"],
                school_year=data["school_year"],
                tier=data["tier"],
                reason=data["reason"],
                acting_user=request.user,
            )
        body = TierAssignmentSerializer(assignment, context={"request": request}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["ETag"] = f'"{assignment.pk}.{assignment.version}"'
        return response


class SupportViewSet(DistrictScopedViewSet):
    queryset = Support.objects.select_related("district")
    serializer_class = SupportSerializer
    filterset_class = SupportFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["name", "capacity", "updated_at"]


class AllocationViewSet(DistrictScopedViewSet):
    """Allocations of supports; every write checks capacity (`tiers.allocations`)."""

    queryset = Allocation.objects.select_related(
        "district", "support", "school", "school_group", "allocated_by"
    )
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilterSet
    ordering_fields = ["starts_on", "ends_on", "updated_at"]

    def perform_create(self, serializer):
        allocation = Allocation(**serializer.validated_data)
        with refusals_as_400():
            serializer.instance = save_allocation(
                allocation=allocation, acting_user=self.request.user
            )

    def perform_update(self, serializer):
        allocation = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(allocation, name, value)
        with refusals_as_400():
            serializer.instance = save_allocation(
                allocation=allocation, acting_user=self.request.user
            )

    def perform_destroy(self, instance):
        with refusals_as_400():
            delete_allocation(allocation=instance, acting_user=self.request.user)

"""API views of two-key decisions.

Every write of a decision or a review goes through `decisions.workflow`, as on the
pages and in the admin: a refused transition is a 409 with the workflow's message, a
field it refuses a 400, and a reviewer who does not hold the key's role a 403.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from district.api.base import Conflict, DistrictScopedViewSet
from district.api.computed import DistrictComputedViewSet
from district.models import AccessLevel

from ..models import (
    ChecklistItem,
    Decision,
    DecisionKind,
    DecisionPolicy,
    Review,
    Transition,
)
from ..register import approved_tools
from ..timing import open_decisions
from ..workflow import (
    DRAFT_FIELDS,
    REGISTER_FIELDS,
    CheckAnswer,
    create_decision,
    delete_decision,
    record_review,
    reopen_decision,
    submit_decision,
    update_decision,
    withdraw_decision,
)
from .filters import (
    ChecklistItemFilterSet,
    DecisionFilterSet,
    DecisionKindFilterSet,
    DecisionPolicyFilterSet,
    ReviewFilterSet,
    TransitionFilterSet,
)
from .serializers import (
    ApprovedToolSerializer,
    ChecklistItemSerializer,
    DecisionKindSerializer,
    DecisionPolicySerializer,
    DecisionSerializer,
    OpenDecisionSerializer,
    ReasonSerializer,
    ReviewSerializer,
    TransitionSerializer,
    VerdictSerializer,
)

# Refusals that are about the decision's state, not the input: 409.
CONFLICT_CODES = {"state", "given", "no_keys", "no_holder"}


def _workflow_error(error: Exception) -> Exception:
    """The API error of a refusal by the workflow."""
    if isinstance(error, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(error))
    assert isinstance(error, DjangoValidationError)
    if getattr(error, "code", None) == "not_holder":
        return exceptions.PermissionDenied(" ".join(error.messages))
    if getattr(error, "code", None) in CONFLICT_CODES:
        return Conflict(" ".join(error.messages))
    return exceptions.ValidationError(as_serializer_error(error))


class DecisionPolicyViewSet(DistrictScopedViewSet):
    """A district's review target, review interval and public register (admins write)."""

    queryset = DecisionPolicy.objects.select_related("district")
    serializer_class = DecisionPolicySerializer
    filterset_class = DecisionPolicyFilterSet
    write_level = AccessLevel.ADMIN
    ordering_fields = ["updated_at"]


class DecisionKindViewSet(DistrictScopedViewSet):
    queryset = DecisionKind.objects.select_related("district")
    serializer_class = DecisionKindSerializer
    filterset_class = DecisionKindFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["name", "updated_at"]


class ChecklistItemViewSet(DistrictScopedViewSet):
    queryset = ChecklistItem.objects.select_related("district", "kind", "role")
    serializer_class = ChecklistItemSerializer
    filterset_class = ChecklistItemFilterSet
    search_fields = ["text"]
    ordering_fields = ["sort_order", "updated_at"]


class DecisionViewSet(DistrictScopedViewSet):
    """Decisions; created, changed and deleted through `decisions.workflow`."""

    queryset = Decision.objects.select_related(
        "district", "kind", "responsibility", "goal", "requested_by"
    )
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet
    search_fields = ["title", "product", "vendor", "requested_for"]
    ordering_fields = ["submitted_at", "decided_on", "updated_at"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = create_decision(
                district=data["district"],
                acting_user=self.request.user,
                **{
                    name: data[name]
                    for name in (*DRAFT_FIELDS, "privacy_status")
                    if name in data
                },
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _workflow_error(error) from error

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("district", None)
        changes = {
            name: value
            for name, value in data.items()
            if name in DRAFT_FIELDS + REGISTER_FIELDS
        }
        try:
            serializer.instance = update_decision(
                decision=serializer.instance,
                acting_user=self.request.user,
                changes=changes,
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _workflow_error(error) from error

    def perform_destroy(self, instance):
        try:
            delete_decision(decision=instance, acting_user=self.request.user)
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _workflow_error(error) from error

    def _act(self, request, function):
        decision = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decision = function(
                decision=decision,
                acting_user=request.user,
                reason=body.validated_data.get("reason", ""),
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _workflow_error(error) from error
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(decision).data)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: DecisionSerializer},
        description="Send a draft or reopened decision for review: its keys are "
        "taken from its matrix row now and fixed. 409 when its state does not allow "
        "it, or a key's role has nobody with a Lanes login to hold it.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, submit_decision)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: DecisionSerializer},
        description="Withdraw a decision not yet decided; `reason` is required.",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, withdraw_decision)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: DecisionSerializer},
        description="Reopen a decided or withdrawn decision; `reason` is required.",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._act(request, reopen_decision)


class ReviewViewSet(DistrictScopedViewSet):
    """Reviews (keys) of decisions: read here, answered with `verdict` by the holder."""

    queryset = Review.objects.select_related(
        "district", "decision", "role", "reviewed_by"
    ).prefetch_related("checks")
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["requested_at", "reviewed_at", "updated_at"]

    # Not an operation of the API (reviews come from sending a decision), so not in
    # the schema; the route takes POST only for the `verdict` action.
    @extend_schema(exclude=True)
    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(
            "POST", detail="Reviews are created when a decision is sent for review."
        )

    @extend_schema(
        request=VerdictSerializer,
        responses={200: ReviewSerializer},
        description="The role holder's checklist answers, verdict, conditions and "
        "rationale. Approving needs every checklist item checked; a conditional "
        "approval needs `conditions`. 403 unless the caller holds the review's "
        "role; 409 when the review is already given or the decision is not in "
        "review.",
    )
    @action(detail=True, methods=["post"])
    def verdict(self, request, pk=None):
        review = self.get_object()
        body = VerdictSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            record_review(
                review=review,
                acting_user=request.user,
                verdict=data["verdict"],
                rationale=data["rationale"],
                conditions=data.get("conditions", ""),
                checks={
                    answer["id"]: CheckAnswer(
                        is_checked=answer["is_checked"], note=answer.get("note", "")
                    )
                    for answer in data.get("checks", [])
                },
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _workflow_error(error) from error
        review = self.get_queryset().get(pk=review.pk)
        return Response(self.get_serializer(review).data, status=status.HTTP_200_OK)


class TransitionViewSet(DistrictScopedViewSet):
    """Every change of a decision's state: who, when and why (read-only)."""

    queryset = Transition.objects.select_related("district", "decision", "actor")
    serializer_class = TransitionSerializer
    filterset_class = TransitionFilterSet
    http_method_names = ["get", "head", "options"]
    ordering_fields = ["at"]


class DistrictDecisionsViewSet(DistrictComputedViewSet):
    """The register and the open decisions under `/api/v1/districts/<slug>/`."""

    @extend_schema(
        responses={200: ApprovedToolSerializer(many=True)},
        description="The register of approved tools: every approved decision of a "
        "tool kind, with its conditions, privacy status, approval and review dates.",
    )
    @action(detail=True, methods=["get"], url_path="approved-tools")
    def approved_tools(self, request, slug=None):
        district = self.get_object()
        return Response(
            ApprovedToolSerializer(approved_tools(district), many=True).data
        )

    @extend_schema(
        responses={200: OpenDecisionSerializer(many=True)},
        description="Decisions in review, the longest waiting first, with the "
        "working days each key has waited and whether it is past the target.",
    )
    @action(detail=True, methods=["get"], url_path="open-decisions")
    def open_decisions(self, request, slug=None):
        district = self.get_object()
        _policy, rows = open_decisions(district, today=timezone.localdate())
        return Response(OpenDecisionSerializer(rows, many=True).data)

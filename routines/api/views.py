"""API views of the routines app."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from district.api.base import DistrictScopedViewSet
from routines.action_items import add_action_item
from routines.briefs import start_meeting
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

from .filters import (
    ActionItemFilterSet,
    MeetingDecisionFilterSet,
    MeetingFilterSet,
    MeetingSeriesFilterSet,
    NonNegotiableFilterSet,
    PartnershipFilterSet,
    PartnershipRoleFilterSet,
    SeriesMemberFilterSet,
    TheoryLinkFilterSet,
    TheoryStatementFilterSet,
)
from .serializers import (
    ActionItemSerializer,
    MeetingDecisionSerializer,
    MeetingSerializer,
    MeetingSeriesSerializer,
    NonNegotiableSerializer,
    PartnershipRoleSerializer,
    PartnershipSerializer,
    SeriesMemberSerializer,
    TheoryLinkSerializer,
    TheoryStatementSerializer,
)


class PartnershipViewSet(DistrictScopedViewSet):
    queryset = Partnership.objects.select_related("district")
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilterSet
    search_fields = ["name", "vision"]
    ordering_fields = ["name", "sort_order", "updated_at"]


class PartnershipRoleViewSet(DistrictScopedViewSet):
    queryset = PartnershipRole.objects.select_related("district", "partnership", "role")
    serializer_class = PartnershipRoleSerializer
    filterset_class = PartnershipRoleFilterSet
    ordering_fields = ["updated_at"]


class TheoryStatementViewSet(DistrictScopedViewSet):
    queryset = TheoryStatement.objects.select_related("district", "partnership")
    serializer_class = TheoryStatementSerializer
    filterset_class = TheoryStatementFilterSet
    search_fields = ["if_clause", "then_clause"]
    ordering_fields = ["sort_order", "updated_at"]


class TheoryLinkViewSet(DistrictScopedViewSet):
    queryset = TheoryLink.objects.select_related(
        "district", "statement", "responsibility", "goal"
    )
    serializer_class = TheoryLinkSerializer
    filterset_class = TheoryLinkFilterSet
    ordering_fields = ["updated_at"]


class NonNegotiableViewSet(DistrictScopedViewSet):
    queryset = NonNegotiable.objects.select_related(
        "district", "partnership", "owner", "metric"
    )
    serializer_class = NonNegotiableSerializer
    filterset_class = NonNegotiableFilterSet
    search_fields = ["statement", "monitoring"]
    ordering_fields = ["sort_order", "updated_at"]


class MeetingSeriesViewSet(DistrictScopedViewSet):
    queryset = MeetingSeries.objects.select_related(
        "district", "network", "partnership"
    )
    serializer_class = MeetingSeriesSerializer
    filterset_class = MeetingSeriesFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "updated_at"]


class SeriesMemberViewSet(DistrictScopedViewSet):
    queryset = SeriesMember.objects.select_related("district", "series", "person")
    serializer_class = SeriesMemberSerializer
    filterset_class = SeriesMemberFilterSet
    ordering_fields = ["updated_at"]


class MeetingViewSet(DistrictScopedViewSet):
    """Meetings; `POST .../start/` freezes the brief (the same function as the page)."""

    queryset = Meeting.objects.select_related("district", "series")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    ordering_fields = ["starts_at", "updated_at"]

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, *args, **kwargs):
        meeting = start_meeting(meeting=self.get_object(), acting_user=request.user)
        return Response(self.get_serializer(meeting).data)


class MeetingDecisionViewSet(DistrictScopedViewSet):
    queryset = MeetingDecision.objects.select_related(
        "district", "meeting", "meeting__series"
    )
    serializer_class = MeetingDecisionSerializer
    filterset_class = MeetingDecisionFilterSet
    search_fields = ["statement", "outcome"]
    ordering_fields = ["decided_on", "updated_at"]


class ActionItemViewSet(DistrictScopedViewSet):
    """Action items; `?is_open=true` for those that carry over."""

    queryset = ActionItem.objects.select_related(
        "district",
        "series",
        "raised_in",
        "raised_in__series",
        "owner_person",
        "owner_role",
        "metric",
        "school",
        "network",
        "responsibility",
    )
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilterSet
    search_fields = ["title"]
    ordering_fields = ["due_on", "done_on", "updated_at"]

    def perform_create(self, serializer):
        serializer.instance = add_action_item(
            acting_user=self.request.user, **serializer.validated_data
        )

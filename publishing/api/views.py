"""API views of publishing: what is published, board packets and their schedules."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from district.api.base import DistrictScopedViewSet
from district.exports import attachment
from district.models import AccessLevel
from publishing.models import (
    Packet,
    Publication,
    PublishedGoal,
    PublishedMetric,
    RenderStatus,
    Schedule,
)
from publishing.packets import changes_since

from .filters import (
    PacketFilterSet,
    PublicationFilterSet,
    PublishedGoalFilterSet,
    PublishedMetricFilterSet,
    ScheduleFilterSet,
)
from .serializers import (
    ChangeSerializer,
    PacketIssueSerializer,
    PacketSerializer,
    PublicationSerializer,
    PublishedGoalSerializer,
    PublishedMetricSerializer,
    ScheduleSerializer,
)


class PublicationViewSet(DistrictScopedViewSet):
    queryset = Publication.objects.select_related("district")
    serializer_class = PublicationSerializer
    filterset_class = PublicationFilterSet
    write_level = AccessLevel.ADMIN
    ordering_fields = ["updated_at"]


class PublishedGoalViewSet(DistrictScopedViewSet):
    queryset = PublishedGoal.objects.select_related("district", "goal")
    serializer_class = PublishedGoalSerializer
    filterset_class = PublishedGoalFilterSet
    write_level = AccessLevel.ADMIN
    search_fields = ["goal__statement"]
    ordering_fields = ["updated_at"]


class PublishedMetricViewSet(DistrictScopedViewSet):
    queryset = PublishedMetric.objects.select_related("district", "metric")
    serializer_class = PublishedMetricSerializer
    filterset_class = PublishedMetricFilterSet
    write_level = AccessLevel.ADMIN
    search_fields = ["metric__name", "metric__code"]
    ordering_fields = ["updated_at"]


class ScheduleViewSet(DistrictScopedViewSet):
    queryset = Schedule.objects.select_related("district", "goal", "created_by")
    serializer_class = ScheduleSerializer
    filterset_class = ScheduleFilterSet
    write_level = AccessLevel.ADMIN
    search_fields = ["goal__statement", "recipients"]
    ordering_fields = ["meets_on", "updated_at"]

    def perform_create(self, serializer):
        serializer.validated_data["created_by"] = self.request.user
        super().perform_create(serializer)


class PacketViewSet(DistrictScopedViewSet):
    """Issued packets: read them, issue one (district admins), fetch the PDF, and
    compare what the board saw with the data now. A packet never changes."""

    queryset = Packet.objects.select_related("district", "issued_by", "render")
    serializer_class = PacketSerializer
    filterset_class = PacketFilterSet
    write_level = AccessLevel.ADMIN
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["title"]
    ordering_fields = ["issued_at"]

    @extend_schema(
        request=PacketIssueSerializer,
        responses={201: PacketSerializer},
        description="Freeze the chosen goals (and the goal area's) as they stand "
        "for a school year, and queue the PDF. Poll the packet until `status` is "
        "`ready`, then fetch `pdf_url`.",
    )
    def create(self, request, *args, **kwargs):
        issue = PacketIssueSerializer(data=request.data, context={"request": request})
        issue.is_valid(raise_exception=True)
        packet = issue.save()
        packet = self.get_queryset().get(pk=packet.pk)
        data = self.get_serializer(packet).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description="The packet's PDF."),
            404: OpenApiResponse(description="No such packet, or its PDF not ready."),
        },
        description="The packet's PDF, once its `status` is `ready`.",
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        packet = self.get_object()
        if packet.render.status != RenderStatus.READY or packet.render.pdf is None:
            raise exceptions.NotFound("The packet's PDF is not ready.")
        response = HttpResponse(
            bytes(packet.render.pdf), content_type="application/pdf"
        )
        return attachment(response, f"{packet.district.slug}-packet-{packet.pk}.pdf")

    @extend_schema(
        responses={200: ChangeSerializer(many=True)},
        description="What differs between the packet as issued and the same goals "
        "built now: values revised, statuses moved, rows added or gone.",
    )
    @action(detail=True, methods=["get"])
    def changes(self, request, pk=None):
        packet = self.get_object()
        return Response(ChangeSerializer(changes_since(packet), many=True).data)

"""API views of the update rhythm, under the district's address."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from district.api.computed import DistrictComputedViewSet
from district.permissions import get_district_access_or_404

from ..completion import build_completion
from ..my_updates import build_my_updates
from .serializers import CompletionSerializer, MyUpdatesSerializer


class DistrictRhythmViewSet(DistrictComputedViewSet):
    """A person's updates and the district's completion, at `/api/v1/districts/<slug>/`."""

    @extend_schema(
        responses={200: MyUpdatesSerializer},
        description="What the caller owes in the district, every kind of item, "
        "earliest due first: values and commentary per metric and period, with "
        "each item's state (overdue, due, due soon, upcoming, done).",
    )
    @action(detail=True, methods=["get"], url_path="my-updates")
    def my_updates(self, request, slug=None):
        access = get_district_access_or_404(request.user, self.get_object().slug)
        today = self.today()
        board = build_my_updates(
            district_id=access.district.pk, user_id=request.user.pk, today=today
        )
        items = [
            {
                "key": item.key,
                "kind": item.kind,
                "title": item.title,
                "detail": item.detail,
                "due": item.due,
                "state": state,
                "done_on": item.done_on,
                "url": item.url,
            }
            for state, _label, group in board.groups
            for item in group
        ]
        data = {"today": today, "owed_now": board.owed_now, "items": items}
        return Response(MyUpdatesSerializer(data).data)

    @extend_schema(
        responses={200: CompletionSerializer},
        description="Per person and role: updates (values and commentary) on time, "
        "late and missing in each metric's latest period past due and over the "
        "school year, worst first.",
    )
    @action(detail=True, methods=["get"])
    def completion(self, request, slug=None):
        access = get_district_access_or_404(request.user, self.get_object().slug)
        today = self.today()
        rows = build_completion(district=access.district, today=today)
        return Response(CompletionSerializer({"today": today, "rows": rows}).data)

    @staticmethod
    def today():
        return timezone.localdate()

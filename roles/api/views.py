"""API views of the roles app."""

from district.access import DistrictScopedViewSet
from roles.models import Ownership, Responsibility, Role, RoleAssignment, WorkArea

from .filters import (
    OwnershipFilterSet,
    ResponsibilityFilterSet,
    RoleAssignmentFilterSet,
    RoleFilterSet,
    WorkAreaFilterSet,
)
from .serializers import (
    OwnershipSerializer,
    ResponsibilitySerializer,
    RoleAssignmentSerializer,
    RoleSerializer,
    WorkAreaSerializer,
)


class RoleViewSet(DistrictScopedViewSet):
    queryset = Role.objects.select_related("district", "reports_to")
    serializer_class = RoleSerializer
    filterset_class = RoleFilterSet
    search_fields = ["code", "title"]
    ordering_fields = ["code", "title", "sort_order", "updated_at"]


class RoleAssignmentViewSet(DistrictScopedViewSet):
    queryset = RoleAssignment.objects.select_related("district", "role", "person")
    serializer_class = RoleAssignmentSerializer
    filterset_class = RoleAssignmentFilterSet
    search_fields = ["person__name", "role__code"]
    ordering_fields = ["started_on", "ended_on", "updated_at"]


class WorkAreaViewSet(DistrictScopedViewSet):
    queryset = WorkArea.objects.select_related("district")
    serializer_class = WorkAreaSerializer
    filterset_class = WorkAreaFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["name", "sort_order", "updated_at"]


class ResponsibilityViewSet(DistrictScopedViewSet):
    queryset = Responsibility.objects.select_related("district", "work_area")
    serializer_class = ResponsibilitySerializer
    filterset_class = ResponsibilityFilterSet
    search_fields = ["name", "description"]
    ordering_fields = ["name", "sort_order", "updated_at"]


class OwnershipViewSet(DistrictScopedViewSet):
    """Matrix cells: a role's RACI level on a responsibility."""

    queryset = Ownership.objects.select_related("district", "role", "responsibility")
    serializer_class = OwnershipSerializer
    filterset_class = OwnershipFilterSet
    search_fields = ["responsibility__name", "role__code"]
    ordering_fields = ["level", "updated_at"]

"""API views of the roles app."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from district.api.base import Conflict, DistrictScopedViewSet, PreconditionFailed
from district.api.computed import DistrictComputedViewSet
from district.conditional import conditional_api_action
from roles.cells import set_ownership
from roles.matrix import MATRIX_DATA, MatrixFilters, build_matrix
from roles.matrix_history import end_of_day
from roles.models import Ownership, Responsibility, Role, RoleAssignment, WorkArea
from roles.responsibilities import StaleRowError

from .filters import (
    OwnershipFilterSet,
    ResponsibilityFilterSet,
    RoleAssignmentFilterSet,
    RoleFilterSet,
    WorkAreaFilterSet,
)
from .serializers import (
    MatrixQuerySerializer,
    MatrixSerializer,
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
    """Matrix cells: a role's RACI level on a responsibility.

    Every write goes through `roles.cells.set_ownership`, like a cell edit on the
    matrix page, so it advances the row's version too: a page or client holding the
    row at an older version is refused. A write that loses a race with another cell
    edit of the same row answers 412 (409 for a create).
    """

    queryset = Ownership.objects.select_related("district", "role", "responsibility")
    serializer_class = OwnershipSerializer
    filterset_class = OwnershipFilterSet
    search_fields = ["responsibility__name", "role__code"]
    ordering_fields = ["level", "updated_at"]

    def _set(self, *, responsibility, role, level, stale_error):
        try:
            return set_ownership(
                responsibility=responsibility,
                role=role,
                level=level,
                expected_version=responsibility.version,
                acting_user=self.request.user,
            )
        except StaleRowError as error:
            raise stale_error from error
        except DjangoValidationError as error:
            raise ValidationError(as_serializer_error(error)) from error

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = self._set(
            responsibility=data["responsibility"],
            role=data["role"],
            level=data["level"],
            stale_error=Conflict(),
        )

    def perform_update(self, serializer):
        instance, changes = serializer.instance, serializer.validated_data
        for name in ("responsibility", "role"):
            if name in changes and changes[name].pk != getattr(instance, f"{name}_id"):
                raise ValidationError(
                    {
                        name: [
                            "A cell stays in its row and column; delete it and "
                            "create the other cell instead."
                        ]
                    }
                )
        # The cell is locked and its version checked (`update`); the row is claimed
        # at its current version, so a page holding an older one is refused.
        serializer.instance = self._set(
            responsibility=instance.responsibility,
            role=instance.role,
            level=changes.get("level", instance.level),
            stale_error=PreconditionFailed(),
        )

    def perform_destroy(self, instance):
        self._set(
            responsibility=instance.responsibility,
            role=instance.role,
            level=None,
            stale_error=PreconditionFailed(),
        )


class DistrictMatrixViewSet(DistrictComputedViewSet):
    """A district's ownership matrix, at `/api/v1/districts/<slug>/matrix/`."""

    @extend_schema(
        parameters=[MatrixQuerySerializer],
        responses={200: MatrixSerializer},
        description="The district's whole ownership matrix in one call: role columns, "
        "rows by work area with their cells, each row's classification (distinct, "
        "joint, gap, conflict) and warnings, and the summary with each role's load. "
        "With `as_of`, the matrix as it stood at the end of that day.",
    )
    @action(detail=True, methods=["get"])
    @conditional_api_action(MATRIX_DATA)
    def matrix(self, request, slug=None):
        """The matrix as computed by `roles.matrix.build_matrix`."""
        district = self.get_object()
        query = MatrixQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        as_of = params.get("as_of")
        matrix = build_matrix(
            district,
            filters=MatrixFilters(
                work_area=params.get("work_area"),
                role=params.get("role"),
                level=params.get("level"),
                classification=params.get("classification"),
                with_warnings=params["with_warnings"],
            ),
            as_of=end_of_day(as_of) if as_of else None,
        )
        return Response(MatrixSerializer(matrix).data)

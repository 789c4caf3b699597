"""API views of the district app: districts, people, networks, schools, memberships."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from district.api.base import DistrictScopedViewSet
from district.conditional import GOALS_DATA, MATRIX_DATA, conditional_api_action
from district.models import AccessLevel, District, Membership, Network, Person, School
from district.permissions import get_district_or_404
from goals.api.serializers import DashboardQuerySerializer, DashboardSerializer
from goals.dashboards import build_dashboard
from roles.api.serializers import MatrixQuerySerializer, MatrixSerializer
from roles.matrix import MatrixFilters, build_matrix
from roles.matrix_history import end_of_day

from .filters import (
    DistrictFilterSet,
    MembershipFilterSet,
    NetworkFilterSet,
    PersonFilterSet,
    SchoolFilterSet,
)
from .serializers import (
    DistrictSerializer,
    MembershipSerializer,
    NetworkSerializer,
    PersonSerializer,
    SchoolSerializer,
)


class SuperuserCreatesAndDeletesDistricts(permissions.BasePermission):
    """Only a superuser creates or deletes a district; its admins may change it."""

    message = "Only a superuser can create or delete a district."

    def has_permission(self, request, view):
        if request.method in ("POST", "DELETE"):
            return bool(request.user and request.user.is_superuser)
        return True


class DistrictViewSet(DistrictScopedViewSet):
    """Districts the caller belongs to, addressed by slug."""

    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilterSet
    permission_classes = [
        *DistrictScopedViewSet.permission_classes,
        SuperuserCreatesAndDeletesDistricts,
    ]
    lookup_field = "slug"
    write_level = AccessLevel.ADMIN
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "slug", "updated_at"]

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
        district = get_district_or_404(request.user, self.get_object().slug)
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
        )
        return Response(DashboardSerializer(board, context={"request": request}).data)


class PersonViewSet(DistrictScopedViewSet):
    queryset = Person.objects.select_related("district", "user")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    search_fields = ["name", "email", "title"]
    ordering_fields = ["name", "updated_at"]


class NetworkViewSet(DistrictScopedViewSet):
    queryset = Network.objects.select_related("district", "chief")
    serializer_class = NetworkSerializer
    filterset_class = NetworkFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "updated_at"]


class SchoolViewSet(DistrictScopedViewSet):
    queryset = School.objects.select_related("district", "network")
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    search_fields = ["name", "short_name", "school_id"]
    ordering_fields = ["name", "school_id", "enrollment", "updated_at"]


class MembershipViewSet(DistrictScopedViewSet):
    """Who may use a district, at which level: district admins only."""

    queryset = Membership.objects.select_related("district", "user")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    read_level = AccessLevel.ADMIN
    write_level = AccessLevel.ADMIN
    search_fields = ["user__username"]
    ordering_fields = ["user__username", "access_level", "updated_at"]

    def get_queryset(self):
        return Membership.objects.select_related("district", "user").administered_by(
            self.request.user
        )

"""API views of the district app: districts, people, networks, schools, memberships."""

from rest_framework import permissions

from district.api.base import DistrictScopedViewSet
from district.models import (
    AccessLevel,
    District,
    Membership,
    Network,
    Person,
    School,
    SchoolGroup,
    SchoolGroupMember,
)

from .filters import (
    DistrictFilterSet,
    MembershipFilterSet,
    NetworkFilterSet,
    PersonFilterSet,
    SchoolFilterSet,
    SchoolGroupFilterSet,
    SchoolGroupMemberFilterSet,
)
from .serializers import (
    DistrictSerializer,
    MembershipSerializer,
    NetworkSerializer,
    PersonSerializer,
    SchoolGroupMemberSerializer,
    SchoolGroupSerializer,
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


class SchoolGroupViewSet(DistrictScopedViewSet):
    """Named groups of schools, across networks, that a metric may set a target for."""

    queryset = SchoolGroup.objects.select_related("district")
    serializer_class = SchoolGroupSerializer
    filterset_class = SchoolGroupFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "updated_at"]


class SchoolGroupMemberViewSet(DistrictScopedViewSet):
    """Which schools belong to which school group."""

    queryset = SchoolGroupMember.objects.select_related("district", "group", "school")
    serializer_class = SchoolGroupMemberSerializer
    filterset_class = SchoolGroupMemberFilterSet


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

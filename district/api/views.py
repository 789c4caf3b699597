"""API views of the district app: districts, people, networks, schools, memberships."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import as_serializer_error

from district.api.base import Conflict, DistrictScopedViewSet
from district.members import (
    add_member,
    lock_members_of,
    remove_member,
    set_access_level,
)
from district.models import (
    AccessLevel,
    District,
    Membership,
    Network,
    Person,
    Principal,
    School,
    SchoolGroup,
    SchoolGroupMember,
)

from .filters import (
    DistrictFilterSet,
    MembershipFilterSet,
    NetworkFilterSet,
    PersonFilterSet,
    PrincipalFilterSet,
    SchoolFilterSet,
    SchoolGroupFilterSet,
    SchoolGroupMemberFilterSet,
)
from .serializers import (
    DistrictSerializer,
    MembershipSerializer,
    NetworkSerializer,
    PersonSerializer,
    PrincipalSerializer,
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

    # Writes go through `district.members`, like the members page: the last admin is
    # neither demoted nor removed (409), and changes to one district's members run one
    # after another.

    def locked(self, instance):
        # The district first, then the row: the members page's order.
        lock_members_of(instance.district_id)
        return super().locked(instance)

    def perform_create(self, serializer):
        data = serializer.validated_data
        default_level = Membership._meta.get_field("access_level").default
        try:
            serializer.instance = add_member(
                district=data["district"],
                user=data["user"],
                access_level=data.get("access_level", default_level),
                acting_user=self.request.user,
            )
        except DjangoValidationError as error:
            raise ValidationError(as_serializer_error(error)) from error

    def perform_update(self, serializer):
        membership = serializer.instance
        level = serializer.validated_data.get("access_level", membership.access_level)
        try:
            serializer.instance = set_access_level(
                membership=membership, access_level=level, acting_user=self.request.user
            )
        except DjangoValidationError as error:
            raise Conflict(" ".join(error.messages), code=error.code) from error

    def perform_destroy(self, instance):
        try:
            remove_member(membership=instance, acting_user=self.request.user)
        except DjangoValidationError as error:
            raise Conflict(" ".join(error.messages), code=error.code) from error


class PrincipalViewSet(DistrictScopedViewSet):
    """Principals of schools over time: a person, from and to, acting or not."""

    queryset = Principal.objects.select_related("district", "school", "person")
    serializer_class = PrincipalSerializer
    filterset_class = PrincipalFilterSet
    search_fields = ["person__name", "school__name"]
    ordering_fields = ["starts_on", "ends_on", "updated_at"]

"""API serializers of the roles app: roles, assignments, work areas, responsibilities,
ownerships (matrix cells)."""

from rest_framework import serializers

from district.api.serializers import (
    TRACKED_FIELDS,
    BriefRelatedField,
    PersonBriefSerializer,
    ValidatedModelSerializer,
    district_field,
)
from district.models import Person
from roles.models import Ownership, Responsibility, Role, RoleAssignment, WorkArea

# --- Briefs ---


class RoleBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="role-detail")
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Role
        fields = ["id", "url", "display"]


class WorkAreaBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="work-area-detail")
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = WorkArea
        fields = ["id", "url", "display"]


class ResponsibilityBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="responsibility-detail")
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["id", "url", "display"]


def role_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(
        brief=RoleBriefSerializer, queryset=Role.objects.all(), **kwargs
    )


# --- Resources ---


class RoleSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="role-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    reports_to = role_field(required=False, allow_null=True)

    class Meta:
        model = Role
        fields = [
            "id",
            "url",
            "display",
            "district",
            "code",
            "title",
            "kind",
            "reports_to",
            "sort_order",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class RoleAssignmentSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="role-assignment-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    role = role_field()
    person = BriefRelatedField(
        brief=PersonBriefSerializer, queryset=Person.objects.all()
    )

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "url",
            "display",
            "district",
            "role",
            "person",
            "started_on",
            "ended_on",
            "is_acting",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class WorkAreaSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="work-area-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()

    class Meta:
        model = WorkArea
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "description",
            "sort_order",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class ResponsibilitySerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="responsibility-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    work_area = BriefRelatedField(
        brief=WorkAreaBriefSerializer, queryset=WorkArea.objects.all()
    )

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "url",
            "display",
            "district",
            "work_area",
            "name",
            "description",
            "is_joint",
            "sort_order",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class OwnershipSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="ownership-detail")
    display = serializers.CharField(source="__str__", read_only=True)
    district = district_field()
    responsibility = BriefRelatedField(
        brief=ResponsibilityBriefSerializer, queryset=Responsibility.objects.all()
    )
    role = role_field()

    class Meta:
        model = Ownership
        fields = [
            "id",
            "url",
            "display",
            "district",
            "responsibility",
            "role",
            "level",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS

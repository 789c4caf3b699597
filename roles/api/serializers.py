"""API serializers of the roles app: roles, assignments, work areas, responsibilities,
ownerships (matrix cells)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from district.api.serializers import (
    TRACKED_FIELDS,
    BriefRelatedField,
    DetailUrlField,
    DisplayField,
    PersonBriefSerializer,
    ValidatedModelSerializer,
    district_field,
)
from district.models import Person
from roles.matrix import Classification, RowWarning
from roles.models import (
    Ownership,
    RaciLevel,
    Responsibility,
    Role,
    RoleAssignment,
    WorkArea,
)

# --- Briefs ---


class RoleBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("role-detail")
    display = DisplayField()

    class Meta:
        model = Role
        fields = ["id", "url", "display"]


class WorkAreaBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("work-area-detail")
    display = DisplayField()

    class Meta:
        model = WorkArea
        fields = ["id", "url", "display"]


class ResponsibilityBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("responsibility-detail")
    display = DisplayField()

    class Meta:
        model = Responsibility
        fields = ["id", "url", "display"]


def role_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(
        brief=RoleBriefSerializer, queryset=Role.objects.all(), **kwargs
    )


# --- Resources ---


class RoleSerializer(ValidatedModelSerializer):
    url = DetailUrlField("role-detail")
    display = DisplayField()
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
    url = DetailUrlField("role-assignment-detail")
    display = DisplayField()
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
    url = DetailUrlField("work-area-detail")
    display = DisplayField()
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
    url = DetailUrlField("responsibility-detail")
    display = DisplayField()
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
    url = DetailUrlField("ownership-detail")
    display = DisplayField()
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


# --- The matrix (computed by roles.matrix.build_matrix) ---


class MatrixQuerySerializer(serializers.Serializer):
    """Query parameters of the matrix: a past date and row filters."""

    as_of = serializers.DateField(
        required=False, help_text="The matrix as it stood at the end of this day."
    )
    work_area = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Only this area's rows.",
    )
    role = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Only rows where this role has a level.",
    )
    level = serializers.ChoiceField(
        choices=RaciLevel.choices,
        required=False,
        help_text="With `role`: only rows where the role has this level.",
    )
    classification = serializers.ChoiceField(
        choices=Classification.choices, required=False
    )
    with_warnings = serializers.BooleanField(
        required=False, default=False, help_text="Only rows with warnings."
    )

    def validate_as_of(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The matrix has no future.")
        return value

    def validate(self, attrs):
        if attrs.get("level") and attrs.get("role") is None:
            raise serializers.ValidationError(
                {"level": "Choose a role to filter by its level."}
            )
        return attrs


class MatrixRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()


class MatrixCellSerializer(serializers.Serializer):
    role = serializers.IntegerField(source="role.pk", help_text="The role's id.")
    level = serializers.ChoiceField(choices=RaciLevel.choices)


class RowWarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=RowWarning.choices, source="value")
    message = serializers.CharField(source="label")


class MatrixRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    description = serializers.CharField()
    is_joint = serializers.BooleanField()
    version = serializers.IntegerField(
        help_text="The row's version: send it when changing a cell."
    )
    classification = serializers.ChoiceField(
        choices=Classification.choices, source="health.classification"
    )
    warnings = RowWarningSerializer(many=True, source="health.warnings")
    cells = serializers.SerializerMethodField(
        help_text="The row's non-empty cells: a role's level."
    )

    @extend_schema_field(MatrixCellSerializer(many=True))
    def get_cells(self, row):
        cells = [cell for cell in row.cells if cell.level]
        return MatrixCellSerializer(cells, many=True).data


class MatrixWorkAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", allow_null=True)
    name = serializers.CharField()
    rows = MatrixRowSerializer(many=True)


class RoleLoadSerializer(serializers.Serializer):
    role = serializers.IntegerField(source="role.pk", help_text="The role's id.")
    accountable = serializers.IntegerField()
    responsible = serializers.IntegerField()
    distinct = serializers.IntegerField()
    is_overloaded = serializers.BooleanField()


class MatrixSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    joint = serializers.IntegerField()
    distinct = serializers.IntegerField()
    gaps = serializers.IntegerField()
    conflicts = serializers.IntegerField()
    with_warnings = serializers.IntegerField()
    overload_mean = serializers.DecimalField(
        source="overload.mean", max_digits=None, decimal_places=2
    )
    overload_limit = serializers.DecimalField(
        source="overload.limit",
        max_digits=None,
        decimal_places=2,
        help_text="A role accountable for more rows than this is overloaded.",
    )
    role_loads = RoleLoadSerializer(many=True)


class MatrixSerializer(serializers.Serializer):
    """The whole matrix of a district: columns, rows by work area, health, summary."""

    as_of = serializers.DateTimeField(allow_null=True)
    roles = MatrixRoleSerializer(many=True)
    work_areas = MatrixWorkAreaSerializer(many=True, source="groups")
    summary = MatrixSummarySerializer(
        help_text="Counted over all rows, whatever the filters."
    )

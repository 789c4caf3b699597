"""API serializers of the district app, and the base every API serializer builds on."""

from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from district.members import MEMBERSHIP_KEEPS_ITS_USER
from district.models import (
    NOT_A_MEMBER,
    AccessLevel,
    District,
    DistrictQuerySet,
    Membership,
    Network,
    Person,
    Principal,
    School,
    SchoolGroup,
    SchoolGroupMember,
)
from district.permissions import linkable_users, selectable_users

# Largest primary key a client may send (bigint); larger numbers are a 400, not a crash.
MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.STR)
class DisplayField(serializers.Field):
    """The object as people read it (its `str()`), read-only."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return str(value)


@extend_schema_field(OpenApiTypes.URI)
class DetailUrlField(serializers.Field):
    """The absolute API URL of the object, built from one reversed template per field.

    Equivalent to HyperlinkedIdentityField, without a URL reversal for every row.
    """

    def __init__(self, view_name, lookup_field="pk", **kwargs):
        self.view_name = view_name
        self.lookup_field = lookup_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        template = getattr(self, "_template", None)
        if template is None:
            marker = "lanes-url-marker"
            path = reverse(self.view_name, kwargs={self.lookup_field: marker})
            request = self.context.get("request")
            url = request.build_absolute_uri(path) if request is not None else path
            template = self._template = url.replace(marker, "{}")
        return template.format(quote(str(getattr(value, self.lookup_field)), safe=""))


class BriefRelatedField(serializers.RelatedField):
    """A related object: written as its id (or slug), read as its brief form."""

    default_error_messages = {
        "does_not_exist": _("No such object, or not one you may use here."),
        "incorrect_type": _("Expected an id (integer), got {data_type}."),
    }

    def __init__(self, brief, lookup_field="pk", **kwargs):
        self.brief = brief
        self.lookup_field = lookup_field
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def to_internal_value(self, data):
        if self.lookup_field == "pk":
            if isinstance(data, str) and data.isdigit():
                data = int(data)
            if isinstance(data, bool) or not isinstance(data, int):
                self.fail("incorrect_type", data_type=type(data).__name__)
            if not 0 < data <= MAX_ID:
                self.fail("does_not_exist")
        elif not isinstance(data, str) or "\x00" in data or len(data) > 200:
            self.fail("does_not_exist")
        try:
            return self.get_queryset().get(**{self.lookup_field: data})
        except ObjectDoesNotExist:
            self.fail("does_not_exist")

    def to_representation(self, value):
        # One brief serializer per field, not per row: building its fields is costly.
        brief = getattr(self, "_brief", None)
        if brief is None:
            brief = self._brief = self.brief(context=self.context)
        return brief.to_representation(value)


class BriefRelatedFieldSchema(OpenApiSerializerFieldExtension):
    """In the schema: the brief object in responses, the id (or slug) in requests."""

    target_class = BriefRelatedField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return auto_schema.resolve_serializer(self.target.brief, direction).ref
        if self.target.lookup_field == "pk":
            return build_basic_type(OpenApiTypes.INT)
        return build_basic_type(OpenApiTypes.STR)


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Base of every API serializer: the model's own validation, scoped choices.

    Runs `full_clean()`, so constraint violations and cross-district references are a
    400 with field messages, never an IntegrityError. Related objects must be visible to
    the caller; the district must be one the caller can write in (`district_level`).
    """

    district_level = AccessLevel.EDITOR

    def get_validators(self):
        # full_clean() checks the model's constraints, UniqueConstraints included.
        return []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            if queryset.model is District:
                field.queryset = District.objects.with_access(
                    request.user, self.district_level
                )
            elif isinstance(queryset, DistrictQuerySet):
                field.queryset = queryset.visible_to(request.user)
            elif queryset.model is get_user_model():
                field.queryset = selectable_users(request.user)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is not None:
            district = attrs.get("district")
            if district is not None and district.pk != self.instance.district_id:
                raise serializers.ValidationError(
                    {"district": _("An object cannot move to another district.")}
                )
            instance = model(
                **{
                    field.attname: getattr(self.instance, field.attname)
                    for field in model._meta.concrete_fields
                }
            )
            instance._state.adding = False
        else:
            instance = model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if "__all__" in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
            raise serializers.ValidationError(detail) from error
        return attrs


# --- Briefs ---


class DistrictBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("district-detail", lookup_field="slug")
    display = DisplayField()

    class Meta:
        model = District
        fields = ["id", "url", "slug", "display"]


class PersonBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("person-detail")
    display = DisplayField()

    class Meta:
        model = Person
        fields = ["id", "url", "display"]


class NetworkBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("network-detail")
    display = DisplayField()

    class Meta:
        model = Network
        fields = ["id", "url", "display"]


class SchoolBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("school-detail")
    display = DisplayField()

    class Meta:
        model = School
        fields = ["id", "url", "display"]


class SchoolGroupBriefSerializer(serializers.ModelSerializer):
    url = DetailUrlField("school-group-detail")
    display = DisplayField()

    class Meta:
        model = SchoolGroup
        fields = ["id", "url", "display"]


def district_field() -> BriefRelatedField:
    """The `district` of a tenant-owned object: written as the district's slug."""
    return BriefRelatedField(
        brief=DistrictBriefSerializer,
        lookup_field="slug",
        queryset=District.objects.all(),
        help_text="The district's slug (e.g. `cps`); it cannot change later.",
    )


def user_field(**kwargs) -> serializers.SlugRelatedField:
    """A Lanes user, written and read as the username."""
    return serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), **kwargs
    )


# --- Resources ---

TRACKED_FIELDS = ["version", "updated_at"]


class DistrictSerializer(ValidatedModelSerializer):
    url = DetailUrlField("district-detail", lookup_field="slug")
    display = DisplayField()

    class Meta:
        model = District
        fields = [
            "id",
            "url",
            "display",
            "slug",
            "name",
            "suppression_min_n",
            "public_min_n",
            "coverage_threshold",
            "overload_ratio",
            "grace_days",
            "escalation_days",
            "reminders_per_week",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class PersonSerializer(ValidatedModelSerializer):
    url = DetailUrlField("person-detail")
    display = DisplayField()
    district = district_field()
    user = user_field(
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": NOT_A_MEMBER},
        help_text="Username of a member of the district: the Lanes user this "
        "person signs in as, if any.",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "email",
            "title",
            "user",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["user"].queryset = linkable_users(request.user)
        return fields


class NetworkSerializer(ValidatedModelSerializer):
    url = DetailUrlField("network-detail")
    display = DisplayField()
    district = district_field()
    chief = BriefRelatedField(
        brief=PersonBriefSerializer,
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Network
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "is_geographic",
            "kind",
            "chief",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class SchoolSerializer(ValidatedModelSerializer):
    url = DetailUrlField("school-detail")
    display = DisplayField()
    district = district_field()
    network = BriefRelatedField(
        brief=NetworkBriefSerializer,
        queryset=Network.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = School
        fields = [
            "id",
            "url",
            "display",
            "district",
            "school_id",
            "name",
            "short_name",
            "category",
            "grades",
            "enrollment",
            "network",
            "performance_rating",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class MembershipSerializer(ValidatedModelSerializer):
    url = DetailUrlField("membership-detail")
    display = DisplayField()
    district = district_field()
    user = user_field(
        help_text="Username of the member. It cannot change later: remove the "
        "membership and add the other user instead."
    )
    district_level = AccessLevel.ADMIN

    def validate_user(self, user):
        if self.instance is not None and user.pk != self.instance.user_id:
            raise serializers.ValidationError(MEMBERSHIP_KEEPS_ITS_USER)
        return user

    class Meta:
        model = Membership
        fields = [
            "id",
            "url",
            "display",
            "district",
            "user",
            "access_level",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class SchoolGroupSerializer(ValidatedModelSerializer):
    url = DetailUrlField("school-group-detail")
    display = DisplayField()
    district = district_field()

    class Meta:
        model = SchoolGroup
        fields = [
            "id",
            "url",
            "display",
            "district",
            "name",
            "description",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class SchoolGroupMemberSerializer(ValidatedModelSerializer):
    url = DetailUrlField("school-group-member-detail")
    display = DisplayField()
    district = district_field()
    group = BriefRelatedField(
        brief=SchoolGroupBriefSerializer, queryset=SchoolGroup.objects.all()
    )
    school = BriefRelatedField(
        brief=SchoolBriefSerializer, queryset=School.objects.all()
    )

    class Meta:
        model = SchoolGroupMember
        fields = [
            "id",
            "url",
            "display",
            "district",
            "group",
            "school",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS


class PrincipalSerializer(ValidatedModelSerializer):
    url = DetailUrlField("principal-detail")
    display = DisplayField()
    district = district_field()
    school = BriefRelatedField(
        brief=SchoolBriefSerializer, queryset=School.objects.all()
    )
    person = BriefRelatedField(
        brief=PersonBriefSerializer, queryset=Person.objects.all()
    )

    class Meta:
        model = Principal
        fields = [
            "id",
            "url",
            "display",
            "district",
            "school",
            "person",
            "starts_on",
            "ends_on",
            "is_acting",
            *TRACKED_FIELDS,
        ]
        read_only_fields = TRACKED_FIELDS

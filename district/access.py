"""Who may see and change what: the permission layer over `DistrictQuerySet`.

Pages, the API and the admin all decide access here. Another district's object is a
404, exactly like a missing one; a member without the needed level gets a 403.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, ProtectedError, Q, RestrictedError
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from simple_history.admin import SimpleHistoryAdmin

from .api.filters import LimitOffsetPagination
from .api.history import HiddenFields, HistoryEntrySerializer, entries_for_page
from .models import (
    LEVELS_AT_LEAST,
    AccessLevel,
    District,
    DistrictQuerySet,
    Membership,
)

# Sent, inside the writing transaction, after rows were changed with QuerySet.update()
# (which sends no post_save): sender is the model, `before` the rows as they were (model
# instances), `after` as they are now. Derived data (goals' stored rollups) follows it.
rows_updated = Signal()


def access_level(user, district: District) -> AccessLevel | None:
    """The user's level in `district` (admin for superusers), or None for non-members."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return AccessLevel.ADMIN
    level = (
        Membership.objects.filter(user=user, district=district)
        .values_list("access_level", flat=True)
        .first()
    )
    return AccessLevel(level) if level else None


def history_with_access(records, user, level: AccessLevel = AccessLevel.VIEWER):
    """The history `records` of districts where `user` holds `level`.

    Deleted objects' records included: records keep their district and are scoped by
    it through `DistrictQuerySet.with_access`, like the rows themselves.
    """
    districts = District.objects.with_access(user, level).values("pk")
    lookup = "id__in" if records.model.instance_type is District else "district__in"
    return records.filter(**{lookup: districts})


def has_level(user, district: District, level: AccessLevel) -> bool:
    held = access_level(user, district)
    return held is not None and held in LEVELS_AT_LEAST[level]


def get_district_or_404(
    user, slug: str, *, level: AccessLevel = AccessLevel.VIEWER
) -> District:
    """The district `slug` if `user` may see it (404 otherwise), checked for `level` (403).

    The returned district carries `user_level`, so templates can offer edit controls
    without another query.
    """
    district = District.objects.filter(slug=slug).first()
    held = access_level(user, district) if district else None
    if held is None:
        raise Http404("No such district.")
    if held not in LEVELS_AT_LEAST[level]:
        raise PermissionDenied("Your access level does not allow this.")
    district.user_level = held
    district.user_can_edit = held in LEVELS_AT_LEAST[AccessLevel.EDITOR]
    return district


# The admin. Members reach the admin when they are staff; what they see and change
# follows their memberships, read once per request.


def _district_id_of(obj) -> int | None:
    return obj.pk if isinstance(obj, District) else obj.district_id


def _levels(request) -> dict[int, str]:
    """The requesting user's access level per district id, read once per request."""
    levels = getattr(request, "_district_levels", None)
    if levels is None:
        user = request.user
        levels = (
            dict(
                Membership.objects.filter(user=user).values_list(
                    "district_id", "access_level"
                )
            )
            if user.is_authenticated and user.is_active
            else {}
        )
        request._district_levels = levels
    return levels


def request_may(request, level: AccessLevel, district_id: int | None = None) -> bool:
    """Whether the user holds `level` in `district_id`, or in any district when None."""
    if request.user.is_active and request.user.is_superuser:
        return True
    levels = _levels(request)
    held = levels.values() if district_id is None else [levels.get(district_id)]
    return any(h in LEVELS_AT_LEAST[level] for h in held)


def selectable_users(user):
    """Users `user` may name as a member or link to a person.

    Members of the districts `user` can edit, and accounts not yet in any district
    (created by a superuser, waiting for a district admin to grant access). Members of
    other districts stay hidden; superusers may pick anyone.
    """
    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    members = Membership.objects.filter(
        district__in=District.objects.editable_by(user).values("pk")
    ).values("user")
    return users.filter(
        Q(pk__in=members) | ~Q(pk__in=Membership.objects.values("user"))
    )


def _scoped_choices(db_field, request, level: AccessLevel):
    """The rows a foreign key may point to in the admin, or None when not scoped.

    Districts where the user holds `level`; other tenant-owned rows of the districts
    the user can edit; users per `selectable_users`.
    """
    related = db_field.related_model
    if related is District:
        return District.objects.with_access(request.user, level)
    if isinstance(related._default_manager.all(), DistrictQuerySet):
        return related._default_manager.editable_by(request.user)
    if related is get_user_model():
        return selectable_users(request.user)
    return None


def _limit_choices_to_district(form_class, district_id: int | None) -> None:
    """Narrow a form's tenant-owned choices to one district (an existing row's own)."""
    for field in form_class.base_fields.values():
        queryset = getattr(field, "queryset", None)
        if isinstance(queryset, DistrictQuerySet):
            lookup = "pk" if queryset.model is District else "district"
            field.queryset = queryset.filter(**{lookup: district_id})


class DistrictScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A changelist filter on a related row offering only rows of the user's districts.

    Unlike `RelatedOnlyFieldListFilter` it never reads the filtered table itself, so it
    stays cheap on large tables such as measurements.
    """

    def field_choices(self, field, request, model_admin):
        visible = field.related_model._default_manager.visible_to(request.user)
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(pk__in=visible.values("pk")),
            ordering=self.field_admin_ordering(field, request, model_admin),
        )


class DistrictScopedAdmin(SimpleHistoryAdmin):
    """Admin for tenant-owned models: members see and pick only their districts' rows.

    Viewers read, editors change (`edit_level`), in their own districts only. Another
    district's row is missing, exactly like a deleted one. Foreign keys offer rows of
    the districts the user can edit (of the row's own district on a change page), and
    a saved row never moves to another district.
    """

    edit_level = AccessLevel.EDITOR

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = _scoped_choices(db_field, request, self.edit_level)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = _scoped_choices(db_field, request, self.edit_level)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            _limit_choices_to_district(form, _district_id_of(obj))
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        # Moving a row would leave its links in the old district.
        if obj is not None and not isinstance(obj, District):
            readonly += ("district",)
        return readonly

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # A member of one district need not pick it.
        districts = District.objects.with_access(request.user, self.edit_level)
        ids = list(districts.values_list("pk", flat=True)[:2])
        if self.model is not District and len(ids) == 1:
            initial.setdefault("district", ids[0])
        return initial

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        # Autocomplete fills a foreign key: offer only rows the user may link to.
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            queryset = queryset.editable_by(request.user)
        return queryset, may_have_duplicates

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        records = super().get_history_queryset(
            request, history_manager, pk_name, object_id
        )
        return history_with_access(records, request.user)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        records = self.get_history_queryset(
            request, self.model.history, self.model._meta.pk.attname, unquote(object_id)
        )
        if not records.filter(history_id=version_id).exists():
            raise Http404("No such version.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_permission(self, request, obj=None):
        district_id = None if obj is None else _district_id_of(obj)
        return request_may(request, AccessLevel.VIEWER, district_id)

    def has_change_permission(self, request, obj=None):
        district_id = None if obj is None else _district_id_of(obj)
        return request_may(request, self.edit_level, district_id)

    def has_add_permission(self, request):
        return request_may(request, self.edit_level)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


class DistrictInlineForm(forms.ModelForm):
    """An inline row: also checks the uniqueness rules that include its district.

    The district comes from the parent row, not from a form field, so the form alone
    would skip constraints such as one metric code per district.
    """

    def validate_unique(self):
        super().validate_unique()
        for constraint in _district_unique_constraints(self.instance):
            try:
                constraint.validate(type(self.instance), self.instance)
            except ValidationError as error:
                self.add_error(None, error)


def _district_unique_constraints(instance) -> list[models.UniqueConstraint]:
    return [
        constraint
        for constraint in instance._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and "district" in constraint.fields
        and constraint.condition is None
    ]


class DistrictInlineFormSet(forms.BaseInlineFormSet):
    """Inline rows added under a parent take the parent's district."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance._state.adding and not isinstance(self.instance, District):
            form.instance.district_id = self.instance.district_id
        return form

    def clean(self):
        super().clean()
        # Two new rows of one submission may clash on a district-wide rule.
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            for constraint in _district_unique_constraints(form.instance):
                opts = form.instance._meta
                key = (constraint.name,) + tuple(
                    getattr(form.instance, opts.get_field(name).attname)
                    for name in constraint.fields
                )
                if key in seen:
                    raise ValidationError(constraint.get_violation_error_message())
                seen.add(key)


class DistrictScopedInline(admin.TabularInline):
    """Rows edited under their parent: scoped like `DistrictScopedAdmin`.

    Foreign keys offer only rows of the parent's district; permissions follow the
    user's level in the parent's district.
    """

    form = DistrictInlineForm
    formset = DistrictInlineFormSet
    edit_level = AccessLevel.EDITOR
    extra = 1
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = _scoped_choices(db_field, request, self.edit_level)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # On an add page the parent is unsaved; its district is known once posted.
        district_id = None if obj is None else _district_id_of(obj)
        if district_id is not None:
            _limit_choices_to_district(formset.form, district_id)
        return formset

    def _may(self, request, level, obj) -> bool:
        district_id = None if obj is None else _district_id_of(obj)
        return request_may(request, level, district_id)

    def has_view_permission(self, request, obj=None):
        return self._may(request, AccessLevel.VIEWER, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.edit_level, obj)

    def has_add_permission(self, request, obj):
        return self._may(request, self.edit_level, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, self.edit_level, obj)


# The REST API. One permission class and one viewset base: reads go through
# `visible_to`, writes need the viewset's `write_level` in the object's district.


def etag_for(obj) -> str:
    """The ETag of an object's current state: its primary key and version."""
    return f'"{obj.pk}.{obj.version}"'


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The object has changed since you read it (If-Match does not match its ETag). "
        "Read it again and reapply your change."
    )
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This change conflicts with the current data.")
    default_code = "conflict"


class HasDistrictAccess(permissions.BasePermission):
    """Members read; `view.write_level` (editor unless a viewset says more) writes.

    A read-scoped API token is refused on every write. A user without the needed level
    in any district gets a 403 up front; an object of a district where the user lacks
    the level is a 403 once the scoped lookup has found it (other districts' objects
    are a 404 before this runs).
    """

    def _level(self, request, view) -> AccessLevel:
        if request.method in permissions.SAFE_METHODS:
            return getattr(view, "read_level", AccessLevel.VIEWER)
        return getattr(view, "write_level", AccessLevel.EDITOR)

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method not in permissions.SAFE_METHODS and not getattr(
            request.auth, "allows_write", True
        ):
            self.message = _(
                "This token is read-only; use a write token to change data."
            )
            return False
        level = self._level(request, view)
        if level == AccessLevel.VIEWER or user.is_superuser:
            return True
        self.message = _("Your access level does not allow this.")
        return District.objects.with_access(user, level).exists()

    def has_object_permission(self, request, view, obj):
        level = self._level(request, view)
        if level == AccessLevel.VIEWER:
            return True  # the object came through `visible_to`
        self.message = _("Your access level in this district does not allow this.")
        return request_may(request, level, _district_id_of(obj))


def _reject_nul_bytes(request) -> None:
    for name, values in request.query_params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise exceptions.ValidationError(
                {name.replace("\x00", ""): [_("Null characters are not allowed.")]}
            )


class DistrictScopedViewSet(viewsets.ModelViewSet):
    """CRUD on a tenant-owned model, scoped to the caller's districts.

    Lists and details read through `visible_to`. Details carry an ETag; an update or
    delete with a stale `If-Match` answers 412, checked in the database by one
    conditional UPDATE on the version, and every write leaves a history row.
    """

    permission_classes = [permissions.IsAuthenticated, HasDistrictAccess]
    # Any path segment reaches the view, so a malformed id is a JSON 404 like a missing one.
    lookup_value_regex = "[^/]+"
    read_level = AccessLevel.VIEWER
    write_level = AccessLevel.EDITOR

    def get_queryset(self):
        return super().get_queryset().with_access(self.request.user, self.read_level)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _reject_nul_bytes(request)

    def expected_version(self, instance) -> int:
        """The version a write applies to; 412 when If-Match names another state."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return instance.version
        tags = [tag.removeprefix("W/") for tag in parse_etags(header)]
        if "*" in tags or etag_for(instance) in tags:
            return instance.version
        raise PreconditionFailed()

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def perform_create(self, serializer):
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError as error:
            # Validation passed, so another request wrote a clashing row meanwhile.
            raise Conflict() from error

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["id"]}.{response.data["version"]}"'
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = self.expected_version(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = self.write_update(instance, serializer.validated_data, version)
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def write_update(self, instance, changes: dict, version: int):
        """Apply `changes` if the row is still at `version` (one UPDATE), then history."""
        model = type(instance)
        try:
            with transaction.atomic():
                updated = model.objects.filter(pk=instance.pk, version=version).update(
                    **changes, version=F("version") + 1, updated_at=timezone.now()
                )
                if not updated:
                    raise PreconditionFailed()
                before, instance = instance, self.get_queryset().get(pk=instance.pk)
                # QuerySet.update() sends no signals: the history row is written here.
                model.history.bulk_history_create(
                    [instance], update=True, default_user=self.request.user
                )
                rows_updated.send(model, before=[before], after=[instance])
        except IntegrityError as error:
            raise Conflict() from error
        return instance

    @extend_schema(
        responses={200: HistoryEntrySerializer(many=True)},
        description="The object's recorded history, newest first: each creation, "
        "change and deletion, when, by whom, and the fields it changed (for a "
        "creation, the initial values). A deleted object's history stays readable.",
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=LimitOffsetPagination,
        filter_backends=[],
    )
    def history(self, request, *args, **kwargs):
        """History records of the object, read by its id: deleted objects too."""
        records = self.history_records()
        page = self.paginate_queryset(records)
        if not self.paginator.count:
            raise exceptions.NotFound()
        entries = entries_for_page(records, page, self.history_hidden_fields())
        return self.get_paginated_response(
            HistoryEntrySerializer(entries, many=True).data
        )

    def history_hidden_fields(self) -> HiddenFields | None:
        """Which fields of a history record the caller may not see (None: all seen)."""
        return None

    def history_records(self):
        """The object's history records, newest first, scoped like `get_queryset`."""
        model = self.get_queryset().model
        lookup = self.lookup_url_kwarg or self.lookup_field
        value = self.kwargs[lookup]
        records = history_with_access(
            model.history.all(), self.request.user, self.read_level
        )
        try:
            if self.lookup_field == "pk":
                records = records.filter(id=value)
            else:
                # A slug names the object whose latest record holds it.
                ids = (
                    records.filter(**{self.lookup_field: value})
                    .order_by("-history_date", "-history_id")
                    .values("id")[:1]
                )
                records = records.filter(id__in=ids)
        except (TypeError, ValueError, ValidationError):
            raise exceptions.NotFound() from None
        return records.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        version = self.expected_version(instance)
        try:
            with transaction.atomic():
                current = (
                    type(instance)
                    .objects.select_for_update()
                    .filter(pk=instance.pk, version=version)
                    .first()
                )
                if current is None:
                    raise PreconditionFailed()
                current.delete()
        except (ProtectedError, RestrictedError) as error:
            raise Conflict(
                _("Other rows still refer to this one; change or delete them first.")
            ) from error
        return Response(status=status.HTTP_204_NO_CONTENT)

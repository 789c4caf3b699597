"""The REST API's base: one permission class and one viewset for tenant-owned models.

Reads go through `visible_to`; writes need the viewset's `write_level` in the object's
district.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from district.history import HiddenFields, entries_for_page
from district.models import AccessLevel, District
from district.permissions import district_id_of, history_with_access, request_may
from district.write_paths import WritePath, writing_through

from .filters import LimitOffsetPagination
from .history import HistoryEntrySerializer


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
        return request_may(request, level, district_id_of(obj))


def _reject_nul_bytes(request) -> None:
    for name, values in request.query_params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise exceptions.ValidationError(
                {name.replace("\x00", ""): [_("Null characters are not allowed.")]}
            )


class DistrictScopedViewSet(viewsets.ModelViewSet):
    """CRUD on a tenant-owned model, scoped to the caller's districts.

    Lists and details read through `visible_to`. Details carry an ETag; an update or
    delete reads the row again under a lock and answers 412 when `If-Match` names
    another version. Writes go through `serializer.save()` and `perform_destroy`
    (`Model.save` and `Model.delete`), which a viewset overrides to call the service
    that owns a rule; each leaves a history row.
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

    def dispatch(self, request, *args, **kwargs):
        with writing_through(WritePath.API):  # single and bulk writes alike
            return super().dispatch(request, *args, **kwargs)

    def check_if_match(self, instance) -> None:
        """412 when the request's If-Match names another state than `instance`'s."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return
        tags = [tag.removeprefix("W/") for tag in parse_etags(header)]
        if "*" not in tags and etag_for(instance) not in tags:
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

    def locked(self, instance):
        """`instance` read again under a row lock, for a write in this transaction.

        Reads through `get_queryset`, so the row is still one the caller may see; a row
        deleted meanwhile is a 404.
        """
        locked = self.get_queryset().select_for_update(of=("self",))
        current = locked.filter(pk=instance.pk).first()
        if current is None:
            raise exceptions.NotFound()
        return current

    def update(self, request, *args, **kwargs):
        """Read under a lock, check the version, then `serializer.save()`.

        The save goes through `Model.save`, so the model's rules, its history and every
        receiver of its signals run as for any other save.
        """
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        try:
            with transaction.atomic():
                instance = self.locked(instance)
                self.check_if_match(instance)
                serializer = self.get_serializer(
                    instance, data=request.data, partial=partial
                )
                serializer.is_valid(raise_exception=True)
                self.perform_update(serializer)
        except IntegrityError as error:
            # Validation passed, so another request wrote a clashing row meanwhile.
            raise Conflict() from error
        instance = serializer.instance
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

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
        try:
            with transaction.atomic():
                instance = self.locked(instance)
                self.check_if_match(instance)
                self.perform_destroy(instance)
        except (ProtectedError, RestrictedError) as error:
            raise Conflict(
                _("Other rows still refer to this one; change or delete them first.")
            ) from error
        except ValidationError as error:
            # A rule of the model refuses the delete (a closed period, for one).
            raise exceptions.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response(status=status.HTTP_204_NO_CONTENT)

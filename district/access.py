"""Who may see and change what: the permission layer over `DistrictQuerySet`.

Pages, the API and the admin all decide access here. Another district's object is a
404, exactly like a missing one; a member without the needed level gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .models import LEVELS_AT_LEAST, AccessLevel, District, Membership


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


class DistrictScopedAdmin(SimpleHistoryAdmin):
    """Admin for tenant-owned models: members see and pick only their districts' rows."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "visible_to"):
            if related is District:
                kwargs["queryset"] = District.objects.editable_by(request.user)
            else:
                kwargs["queryset"] = related.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "visible_to"):
            kwargs["queryset"] = related.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _district_of(self, obj) -> District:
        return obj if isinstance(obj, District) else obj.district

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is not None:
            return has_level(request.user, self._district_of(obj), AccessLevel.VIEWER)
        return (
            request.user.is_staff
            and Membership.objects.filter(user=request.user).exists()
        )

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is not None:
            return has_level(request.user, self._district_of(obj), AccessLevel.EDITOR)
        return (
            request.user.is_staff
            and District.objects.editable_by(request.user).exists()
        )

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, None)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

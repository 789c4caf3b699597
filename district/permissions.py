"""Who may see and change what: access lookups over `DistrictQuerySet`.

Pages, the API and the admin all decide access here. Another district's object is a
404, exactly like a missing one; a member without the needed level gets a 403.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

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


@dataclass(frozen=True)
class DistrictAccess:
    """A district as the requesting user may use it: the district and their level."""

    district: District
    level: AccessLevel

    @property
    def can_edit(self) -> bool:
        """Editors and admins change content and see suppressed values."""
        return self.level in LEVELS_AT_LEAST[AccessLevel.EDITOR]

    @property
    def is_admin(self) -> bool:
        return self.level == AccessLevel.ADMIN


def get_district_access_or_404(
    user, slug: str, *, level: AccessLevel = AccessLevel.VIEWER
) -> DistrictAccess:
    """The district `slug` and the user's level in it: 404 unless a member, 403 below `level`."""
    district = District.objects.filter(slug=slug).first()
    held = access_level(user, district) if district else None
    if district is None or held is None:
        raise Http404("No such district.")
    if held not in LEVELS_AT_LEAST[level]:
        raise PermissionDenied("Your access level does not allow this.")
    return DistrictAccess(district=district, level=held)


def get_district_or_404(
    user, slug: str, *, level: AccessLevel = AccessLevel.VIEWER
) -> District:
    """The district `slug` if `user` may see it (404 otherwise), checked for `level` (403)."""
    return get_district_access_or_404(user, slug, level=level).district


def district_id_of(obj) -> int | None:
    return obj.pk if isinstance(obj, District) else obj.district_id


def request_levels(request) -> dict[int, str]:
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
    levels = request_levels(request)
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


def linkable_users(user):
    """Users `user` may link to a person: members of the districts `user` can edit.

    Any user for superusers. A person's user must be a member of the person's own
    district (`Person.clean`); accounts outside it stay hidden.
    """
    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    members = Membership.objects.filter(
        district__in=District.objects.editable_by(user).values("pk")
    ).values("user")
    return users.filter(pk__in=members)

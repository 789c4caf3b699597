"""A district's members: adding users, changing their access level, removing them.

A district keeps at least one admin, so somebody can always manage its members: the
last admin can be neither demoted nor removed. Each change first locks the district's
row, so changes to one district's members run one after another: two admins demoting
each other at the same moment cannot both succeed (on PostgreSQL the second waits, then
counts one admin). The lock is FOR NO KEY UPDATE, which leaves rows that merely refer
to the district (new measurements, cells) free to be written meanwhile.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import AccessLevel, District, Membership
from .permissions import selectable_users


def lock_members_of(district_id: int) -> None:
    """Hold the district's row until the transaction ends: one member change at a time."""
    list(
        District.objects.select_for_update(no_key=True)
        .filter(pk=district_id)
        .values_list("pk", flat=True)
    )


def _locked(membership: Membership) -> Membership:
    """The membership as stored, after locking its district's members for this change."""
    lock_members_of(membership.district_id)
    stored = Membership.objects.filter(pk=membership.pk).first()
    if stored is None:
        raise ValidationError(
            _("This member has just been removed by someone else."), code="removed"
        )
    return stored


def _is_last_admin(membership: Membership) -> bool:
    """Whether `membership` is the only admin of its district."""
    if membership.access_level != AccessLevel.ADMIN:
        return False
    admins = Membership.objects.filter(
        district_id=membership.district_id, access_level=AccessLevel.ADMIN
    )
    return not admins.exclude(pk=membership.pk).exists()


LAST_ADMIN_DEMOTED = _(
    "%(user)s is the last admin of %(district)s and cannot be demoted: make another "
    "member an admin first."
)
LAST_ADMIN_REMOVED = _(
    "%(user)s is the last admin of %(district)s and cannot be removed: make another "
    "member an admin first."
)


MEMBERSHIP_KEEPS_ITS_USER = _(
    "A membership keeps its user: remove it and add the other user instead."
)


def _last_admin_error(membership: Membership, message: str) -> ValidationError:
    return ValidationError(
        message,
        code="last_admin",
        params={
            "user": membership.user.get_username(),
            "district": membership.district.name,
        },
    )


def find_addable_user(
    *, identifier: str, district: District, acting_user: AbstractBaseUser
) -> AbstractBaseUser:
    """The active account named by `identifier` (username, or email) that
    `acting_user` may add to `district`.

    Only accounts `selectable_users` offers can be found: members of another district
    the acting user does not edit answer exactly like unknown names, so the form
    reveals nothing about other districts. Raises `ValidationError` with the reason.
    """
    identifier = identifier.strip()
    users = selectable_users(acting_user).filter(is_active=True)
    matches = list(users.filter(username=identifier)[:1]) or list(
        users.filter(email__iexact=identifier)[:2]
    )
    if not identifier or not matches:
        raise ValidationError(
            _(
                "No account you can add has the username or email “%(identifier)s”. "
                "Check the spelling, or ask a Lanes administrator to create the "
                "account."
            ),
            code="unknown_user",
            params={"identifier": identifier},
        )
    if len(matches) > 1:
        raise ValidationError(
            _("Several accounts have the email “%(identifier)s”: enter the username."),
            code="ambiguous_email",
            params={"identifier": identifier},
        )
    user = matches[0]
    level = (
        Membership.objects.filter(district=district, user=user)
        .values_list("access_level", flat=True)
        .first()
    )
    if level is not None:
        raise ValidationError(
            _(
                "%(user)s is already a member of %(district)s (%(level)s); change "
                "their access level in the list of members."
            ),
            code="already_member",
            params={
                "user": user.get_username(),
                "district": district.name,
                "level": AccessLevel(level).label,
            },
        )
    return user


@transaction.atomic
def add_member(
    *,
    district: District,
    user: User,
    access_level: AccessLevel,
    acting_user: AbstractBaseUser | None,
) -> Membership:
    """Make `user` a member of `district` at `access_level`, recorded as `acting_user`.

    Raises `ValidationError` when the user is already a member (or the level is not
    one of `AccessLevel`); nothing is written then.
    """
    lock_members_of(district.pk)
    membership = Membership(district=district, user=user, access_level=access_level)
    membership.full_clean()
    membership._history_user = acting_user
    membership.save()
    return membership


@transaction.atomic
def set_access_level(
    *,
    membership: Membership,
    access_level: AccessLevel,
    acting_user: AbstractBaseUser | None,
) -> Membership:
    """Give a member another access level, recorded as `acting_user`.

    Refused with a `ValidationError` when it would demote the district's last admin
    or the member has been removed meanwhile. Setting the level a member already has writes nothing.
    """
    stored = _locked(membership)
    if stored.access_level == access_level:
        return stored
    if access_level != AccessLevel.ADMIN and _is_last_admin(stored):
        raise _last_admin_error(stored, str(LAST_ADMIN_DEMOTED))
    stored.access_level = access_level
    stored.full_clean()
    stored._history_user = acting_user
    stored.save(update_fields=["access_level"])
    return stored


@transaction.atomic
def remove_member(
    *, membership: Membership, acting_user: AbstractBaseUser | None
) -> None:
    """Take a member out of the district, recorded as `acting_user`.

    Refused with a `ValidationError` when the member is the district's last admin
    or has been removed meanwhile.
    """
    stored = _locked(membership)
    if _is_last_admin(stored):
        raise _last_admin_error(stored, str(LAST_ADMIN_REMOVED))
    stored._history_user = acting_user
    stored.delete()

"""API tokens: how integrations (the data warehouse, the SIS) sign in to the REST API.

A token acts as the user who owns it, in that user's districts, with a scope: `read`
tokens may only read, `write` tokens may also change data (within the user's own
access level). Only a SHA-256 hash of the key is stored; the key is shown once.

A token created with another token (through the API) records that parent and never
has more than it: no wider scope, no later expiry, and revoking the parent revokes it.
Every way of creating or revoking a token goes through `create_token` and
`revoke_token`, where these rules live.
"""

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Characters of the key kept in clear to find the token and to tell tokens apart.
PREFIX_LENGTH = 8
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(seconds=60)


class TokenScope(models.TextChoices):
    """What a token may do: read only, or read and write."""

    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


def hash_key(key: str) -> str:
    """The SHA-256 hex digest stored in place of a token's key."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens that are neither revoked nor expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A secret key that lets an integration call the API as its user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text=_("What the token is for, e.g. “warehouse nightly”.")
    )
    scope = models.CharField(max_length=5, choices=TokenScope, default=TokenScope.READ)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The token this one was created with, if any; it never outlives its parent.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="children",
    )
    # Who the next save's history record names (django-simple-history reads it).
    _history_user: Any
    # The key, on a token just created only: it is never stored.
    key: str

    history = HistoricalRecords(excluded_fields=["last_used_at"])
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=TokenScope.values),
                name="%(app_label)s_%(class)s_scope_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def status(self) -> str:
        if self.is_revoked:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "active"

    @property
    def allows_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def clean(self):
        if self.parent_id and self.parent.user_id != self.user_id:
            raise ValidationError(_("A token can only create tokens for its own user."))

    def matches(self, key: str) -> bool:
        """Whether `key` is this token's key (constant-time comparison of hashes)."""
        return hmac.compare_digest(self.key_hash, hash_key(key))


def _check_parent(
    parent: ApiToken, scope: str, expires_at: datetime.datetime | None
) -> datetime.datetime | None:
    """The expiry a child of `parent` gets; refuses a wider scope or a spent parent.

    The child's expiry is capped at the parent's: a token without an expiry, or with a
    later one, would let a short-lived key outlive itself.
    """
    if not parent.is_active:
        raise ValidationError(_("The token used to create this one is not active."))
    if scope == TokenScope.WRITE and not parent.allows_write:
        raise ValidationError({"scope": _("A read token can only create read tokens.")})
    if parent.expires_at is not None and (
        expires_at is None or expires_at > parent.expires_at
    ):
        return parent.expires_at
    return expires_at


@transaction.atomic
def create_token(
    *,
    user,
    name: str,
    scope: str,
    expires_at: datetime.datetime | None = None,
    parent: ApiToken | None = None,
    acting_user=None,
) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with its key, which is never stored.

    `parent` is the token the request was made with, if any: the new token then gets
    at most its scope and expiry, and is revoked with it.
    """
    if parent is not None:
        # Locked, so a revocation running now either sees this child or refuses it.
        parent = ApiToken.objects.select_for_update().get(pk=parent.pk)
        expires_at = _check_parent(parent, scope, expires_at)
    key = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        scope=scope,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        expires_at=expires_at,
        parent=parent,
    )
    token._history_user = acting_user or user
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def revoke_token(*, token: ApiToken, acting_user) -> ApiToken:
    """Revoke `token` and every token created with it, from now on.

    Revoking a revoked token changes nothing.
    """
    now = timezone.now()
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        token.revoked_at = now
        token._history_user = acting_user
        token.save(update_fields=["revoked_at"])
    else:
        token.revoked_at = locked.revoked_at
    # Children, grandchildren...: one query per generation, each a handful of rows.
    parents = [token.pk]
    while parents:
        children = list(
            ApiToken.objects.select_for_update().filter(
                parent__in=parents, revoked_at__isnull=True
            )
        )
        for child in children:
            child.revoked_at = now
            child._history_user = acting_user
            child.save(update_fields=["revoked_at"])
        parents = [child.pk for child in children]
    return token


def find_active_token(key: str) -> ApiToken | None:
    """The active token whose key is `key`, with its user, or None."""
    if len(key) < PREFIX_LENGTH or len(key) > 200:
        return None
    for token in ApiToken.objects.select_related("user").filter(
        prefix=key[:PREFIX_LENGTH]
    ):
        if token.matches(key):
            return token
    return None


def record_use(token: ApiToken) -> None:
    """Note that `token` was just used; written at most once a minute per token."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # One UPDATE, no history row: using a token does not change it.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now

"""Conditional GET for district pages: an unchanged page answers 304 Not Modified.

A page's ETag is computed from a cheap *data version* of its district: for each table
the page reads, the latest `updated_at` of the district's rows and the latest
`history_date` of their history (which also moves when a row is deleted). These are
index lookups (`(district, updated_at, id)` on measurements), one query for all tables,
so a browser revisiting an unchanged dashboard gets its 304 in a few milliseconds
instead of a recomputation of every rollup.

The ETag also covers everything else a page depends on: the user and their access
level (editors see suppressed values and edit controls), the full URL with its query,
htmx fragment requests, the CSRF secret embedded in forms, the date (statuses depend
on today) and the deployed code. Access is checked before any 304: a user who cannot
see the district gets no ETag, so the view runs and answers 404 as usual.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import condition

from .models import District, Membership


def _version_columns(label: str) -> list[tuple[str, str, str]]:
    """(table, time column, district column) pairs that move when `label`'s rows change."""
    model = apps.get_model(label)
    district_column = "id" if model is District else "district_id"
    columns = [(model._meta.db_table, "updated_at", district_column)]
    history = getattr(model, "history", None)
    if history is not None:
        columns.append((history.model._meta.db_table, "history_date", district_column))
    return columns


def data_version(district_ids: Iterable[int], labels: Iterable[str]) -> tuple:
    """The latest change times of the districts' rows in the tables of `labels`.

    One query of scalar subqueries, each answered from an index on the district and
    the time column. Equal versions mean no row was added, changed or deleted through
    Lanes (saves move `updated_at`; deletes and history-writing bulk changes add a
    history row).
    """
    ids = sorted({int(pk) for pk in district_ids})
    if not ids:
        return ()
    marks = ", ".join(["%s"] * len(ids))
    parts, params = [], []
    for label in labels:
        for table, column, district_column in _version_columns(label):
            qn = connection.ops.quote_name
            parts.append(
                f"(SELECT MAX({qn(column)}) FROM {qn(table)} "
                f"WHERE {qn(district_column)} IN ({marks}))"
            )
            params.extend(ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return tuple(str(value) for value in cursor.fetchone())


@functools.cache
def code_version() -> str:
    """A fingerprint of the deployed templates and Python modules (name, size, mtime)."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for pattern in ("*/*.py", "templates/**/*.html"):
        for path in sorted(base.glob(pattern)):
            stat = path.stat()
            digest.update(
                f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
            )
    return digest.hexdigest()[:16]


def _access(user, slug: str) -> tuple[int, str] | None:
    """The district's pk and the user's level there, or None when it is not visible."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        pk = District.objects.filter(slug=slug).values_list("pk", flat=True).first()
        return (pk, "superuser") if pk is not None else None
    row = (
        Membership.objects.filter(user=user, district__slug=slug)
        .values_list("district_id", "access_level")
        .first()
    )
    return (row[0], row[1]) if row else None


def csrf_secret(request) -> str:
    """The CSRF secret this response's forms carry, created now if the browser has none.

    Creating it here (rather than while rendering) makes the first response set the
    cookie that the next request sends, so both requests compute the same ETag.
    """
    get_token(request)
    return request.META.get("CSRF_COOKIE", "")


def page_etag(
    request, labels: Iterable[str], slug: str, *, with_csrf: bool = True
) -> str | None:
    """The ETag of a district page for this request, or None when it must not have one.

    `with_csrf=False` for API reads: JSON carries no form, so no CSRF secret.
    """
    if request.COOKIES.get("messages"):
        return None  # a pending message is shown by the next rendering, never skipped
    versions = _versions(request, tuple(labels), slug)
    if versions is None:
        return None
    _district_id, level, version = versions
    parts = (
        code_version(),
        str(timezone.localdate()),
        str(request.user.pk),
        level,
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        csrf_secret(request) if with_csrf else "",
        *version,
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _versions(request, labels: tuple[str, ...], slug: str) -> tuple | None:
    """(district pk, the user's level, the data version of `labels`) for this request,
    or None when the user cannot see the district. Read once per request: the ETag
    and the shared part of the page ask for the same."""
    memo = request.__dict__.setdefault("_lanes_versions", {})
    if (labels, slug) not in memo:
        access = _access(request.user, slug)
        memo[(labels, slug)] = (
            None
            if access is None
            else (access[0], access[1], data_version([access[0]], labels))
        )
    return memo[(labels, slug)]


def shared_part_key(request, labels: Iterable[str], slug: str, name: str) -> str | None:
    """The cache key of the part `name` of a district page that every visitor with the
    same access level sees alike (no user name, no form token in it), or None when it
    must be computed afresh (no access, a message pending, not a GET).

    Like the ETag it moves with the data version, the date, the URL and the code, so a
    stored part is never stale: a change to the data makes a new key, and the old one
    expires (`SHARED_PART_SECONDS`).
    """
    if request.method not in ("GET", "HEAD") or request.COOKIES.get("messages"):
        return None
    versions = _versions(request, tuple(labels), slug)
    if versions is None:
        return None
    district_id, level, version = versions
    parts = (
        name,
        code_version(),
        str(timezone.localdate()),
        str(district_id),
        level,
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        *version,
    )
    return "lanes:part:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def conditional_page(labels: Iterable[str]):
    """Decorate a district page view (`slug` in its URL) to answer 304 when unchanged.

    Place it under `@login_required`. Responses carry `Cache-Control: private,
    no-cache`: browsers keep the page but ask again each time, with If-None-Match.
    """
    labels = tuple(labels)

    def etag(request, slug, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return None
        return page_etag(request, labels, slug)

    def decorator(view):
        conditional_view = condition(etag_func=etag)(view)

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = conditional_view(request, *args, **kwargs)
            if response.has_header("ETag"):
                patch_cache_control(response, private=True, no_cache=True)
            return response

        return wrapper

    return decorator


def conditional_api_action(labels: Iterable[str]):
    """Decorate a read-only DRF action on a district (`slug`) to answer 304 when unchanged.

    The action runs after authentication and permission checks, so the ETag is only
    computed for a caller the viewset has let in.
    """
    labels = tuple(labels)

    def decorator(action):
        @functools.wraps(action)
        def wrapper(self, request, *args, slug=None, **kwargs):
            etag = None
            if request.method in ("GET", "HEAD"):
                etag = page_etag(request, labels, slug, with_csrf=False)
            if etag is not None:
                etag = quote_etag(etag)
                not_modified = get_conditional_response(request, etag=etag)
                if not_modified is not None:
                    return not_modified
            response = action(self, request, *args, slug=slug, **kwargs)
            if etag is not None and response.status_code == 200:
                response["ETag"] = etag
                patch_cache_control(response, private=True, no_cache=True)
            return response

        return wrapper

    return decorator


def shared_part(
    request, labels: Iterable[str], slug: str, name: str, render: Callable[[], str]
) -> str:
    """The part `name` of a district page: stored under `shared_part_key` for
    `SHARED_PART_SECONDS` (0 turns storing off), rendered by `render()` when it is not
    stored. The second visitor of an unchanged page, at the same access level, costs
    a cache read instead of the part's queries and rendering."""
    seconds = settings.SHARED_PART_SECONDS
    key = shared_part_key(request, labels, slug, name) if seconds > 0 else None
    if key is None:
        return render()
    part = caches["parts"].get(key)
    if part is None:
        part = render()
        caches["parts"].set(key, part, seconds)
    return part

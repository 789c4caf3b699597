"""Public pages that cost almost nothing when unchanged, and a limit per client.

An unchanged public page answers from one query: the district's *public version*
(whether it is published, and the latest change time of every table a public page
reads, found by its slug in the same statement). The version, the date (statuses
depend on today), the path and the deployed code make the page's ETag: a browser
that has the page gets a 304, any other visitor the rendered page from the cache
under that ETag. A change to the district's data moves the version, so a stale page
is never served; nothing needs purging.

Each client (by address) may ask for `PUBLIC_RATE_LIMIT` public pages a minute,
counted in the cache; beyond it the answer is 429 with `Retry-After`.
"""

import functools
import hashlib
import time
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from rest_framework.throttling import BaseThrottle

from district.conditional import code_version
from district.models import District

from .models import Publication
from .public import PUBLIC_DATA

WINDOW_SECONDS = 60


def _columns(labels: Iterable[str]) -> list[tuple[str, str, str]]:
    """(table, time column, district column) of each label and of its history."""
    columns = []
    for label in labels:
        model = apps.get_model(label)
        district_column = "id" if model is District else "district_id"
        columns.append((model._meta.db_table, "updated_at", district_column))
        history = getattr(model, "history", None)
        if history is not None:
            columns.append(
                (history.model._meta.db_table, "history_date", district_column)
            )
    return columns


def public_version(slug: str) -> tuple[str, ...] | None:
    """The public version of district `slug`: None unless it exists and is published.

    One query: the publication's switch and each table's latest change in the
    district, as scalar subqueries answered from indexes on (district, time).
    """
    qn = connection.ops.quote_name
    parts = [
        f"(SELECT {qn('is_published')} FROM {qn(Publication._meta.db_table)} "
        f"WHERE {qn('district_id')} = d.{qn('id')})"
    ]
    for table, column, district_column in _columns(PUBLIC_DATA):
        parts.append(
            f"(SELECT MAX({qn(column)}) FROM {qn(table)} "
            f"WHERE {qn(district_column)} = d.{qn('id')})"
        )
    sql = (
        f"SELECT {', '.join(parts)} FROM {qn(District._meta.db_table)} d "
        f"WHERE d.{qn('slug')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    if row is None or not row[0]:
        return None
    return tuple(str(value) for value in row[1:])


def client_address(request) -> str:
    """The client's address, read as the API's throttles read it (NUM_PROXIES)."""
    return BaseThrottle().get_ident(request) or "unknown"


def is_over_limit(request) -> bool:
    """Count this request against its client's minute; True beyond the limit."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"publishing:rate:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    return count > settings.PUBLIC_RATE_LIMIT


def too_many_requests() -> HttpResponse:
    response = HttpResponse(
        "Too many requests: try again in a minute.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


def public_etag(request, version: tuple[str, ...]) -> str:
    parts = (
        code_version(),
        str(timezone.localdate()),
        request.get_full_path(),
        *version,
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def public_page(view):
    """Serve a public page (`slug` in its URL) from its version: 304, cache or view.

    The view runs only when the page is not cached for the current version; only
    its 200 answers are kept.
    """

    @functools.wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        if is_over_limit(request):
            return too_many_requests()
        version = public_version(slug)
        if version is None:
            raise Http404("No such public dashboard.")
        etag = quote_etag(public_etag(request, version))
        response = get_conditional_response(request, etag=etag)
        if response is None:
            key = f"publishing:page:{etag}"
            cached = cache.get(key)
            if cached is not None:
                response = HttpResponse(cached)
            else:
                response = view(request, slug, *args, **kwargs)
                if response.status_code != 200:
                    return response
                cache.set(key, response.content, timeout=settings.PUBLIC_CACHE_SECONDS)
        response["ETag"] = etag
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper

"""Liveness and readiness for load balancers and monitors: `GET /healthz`."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from district.database_settings import settings_off

logger = logging.getLogger("lanes.health")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a trivial query, 503 otherwise.

    No login is needed, so the answer says only ok or error; the cause goes to the
    server log, never to the caller. On PostgreSQL `database_settings` says "warn"
    (still 200: Lanes works, but its tables will bloat) when a setting Lanes expects is
    off, and the log names it.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer.")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    answer = {"status": "ok", "database": "ok"}
    if connection.vendor == "postgresql":
        off = settings_off()
        answer["database_settings"] = "warn" if off else "ok"
        if off:
            logger.warning(
                "Health check: PostgreSQL settings are not as Lanes expects: %s",
                ", ".join(f"{name}={value}" for name, value in sorted(off.items())),
            )
    return JsonResponse(answer)

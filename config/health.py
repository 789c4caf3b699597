"""Liveness and readiness for load balancers and monitors: `GET /healthz`."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("lanes.health")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a trivial query, 503 otherwise.

    No login is needed, so the answer says only ok or error; the cause goes to the
    server log, never to the caller.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer.")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

"""How the API answers errors Django raises before a view can: always JSON."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        super().__init__(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} "
            "bytes. Send at most 10,000 rows per bulk request, in several requests."
        )


def exception_handler(exc, context):
    """DRF's handler, plus a 413 (JSON) for a body over DATA_UPLOAD_MAX_MEMORY_SIZE.

    A request refused for missing or invalid credentials is counted by the view's
    throttles first: DRF checks throttles after authentication and permissions, so
    without this, anonymous floods and guessed keys would never meet a limit. The
    caller is anonymous by then, so the per-address limit counts it; over that
    limit the answer is 429, not 401.
    """
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    view, request = context.get("view"), context.get("request")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        if view is not None and request is not None:
            try:
                view.check_throttles(request)
            except exceptions.Throttled as throttled:
                exc = throttled
    return drf_exception_handler(exc, context)


def not_found(request, *args, **kwargs):
    """A JSON 404 for any path under /api/ that names no endpoint."""
    detail = "No such API endpoint."
    if not request.path.endswith("/"):
        detail += " API paths end with a slash, e.g. /api/v1/roles/."
    return JsonResponse({"detail": detail}, status=404)

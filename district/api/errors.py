"""How the API answers errors, including those Django raises before a view can: JSON.

`config/urls.py` names the handlers below as Django's handler400/403/404/500: under
/api/ they answer JSON, elsewhere Django's own error pages.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults
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


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to do this."}, status=403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": "Server error. It has been logged; try again later."},
            status=500,
        )
    return defaults.server_error(request)

"""Site-wide request rules that no single view can keep: malformed paths, API caching."""

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.cache import patch_cache_control

API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"


class RejectNullCharactersMiddleware:
    """A null character in the path is a 404; in an admin query string, a 400.

    No URL names a null character, yet converters such as `<str:...>` and `[^/]+`
    pass it to views, and PostgreSQL refuses it in any query (a 500). The admin is
    Django's own code and hands search terms (the autocomplete's `term`, `q`) and
    filters to the database as they come. Lanes' pages ignore such values in their
    filters, and the API answers them with a 400 naming the parameter.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No such page.")
        if request.path.startswith(ADMIN_PREFIX) and "\x00" in _decoded_query(request):
            raise BadRequest("Null characters are not allowed.")
        return self.get_response(request)


def _decoded_query(request) -> str:
    return "".join(name + "".join(values) for name, values in request.GET.lists())


class ApiNoStoreMiddleware:
    """Every API response, errors included, is `Cache-Control: private, no-store`.

    API answers carry one user's data: no shared cache (a proxy, a CDN) may keep them,
    and no browser may write them to disk.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            patch_cache_control(response, private=True, no_store=True)
        return response

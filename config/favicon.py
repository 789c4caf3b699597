"""/favicon.ico, which browsers ask for on pages that name no icon (the admin, JSON)."""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request):
    """Redirect to the icon among the static files (its name carries its hash)."""
    return HttpResponseRedirect(static("img/favicon.ico"))

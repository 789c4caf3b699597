"""Login throttling: django-axes' lockout check and the page a locked-out person sees.

Failed logins are counted per username (settings `AXES_*`, read from the environment).
After `AXES_FAILURE_LIMIT` failures the account refuses logins, even with the right
password, until `AXES_COOLOFF_TIME` has passed since the last failure.
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins of locked-out accounts; the next backend checks the password.

    Every login that reaches Lanes over HTTP (the login page, the admin login)
    passes the request, so it is throttled. A call without a request comes
    from code in this process (the shell, a command, the test client's `login()`):
    there is no remote client to throttle, so the check is left to the password
    backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def render_lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The 429 page for a locked-out account: why, and when to try again."""
    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "cool_off_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        "retry_at": timezone.now() + cool_off if cool_off else None,
    }
    response = render(request, "registration/locked.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response

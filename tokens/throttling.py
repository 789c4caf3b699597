"""Request rate limits for the API: per user, per token, and per address when anonymous.

Rates come from settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], set from the
environment); a request over a limit answers 429 with a Retry-After header.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from .models import ApiToken


class _SettingsRateMixin:
    scope: str

    def get_rate(self):
        # Read at request time, so a changed setting applies without a restart of the class.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousThrottle(_SettingsRateMixin, AnonRateThrottle):
    """Requests without credentials, counted per client address."""

    scope = "anon"


class UserThrottle(_SettingsRateMixin, SimpleRateThrottle):
    """All of a user's requests, by session or any of their tokens."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenThrottle(_SettingsRateMixin, SimpleRateThrottle):
    """Requests made with one token."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}

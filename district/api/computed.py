"""The base of computed views addressed under a district: `/api/v1/districts/<slug>/...`.

The district app owns the address; each higher app (roles, goals) registers its own
computed actions (the matrix, the dashboard) on a subclass in its own `api/urls.py`,
so the district app imports nothing from them.
"""

from rest_framework import permissions, viewsets

from district.models import District

from .base import HasDistrictAccess, _reject_nul_bytes


class DistrictComputedViewSet(viewsets.GenericViewSet):
    """Read-only actions on one district the caller may see, found by slug (404 otherwise)."""

    queryset = District.objects.all()
    permission_classes = [permissions.IsAuthenticated, HasDistrictAccess]
    lookup_field = "slug"
    # Any path segment reaches the view, so a malformed slug is a JSON 404.
    lookup_value_regex = "[^/]+"
    # The actions read query parameters of their own; list filters do not apply.
    filter_backends: list = []

    def get_queryset(self):
        return District.objects.visible_to(self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _reject_nul_bytes(request)

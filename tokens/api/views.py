"""The caller's own API tokens: list, create (the key is in that response only), revoke."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from district.api.filters import LimitOffsetPagination
from tokens.models import ApiToken, create_token, revoke_token

from .serializers import (
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    CreatedApiTokenSerializer,
)


class TokenScopeAllowsWrite(permissions.BasePermission):
    """A read-scoped token may list tokens but not create or revoke them."""

    message = "This token is read-only; use a write token to change data."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return getattr(request.auth, "allows_write", True)


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Tokens of the signed-in user; another user's token is a 404."""

    queryset = ApiToken.objects.none()  # the schema reads the id's type from it
    serializer_class = ApiTokenSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopeAllowsWrite]
    lookup_value_regex = "[^/]+"
    pagination_class = LimitOffsetPagination
    filter_backends = []

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: CreatedApiTokenSerializer},
        description="Create a token for yourself. The response holds its `key`: "
        "store it, it is never shown again. Created with a token, the new token has "
        "at most that token's scope and expiry, and is revoked with it.",
    )
    def create(self, request, *args, **kwargs):
        form = ApiTokenCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        days = form.validated_data.get("expires_in_days")
        try:
            token, key = create_token(
                user=request.user,
                name=form.validated_data["name"],
                scope=form.validated_data["scope"],
                expires_at=timezone.now() + datetime.timedelta(days=days)
                if days
                else None,
                parent=request.auth if isinstance(request.auth, ApiToken) else None,
            )
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if "__all__" in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
            raise serializers.ValidationError(detail) from error
        token.key = key
        data = CreatedApiTokenSerializer(token, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={204: None},
        description="Revoke the token from now on. It stays listed, as revoked.",
    )
    def destroy(self, request, *args, **kwargs):
        revoke_token(token=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

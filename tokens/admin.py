"""API tokens in the Django admin: list, create (the key is shown once), revoke."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone

from district.admin_base import ScopedHistoryAdmin
from district.models import District, Membership

from .models import ApiToken, create_token, revoke_token


class ApiTokenAddForm(forms.ModelForm):
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, help_text="Empty: no expiry."
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope"]


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedHistoryAdmin):
    """Superusers manage every token; district admins see and revoke their members' tokens."""

    list_display = [
        "name",
        "prefix",
        "user",
        "scope",
        "status",
        "created_at",
        "expires_at",
        "last_used_at",
    ]
    list_filter = ["scope", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = [
        "user",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "parent",
    ]
    fields = ["name", *readonly_fields]
    actions = ["revoke"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return tokens
        members = Membership.objects.filter(
            district__in=District.objects.administered_by(request.user)
        ).values("user")
        return tokens.filter(user__in=members)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        records = super().get_history_queryset(
            request, history_manager, pk_name, object_id
        )
        # A token the list does not show is missing in its history too.
        return records.filter(id__in=self.get_queryset(request).values("pk"))

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
            kwargs["fields"] = ["user", "name", "scope", "expires_in_days"]
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scope", "expires_in_days"]
        return self.fields

    def _is_district_admin(self, request) -> bool:
        return (
            request.user.is_staff
            and District.objects.administered_by(request.user).exists()
        )

    def has_module_permission(self, request):
        return request.user.is_superuser or self._is_district_admin(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        # Tokens are revoked, not deleted: the record of who could sign in stays.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            obj.save(update_fields=["name"])
            return
        days = form.cleaned_data.get("expires_in_days")
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        token, key = create_token(
            user=obj.user,
            name=obj.name,
            scope=obj.scope,
            expires_at=expires_at,
            acting_user=request.user,
        )
        form.instance = token
        request._created_token_key = key

    def response_add(self, request, obj, post_url_continue=None):
        # The key is shown on this response only; it is not stored or put in a message.
        return TemplateResponse(
            request,
            "admin/tokens/token_created.html",
            {
                **self.admin_site.each_context(request),
                "token": obj,
                "key": request._created_token_key,
                "opts": self.model._meta,
                "title": "API token created",
            },
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(token=token, acting_user=request.user)
            count += 1
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)

"""The user's own API tokens: list, create (key shown once) and revoke."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .forms import TokenForm
from .models import ApiToken, create_token, revoke_token


@login_required
def token_list(request):
    """The user's tokens and a form to create one; after creating, the key once."""
    created = None
    form = TokenForm()
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data["expires_in_days"]
            expires_at = (
                timezone.now() + datetime.timedelta(days=days) if days else None
            )
            token, key = create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=expires_at,
            )
            created = {"token": token, "key": key}
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "tokens/token_list.html",
        {"tokens": tokens, "form": form, "created": created},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    """Revoke one of the user's tokens after a confirmation page; another user's
    token is a 404. The GET shows what revoking stops; the POST revokes."""
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    if request.method == "GET":
        children = ApiToken.objects.active().filter(parent=token).count()
        return render(
            request,
            "tokens/token_revoke.html",
            {"token": token, "children": children},
        )
    revoke_token(token=token, acting_user=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("tokens:list")

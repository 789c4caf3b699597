"""Pages of the update rhythm: My updates, commentary, completion, outbox, preferences."""

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from district.models import AccessLevel
from district.permissions import get_district_access_or_404
from goals.commentary import write_commentary
from goals.models import Commentary, Metric
from goals.periods import closed_message, closed_ranges

from .completion import build_completion
from .forms import CommentaryForm, PreferencesForm
from .models import Reminder, ReminderPreference
from .my_updates import build_my_updates
from .reminders import user_from_token

OUTBOX_ROWS = 200


@login_required
def my_updates(request, slug):
    """What the signed-in person owes in the district: overdue first, then due, then done."""
    access = get_district_access_or_404(request.user, slug)
    board = build_my_updates(
        district_id=access.district.pk,
        user_id=request.user.pk,
        today=timezone.localdate(),
    )
    return render(
        request,
        "rhythm/my_updates.html",
        {"district": access.district, "board": board, "can_edit": access.can_edit},
    )


def _period_end(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise Http404("No such period.") from error


@login_required
@require_http_methods(["GET", "POST"])
def commentary(request, slug, pk, period_end):
    """Write (or change) the district's commentary on a metric for one period."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    district = access.district
    metric = get_object_or_404(
        Metric.objects.editable_by(request.user).filter(district=district), pk=pk
    )
    day = _period_end(period_end)
    current = Commentary.objects.filter(
        metric=metric, network__isnull=True, period_end=day
    ).first()
    closed = closed_message(day, closed_ranges(district.pk))
    form = CommentaryForm(
        request.POST if request.method == "POST" else None,
        initial={
            "behind_the_number": current.behind_the_number if current else "",
            "next_steps": current.next_steps if current else "",
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                write_commentary(
                    metric=metric,
                    period_end=day,
                    acting_user=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, "Commentary saved.")
                return redirect(
                    reverse("goals:dashboard", args=[district.slug])
                    + f"#metric-{metric.pk}"
                )
        status = 400
    return render(
        request,
        "rhythm/commentary.html",
        {
            "district": district,
            "metric": metric,
            "period_end": day,
            "form": form,
            "current": current,
            "closed": closed,
        },
        status=status,
    )


@login_required
def completion(request, slug):
    """Per person and role: updates on time, late and missing, this period and this year."""
    access = get_district_access_or_404(request.user, slug)
    today = timezone.localdate()
    rows = build_completion(district=access.district, today=today)
    return render(
        request,
        "rhythm/completion.html",
        {"district": access.district, "rows": rows, "today": today},
    )


@login_required
def outbox(request, slug):
    """The reminders sent (and being sent), newest first: for district admins."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.ADMIN)
    reminders = list(
        Reminder.objects.administered_by(request.user)
        .filter(district=access.district)
        .select_related("recipient", "owner")
        .order_by("-claimed_at", "-pk")[:OUTBOX_ROWS]
    )
    return render(
        request,
        "rhythm/outbox.html",
        {"district": access.district, "reminders": reminders, "limit": OUTBOX_ROWS},
    )


@require_http_methods(["GET", "POST"])
def preferences(request, token):
    """Reminder preferences through the signed link in each mail; no login needed."""
    user_id = user_from_token(token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise Http404("This link is not valid.")
    preference = ReminderPreference.objects.filter(user=user).first()
    wants = preference.wants_reminders if preference else True
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"wants_reminders": wants},
    )
    saved = False
    if request.method == "POST" and form.is_valid():
        ReminderPreference.objects.update_or_create(
            user=user,
            defaults={"wants_reminders": form.cleaned_data["wants_reminders"]},
        )
        wants, saved = form.cleaned_data["wants_reminders"], True
    return render(
        request,
        "rhythm/preferences.html",
        {"form": form, "wants_reminders": wants, "saved": saved},
    )

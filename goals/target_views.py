"""The page where editors set a metric's targets: the district's, a network's, a group's.

Editors and admins only (viewers get 403, other districts 404). A target is one row,
written through `TargetForm` (the model's own validation); history records who wrote
or deleted it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from district.models import AccessLevel
from district.permissions import get_district_or_404

from .dashboards import metrics_with_details
from .forms import TargetForm
from .models import Metric, Target
from .targets import target_rows


def editable_metric_or_404(request, slug, pk):
    district = get_district_or_404(request.user, slug, level=AccessLevel.EDITOR)
    metric = get_object_or_404(
        metrics_with_details(
            Metric.objects.editable_by(request.user).filter(district=district)
        ),
        pk=pk,
    )
    return district, metric


@login_required
def target_list(request, slug, pk):
    """A metric's targets by scope, and a form to add one."""
    district, metric = editable_metric_or_404(request, slug, pk)
    form = TargetForm(request.POST or None, metric=metric)
    if request.method == "POST":
        if form.is_valid():
            target = form.save()
            messages.success(
                request, _("Target saved: %(target)s.") % {"target": target}
            )
            return redirect("goals:metric-targets", district.slug, metric.pk)
    response = render(
        request,
        "goals/metric_targets.html",
        {
            "district": district,
            "metric": metric,
            "rows": target_rows(metric),
            "form": form,
        },
    )
    if form.is_bound:
        response.status_code = 400
    return response


@login_required
@require_POST
def target_delete(request, slug, pk, target_pk):
    """Delete one target row of a metric (the metric's own baseline and final stay)."""
    district, metric = editable_metric_or_404(request, slug, pk)
    target = get_object_or_404(
        Target.objects.editable_by(request.user).filter(metric=metric), pk=target_pk
    )
    target.delete()
    messages.success(request, _("Target deleted: %(target)s.") % {"target": target})
    return redirect("goals:metric-targets", district.slug, metric.pk)

"""Pages that change the matrix's rows: add a responsibility, edit one, reorder them.

Plain forms with a redirect; moving a row up or down also answers htmx with the work
area's rows (`_matrix_area.html`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from district.models import AccessLevel
from district.permissions import get_district_access_or_404

from .forms import MoveForm, ResponsibilityEditForm, ResponsibilityForm
from .responsibilities import (
    StaleRowError,
    add_responsibility,
    move_responsibility,
    update_responsibility,
)
from .views import (
    editable_row,
    matrix_context,
    matrix_url,
    render_matrix,
    row_tag,
    shown_matrix,
)


@login_required
@require_POST
def responsibility_add(request, slug):
    """Add a row at the end of a work area."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    district = access.district
    form = ResponsibilityForm(request.POST, district=district)
    if form.is_valid():
        try:
            responsibility = add_responsibility(
                district=district,
                acting_user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Added “%(name)s” to %(area)s.")
                % {"name": responsibility.name, "area": responsibility.work_area},
                extra_tags=row_tag(responsibility.pk),
            )
            return redirect(matrix_url(district, row_pk=responsibility.pk))
    messages.error(request, _("The responsibility was not added; see the form below."))
    return render_matrix(request, access, status=400, add_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def responsibility_edit(request, slug, pk):
    """Rename a row, change its description or declared-joint flag, or move it to
    another work area; refused (409) when someone changed the row in between."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    district = access.district
    responsibility = editable_row(request, district, pk)
    status = 200
    stale_values = None
    if request.method == "POST":
        form = ResponsibilityEditForm(
            request.POST, instance=responsibility, district=district
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_responsibility(
                    responsibility=responsibility,
                    expected_version=data["version"],
                    acting_user=request.user,
                    name=data["name"],
                    description=data["description"],
                    is_joint=data["is_joint"],
                    work_area=data["work_area"],
                )
            except StaleRowError:
                stale_values = data
                responsibility = editable_row(request, district, pk)
                form = ResponsibilityEditForm(
                    instance=responsibility,
                    district=district,
                    initial={"version": responsibility.version},
                )
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                # Back to the matrix as it was shown (same filters and date), at
                # this row, with the message in the row.
                messages.success(
                    request,
                    _("Saved “%(name)s”.") % {"name": responsibility.name},
                    extra_tags=row_tag(responsibility.pk),
                )
                return redirect(
                    matrix_url(district, request.GET.urlencode(), responsibility.pk)
                )
        else:
            status = 400
    else:
        form = ResponsibilityEditForm(
            instance=responsibility,
            district=district,
            initial={"version": responsibility.version},
        )
    context = {
        "district": district,
        "responsibility": responsibility,
        "form": form,
        "stale_values": stale_values,
        "back_url": matrix_url(district, request.GET.urlencode(), responsibility.pk),
    }
    return render(request, "roles/responsibility_form.html", context, status=status)


@login_required
@require_POST
def responsibility_move(request, slug, pk):
    """Move a row one place up or down in its work area."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    district = access.district
    responsibility = editable_row(request, district, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose to move the row up or down."))
    move_responsibility(
        responsibility=responsibility,
        direction=form.cleaned_data["direction"],
        acting_user=request.user,
    )
    if not request.htmx:
        return redirect(
            matrix_url(district, request.GET.urlencode(), responsibility.pk)
        )
    shown = shown_matrix(request, district)
    group = next(
        (g for g in shown.matrix.groups if g.pk == responsibility.work_area_id), None
    )
    if group is None:
        return HttpResponse(status=204)
    context = matrix_context(request, access, shown, groups=[group])
    return render(request, "roles/_matrix_area.html", context)

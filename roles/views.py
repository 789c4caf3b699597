"""Pages of the ownership matrix: the matrix and its cells, history, and exports.

Row edits (add, edit, reorder) are in `responsibility_views.py`.

Each in-place interaction is a real form that also works without JavaScript; htmx
requests get the fragment (`_thing.html`) that the full page includes.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import (
    require_GET,
    require_POST,
)

from district.conditional import conditional_page
from district.exports import attachment
from district.models import AccessLevel, District
from district.permissions import DistrictAccess, get_district_access_or_404

from . import exports
from .cells import set_ownership, set_row_levels
from .forms import (
    AsOfForm,
    CellLevelsForm,
    ChangesForm,
    MatrixFilterForm,
    ResponsibilityForm,
)
from .matrix import (
    MATRIX_DATA,
    Matrix,
    MatrixFilters,
    MatrixRow,
    assemble_matrix,
    build_health,
)
from .matrix_history import AsOf, first_record_at, matrix_changes, row_history
from .matrix_snapshot import Snapshot, load_snapshot
from .models import Responsibility, Role
from .responsibilities import (
    StaleRowError,
)


@dataclass
class ShownMatrix:
    """The matrix a request asks for (?as_of and filters), and the forms that asked."""

    matrix: Matrix
    snapshot: Snapshot
    as_of_form: AsOfForm
    filter_form: MatrixFilterForm
    as_of: AsOf | None
    query: str  # the valid part of the query string, kept on links and forms

    @property
    def is_valid(self) -> bool:
        return self.as_of_form.is_valid() and self.filter_form.is_valid()

    def row(self, pk: int) -> MatrixRow | None:
        """One row as stored, shown whatever the filters (after a change to it)."""
        return self.matrix.find_row(pk) or assemble_matrix(self.snapshot).find_row(pk)


def shown_matrix(request, district: District) -> ShownMatrix:
    as_of_form = AsOfForm(request.GET)
    as_of = as_of_form.cleaned_data["as_of"] if as_of_form.is_valid() else None
    snapshot = load_snapshot(district, as_of=as_of.moment if as_of else None)
    filter_form = MatrixFilterForm(request.GET, snapshot=snapshot)
    filters = filter_form.filters()
    return ShownMatrix(
        matrix=assemble_matrix(snapshot, filters),
        snapshot=snapshot,
        as_of_form=as_of_form,
        filter_form=filter_form,
        as_of=as_of,
        query=_query_string(filters, as_of),
    )


def _query_string(filters: MatrixFilters, as_of: AsOf | None) -> str:
    params = {
        "work_area": filters.work_area,
        "role": filters.role,
        "level": filters.level,
        "classification": filters.classification,
        "with_warnings": "on" if filters.with_warnings else None,
        "as_of": as_of.param if as_of else None,
    }
    return urlencode({key: value for key, value in params.items() if value})


def matrix_url(district: District, query: str = "", row_pk: int | None = None) -> str:
    url = reverse("roles:matrix", kwargs={"slug": district.slug})
    if query:
        url += f"?{query}"
    return url + (f"#row-{row_pk}" if row_pk else "")


def matrix_context(
    request, access: DistrictAccess, shown: ShownMatrix, **extra
) -> dict:
    """What the matrix templates show: edit controls for editors, never in the past."""
    district = access.district
    can_edit = access.can_edit and shown.as_of is None
    matrix = shown.matrix
    context = {
        "district": district,
        "shown": shown,
        "matrix": matrix,
        "summary": matrix.summary,
        "as_of": shown.as_of,
        "as_of_query": f"?as_of={shown.as_of.param}" if shown.as_of else "",
        "filters_text": exports.describe_filters(matrix),
        "can_edit": can_edit,
        "query_suffix": f"?{shown.query}" if shown.query else "",
        "colspan": len(matrix.roles) + 3,
        "add_form": ResponsibilityForm(district=district) if can_edit else None,
    }
    context.update(extra)
    return context


def row_tag(pk: int) -> str:
    """The tag of a message about one row: the matrix shows it in that row."""
    return f"row-{pk}"


def _messages_by_row(request, matrix: Matrix) -> dict:
    """The request's messages, with the last one about a row the matrix shows (tagged
    by `row_tag`) taken out to be shown in that row, next to what it is about. A row
    the filters hide keeps its message at the top of the page."""
    page_messages = []
    context: dict = {}
    for message in messages.get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t.startswith("row-")), "")
        pk = int(tag[4:]) if tag[4:].isdigit() else None
        if pk is not None and matrix.find_row(pk) is not None:
            context.update(
                row_message=message.message,
                row_message_pk=pk,
                row_message_level=message.level_tag,
            )
        else:
            # Shown at the top like any other, without the row's tag in its classes.
            page_messages.append(Message(message.level, message.message))
    context["messages"] = page_messages
    return context


def render_matrix(request, access: DistrictAccess, *, status: int = 200, **extra):
    shown = shown_matrix(request, access.district)
    if not shown.is_valid and status == 200:
        status = 400
    context = matrix_context(request, access, shown)
    context.update(_messages_by_row(request, shown.matrix))
    context.update(extra)
    snapshot = shown.snapshot
    if shown.as_of and not (snapshot.roles and snapshot.responsibilities):
        first = first_record_at(access.district)
        if first is not None and first > shown.as_of.moment:
            context["first_record_at"] = first
    return render(request, "roles/matrix.html", context, status=status)


@login_required
@require_GET
@conditional_page(MATRIX_DATA)
def matrix(request, slug):
    """The ownership matrix: rows by work area, roles as columns, health and summary."""
    return render_matrix(request, get_district_access_or_404(request.user, slug))


def editable_row(request, district: District, pk: int) -> Responsibility:
    return get_object_or_404(
        Responsibility.objects.editable_by(request.user).filter(district=district),
        pk=pk,
    )


STALE_MESSAGE = _lazy(
    "%(label)s was not saved: someone else changed this row after you opened the "
    "page. The row now shows the current values; choose again if your change is "
    "still needed."
)


@login_required
@require_POST
def ownership_set(request, slug, pk, role_pk):
    """Save one cell (htmx, on change): a role's level on a row, refused with 409 when
    the row changed since the page showed it."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    district = access.district
    responsibility = editable_row(request, district, pk)
    role = get_object_or_404(
        Role.objects.editable_by(request.user).filter(district=district), pk=role_pk
    )
    label = _("%(role)s on %(row)s") % {"role": role.code, "row": responsibility.name}
    form = CellLevelsForm(request.POST, roles=[role])
    if not form.is_valid():
        return _cells_refused(request, access, responsibility, label, form=form)
    level = form.levels()[role]
    try:
        set_ownership(
            responsibility=responsibility,
            role=role,
            level=level,
            expected_version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except StaleRowError:
        return _cells_refused(request, access, responsibility, label, stale=True)
    except ValidationError as error:
        return _cells_refused(request, access, responsibility, label, error=error)
    saved = _("Saved: %(label)s is now %(level)s.") % {
        "label": label,
        "level": level or _("none"),
    }
    if not request.htmx:
        messages.success(request, saved, extra_tags=row_tag(pk))
        return redirect(matrix_url(district, request.GET.urlencode(), pk))
    # Only what the save changed: the row's classification and the summary, both
    # from the rows' A and R cells (not the whole matrix: no cell changed but this one,
    # and the select already shows it).
    health = build_health(district)
    context = {
        "district": district,
        "summary": health.summary,
        "row_pk": responsibility.pk,
        "row_health": health.rows[responsibility.pk],
        # The version this save made: if another save came in since, the next
        # change from this page is refused and shows that one.
        "row_version": responsibility.version,
        "status_message": saved,
    }
    return render(request, "roles/_cell_saved.html", context)


@login_required
@require_POST
def row_levels_set(request, slug, pk):
    """Save the cells of one row at once: the row's form, for browsers without
    JavaScript. All or nothing; refused with 409 when the row is stale."""
    access = get_district_access_or_404(request.user, slug, level=AccessLevel.EDITOR)
    district = access.district
    responsibility = editable_row(request, district, pk)
    roles = [
        role
        for role in Role.objects.filter(district=district)
        if f"level-{role.pk}" in request.POST
    ]
    label = responsibility.name
    form = CellLevelsForm(request.POST, roles=roles)
    if not form.is_valid():
        return _cells_refused(request, access, responsibility, label, form=form)
    try:
        changed = set_row_levels(
            responsibility=responsibility,
            levels=form.levels(),
            expected_version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except StaleRowError:
        return _cells_refused(request, access, responsibility, label, stale=True)
    except ValidationError as error:
        return _cells_refused(request, access, responsibility, label, error=error)
    if changed:
        levels = form.levels()
        messages.success(
            request,
            _("Saved %(row)s: %(cells)s.")
            % {
                "row": label,
                "cells": ", ".join(
                    f"{role.code} {levels[role] or _('none')}" for role in changed
                ),
            },
            extra_tags=row_tag(pk),
        )
    else:
        messages.info(
            request,
            _("%(row)s: nothing to save.") % {"row": label},
            extra_tags=row_tag(pk),
        )
    return redirect(matrix_url(district, request.GET.urlencode(), pk))


def form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label or name}: {' '.join(errors)}"
        if name != "__all__"
        else " ".join(errors)
        for name, errors in form.errors.items()
    )


def _cells_refused(
    request, access, responsibility, label, *, form=None, stale=False, error=None
):
    """The row as stored now, with why the save was refused: alone for htmx (409 for a
    stale row, 400 for bad input), else within the whole page."""
    if stale:
        status, message = 409, STALE_MESSAGE % {"label": label}
    else:
        reasons = form_errors(form) if form is not None else " ".join(error.messages)
        status = 400
        message = _("%(label)s was not saved: %(reasons)s") % {
            "label": label,
            "reasons": reasons,
        }
    if not request.htmx:
        messages.error(request, message)
        return render_matrix(
            request,
            access,
            status=status,
            row_message=message,
            row_message_pk=responsibility.pk,
        )
    shown = shown_matrix(request, access.district)
    context = matrix_context(
        request,
        access,
        shown,
        refused_rows=[shown.row(responsibility.pk)],
        row_message=message,
        row_message_pk=responsibility.pk,
        status_message=message,
    )
    response = render(request, "roles/_row_refused.html", context, status=status)
    response["HX-Retarget"] = f"#row-{responsibility.pk}"
    response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_GET
def responsibility_history(request, slug, pk):
    """Who changed which cell or field of one row, from what to what, and when."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    responsibility = get_object_or_404(
        Responsibility.objects.visible_to(request.user).filter(district=district),
        pk=pk,
    )
    context = {
        "district": district,
        "responsibility": responsibility,
        "entries": row_history(responsibility),
    }
    template = (
        "roles/_row_history.html"
        if request.htmx
        else "roles/responsibility_history.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def changes(request, slug):
    """The matrix changes made between two days: rows and cells, and who made them."""
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    if "from" in request.GET or "to" in request.GET:
        form = ChangesForm(request.GET)
    else:
        first_day, last_day = ChangesForm.default_days()
        form = ChangesForm({"from": first_day, "to": last_day})
    result = None
    status = 400
    if form.is_valid():
        status = 200
        result = matrix_changes(
            district,
            first_day=form.cleaned_data["first_day"],
            last_day=form.cleaned_data["last_day"],
        )
    context = {"district": district, "form": form, "changes": result}
    return render(request, "roles/matrix_changes.html", context, status=status)


def _export(request, slug, *, extension: str, content_type: str, write):
    access = get_district_access_or_404(request.user, slug)
    district = access.district
    shown = shown_matrix(request, district)
    if not shown.is_valid:
        errors = form_errors(shown.as_of_form) + " " + form_errors(shown.filter_form)
        return HttpResponseBadRequest(
            _("The export was not made: %(errors)s") % {"errors": errors.strip()},
            content_type="text/plain; charset=utf-8",
        )
    filename = exports.file_name(
        shown.matrix, district=district, as_of=shown.as_of, extension=extension
    )
    response = attachment(HttpResponse(content_type=content_type), filename)
    write(shown.matrix, response, district=district, as_of=shown.as_of)
    return response


@login_required
@require_GET
def export_csv(request, slug):
    """The matrix as shown (same filters and date) as a CSV file."""
    return _export(
        request,
        slug,
        extension="csv",
        content_type="text/csv; charset=utf-8",
        write=exports.write_csv,
    )


@login_required
@require_GET
def export_xlsx(request, slug):
    """The matrix as shown (same filters and date) as an Excel workbook."""
    return _export(
        request,
        slug,
        extension="xlsx",
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        write=exports.write_xlsx,
    )

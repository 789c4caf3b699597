"""Pages for entering data: the entry grid and the CSV import with its preview.

Both are for editors and admins (viewers get 403, other districts 404) and both save
through `goals.importers.upsert_measurements`: all or nothing, history for every value.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from district.import_rows import CsvFileError, RowError
from district.models import AccessLevel, School
from district.permissions import get_district_or_404
from district.write_paths import WritePath, writing_through

from .dashboards import as_of_date, school_years
from .entry import build_grid, save_grid
from .forms import MAX_UPLOAD_BYTES, CsvUploadForm, CsvUploadHandler, EntryPeriodForm
from .import_example import import_example
from .importers import UpsertResult, read_measurements_csv, upsert_measurements
from .models import Metric, Scope
from .views import district_networks

# How long a previewed file may wait for confirmation.
IMPORT_TOKEN_SECONDS = 2 * 60 * 60
# Row errors listed on the preview; the count says how many more there are.
ERRORS_SHOWN = 200
# Rows of the file shown on the preview.
ROWS_SHOWN = 20
PREVIEW_COLUMNS = (
    "metric",
    "school_id",
    "network",
    "period_end",
    "school_year",
    "value",
    "n",
)


@login_required
def measurement_entry(request, slug, pk):
    """Enter one period's values of a metric for all schools (or networks) at once."""
    district = get_district_or_404(request.user, slug, level=AccessLevel.EDITOR)
    metric = get_object_or_404(
        Metric.objects.editable_by(request.user).filter(district=district), pk=pk
    )
    networks = district_networks(district, request.user)
    period_form = EntryPeriodForm(
        request.GET or None,
        networks=networks,
        initial={
            "period_end": as_of_date(school_years(district)[0]),
            "scope": Scope.SCHOOL,
        },
    )
    context = {"district": district, "metric": metric, "period_form": period_form}
    if not period_form.is_bound or not period_form.is_valid():
        return render(request, "goals/measurement_entry.html", context)

    period_end = period_form.cleaned_data["period_end"]
    scope = period_form.cleaned_data["scope"]
    network = next(
        (n for n in networks if str(n.pk) == period_form.cleaned_data["network"]),
        None,
    )
    grid = {
        "district": district,
        "user": request.user,
        "metric": metric,
        "period_end": period_end,
        "scope": scope,
        "network": network if scope == Scope.SCHOOL else None,
    }
    if request.method == "POST":
        rows = build_grid(**grid, submitted=request.POST)
        with writing_through(WritePath.GRID):
            result = save_grid(
                district=district,
                metric=metric,
                period_end=period_end,
                rows=rows,
                acting_user=request.user,
            )
        if result.saved:
            messages.success(
                request,
                _(
                    "Saved %(metric)s for the period ending %(period)s: %(created)s "
                    "new, %(updated)s changed, %(unchanged)s unchanged."
                )
                % {
                    "metric": metric.name,
                    "period": period_end.isoformat(),
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect(request.get_full_path())
    else:
        rows = build_grid(**grid)
    invalid = sum(1 for row in rows if row.errors)
    context |= {
        "rows": rows,
        "scope": scope,
        "scope_label": Scope(scope).label,
        "period_end": period_end,
        "network": grid["network"],
        "invalid_count": invalid,
    }
    return render(
        request,
        "goals/measurement_entry.html",
        context,
        status=400 if invalid else 200,
    )


@dataclass(frozen=True)
class PreviewCell:
    """A cell of the file as written, and the name it stands for (a school's, a
    metric's) when the district has one by that id or code."""

    text: str
    name: str = ""


@dataclass(frozen=True)
class Preview:
    """What the import page shows about a file before (or instead of) saving it."""

    name: str
    result: UpsertResult
    errors: tuple[RowError, ...]
    more_errors: int
    columns: tuple[str, ...]
    rows: tuple[tuple[int, tuple[PreviewCell, ...]], ...]
    more_rows: int
    token: str | None  # signed file, offered for confirmation when every row is valid


def build_preview(
    district, name: str, rows: list, result: UpsertResult, token
) -> Preview:
    columns = tuple(c for c in PREVIEW_COLUMNS if any(c in row for row in rows[:1]))
    shown = rows[:ROWS_SHOWN]

    def texts(column: str) -> set[str]:
        # A null character cannot be sent to PostgreSQL; such an id names nothing.
        found = {str(row.get(column) or "").strip() for row in shown}
        return {text for text in found if text and "\x00" not in text}

    # Names beside the ids and codes of the rows shown: two queries, whatever the file.
    names = {
        "school_id": dict(
            School.objects.filter(
                district=district, school_id__in=texts("school_id")
            ).values_list("school_id", "name")
        ),
        "metric": dict(
            Metric.objects.filter(
                district=district, code__in=texts("metric")
            ).values_list("code", "name")
        ),
    }

    def cell(row, column: str) -> PreviewCell:
        text = row.get(column) or ""
        return PreviewCell(
            text=text, name=names.get(column, {}).get(str(text).strip(), "")
        )

    return Preview(
        name=name,
        result=result,
        errors=result.errors[:ERRORS_SHOWN],
        more_errors=max(0, len(result.errors) - ERRORS_SHOWN),
        columns=columns,
        rows=tuple((row.line, tuple(cell(row, c) for c in columns)) for row in shown),
        more_rows=max(0, len(rows) - ROWS_SHOWN),
        token=token,
    )


def import_salt(district, user) -> str:
    """Signing salt of a previewed file: its token is valid for this district and user."""
    return f"goals.measurement-import:{district.pk}:{user.pk}"


@csrf_exempt
@login_required
def measurement_import(request, slug):
    """Upload a measurements CSV, preview it as a dry run, then confirm to save it.

    The upload is held in memory only (`CsvUploadHandler`: nothing on local disk).
    Between preview and confirmation the file's text travels in a signed, compressed
    hidden field, so the server keeps no state and the confirmed file is exactly the
    previewed one. CSRF is checked inside, once the upload handler is in place.
    """
    if request.method == "POST":
        request.upload_handlers = [CsvUploadHandler(request)]
    return measurement_import_protected(request, slug)


@csrf_protect
def measurement_import_protected(request, slug):
    district = get_district_or_404(request.user, slug, level=AccessLevel.EDITOR)
    if request.method == "POST" and "token" in request.POST:
        return confirm_import(request, district)
    form = CsvUploadForm()
    preview = None
    if request.method == "POST":
        form = CsvUploadForm(
            request.POST,
            request.FILES,
            too_large=getattr(request, "upload_too_large", False),
        )
        if form.is_valid():
            preview = preview_upload(request, district, form)
    return render_import(request, district, form, preview)


def preview_upload(request, district, form) -> Preview | None:
    """Read the uploaded file and try it (dry run); None when it cannot be read."""
    data = form.cleaned_data["file"]
    name = request.FILES["file"].name
    try:
        rows = read_measurements_csv(data)
    except CsvFileError as error:
        form.add_error("file", str(error))
        return None
    result = upsert_measurements(
        district=district, rows=rows, acting_user=request.user, dry_run=True
    )
    token = None
    if not result.errors:
        token = signing.dumps(
            {"name": name, "text": data.decode("utf-8-sig")},
            salt=import_salt(district, request.user),
            compress=True,
        )
    return build_preview(district, name, rows, result, token)


def confirm_import(request, district):
    """Save the previewed file; refused whole if any row has become invalid since."""
    try:
        payload = signing.loads(
            request.POST["token"],
            salt=import_salt(district, request.user),
            max_age=IMPORT_TOKEN_SECONDS,
        )
    except signing.BadSignature:
        messages.error(
            request,
            _("The preview has expired or was altered; upload the file again."),
        )
        return redirect("goals:measurement-import", slug=district.slug)
    # A str would be read as a path: hand the text over as bytes.
    rows = read_measurements_csv(payload["text"].encode("utf-8"))
    with writing_through(WritePath.IMPORT):
        result = upsert_measurements(
            district=district,
            rows=rows,
            acting_user=request.user,
            source=(_("CSV upload: %(name)s") % {"name": payload["name"]})[:200],
        )
    if not result.saved:
        preview = build_preview(district, payload["name"], rows, result, token=None)
        return render_import(request, district, CsvUploadForm(), preview)
    messages.success(
        request,
        _(
            "Imported %(name)s: %(created)s new, %(updated)s changed, "
            "%(unchanged)s unchanged."
        )
        % {
            "name": payload["name"],
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return redirect("goals:measurement-import", slug=district.slug)


def render_import(request, district, form, preview):
    refused = bool(form.errors) or bool(preview and preview.errors)
    return render(
        request,
        "goals/measurement_import.html",
        {
            "district": district,
            "form": form,
            "preview": preview,
            "example": import_example(district),
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        status=400 if refused else 200,
    )

"""The ownership matrix as files: CSV and Excel, as shown (same filters and date).

Each row of the file is a responsibility: its work area, name, description, declared
joint flag, one column per role (R, A, C, I or empty), its classification and warnings.
Text that a spreadsheet would run as a formula is written as text
(`district.exports`).
"""

import io
from typing import IO

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from district.exports import CsvWriter, store_as_text
from district.models import District

from .matrix import Classification, Matrix
from .matrix_history import AsOf


def header(matrix: Matrix) -> list[str]:
    return [
        _("Work area"),
        _("Responsibility"),
        _("Description"),
        _("Declared joint"),
        *(role.code for role in matrix.roles),
        _("Classification"),
        _("Warnings"),
    ]


def rows(matrix: Matrix) -> list[list[str]]:
    """One list of texts per responsibility shown, in matrix order."""
    return [
        [
            group.name,
            row.name,
            row.description,
            _("yes") if row.is_joint else _("no"),
            *(cell.level for cell in row.cells),
            str(row.health.classification.label),
            " ".join(str(warning.label) for warning in row.health.warnings),
        ]
        for group in matrix.groups
        for row in group.rows
    ]


def write_csv(
    matrix: Matrix,
    out: IO[str],
    *,
    district: District,
    as_of: AsOf | None,
) -> None:
    """Write the matrix as UTF-8 CSV (with a byte-order mark, so Excel reads accents)."""
    out.write("\ufeff")
    writer = CsvWriter(out)
    writer.writerow(header(matrix))
    writer.writerows(rows(matrix))


def describe_filters(matrix: Matrix) -> str:
    """The filters in words, for the file's notes."""
    filters = matrix.filters
    roles = {role.pk: role.code for role in matrix.roles}
    areas = {group.pk: group.name for group in matrix.groups}
    parts = []
    if filters.work_area:
        parts.append(
            _("work area %s") % areas.get(filters.work_area, filters.work_area)
        )
    if filters.role:
        role = roles.get(filters.role, str(filters.role))
        level = filters.level or _("any level")
        parts.append(_("role %(role)s at %(level)s") % {"role": role, "level": level})
    if filters.classification:
        parts.append(str(Classification(filters.classification).label).lower())
    if filters.with_warnings:
        parts.append(_("rows with warnings"))
    return ", ".join(parts) or _("none (all rows)")


def file_name(
    matrix: Matrix, *, district: District, as_of: AsOf | None, extension: str
) -> str:
    """The download's name: district, filters and date, so that a filtered file and
    the full one, or two dates, never share a name.

    "lanes-cps-matrix-all-2026-03-05.csv", or with filters and a past minute
    "lanes-cps-matrix-role-cso-a-gap-asof-2026-03-05T1405.csv".
    """
    filters = matrix.filters
    roles = {role.pk: role.code for role in matrix.roles}
    areas = {group.pk: group.name for group in matrix.groups}
    parts = []
    if filters.work_area:
        parts += ["area", areas.get(filters.work_area, str(filters.work_area))]
    if filters.role:
        parts += ["role", roles.get(filters.role, str(filters.role))]
        parts += [filters.level] if filters.level else []
    if filters.classification:
        parts.append(filters.classification)
    if filters.with_warnings:
        parts.append("warnings")
    shown = slugify("-".join(parts)) or "all"
    if as_of:
        when = "asof-" + as_of.param.replace(":", "")
    else:
        when = timezone.localdate().isoformat()
    return f"lanes-{district.slug}-matrix-{shown}-{when}.{extension}"


def write_xlsx(
    matrix: Matrix,
    out: IO[bytes],
    *,
    district: District,
    as_of: AsOf | None,
) -> None:
    """Write the matrix as an Excel workbook: a Matrix sheet and an About sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Matrix")
    sheet.append(header(matrix))
    for values in rows(matrix):
        sheet.append(values)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "C2"
    widths = {1: 24, 2: 40, 3: 40, 4: 10}
    first_role = 5
    for index in range(1, len(header(matrix)) + 1):
        width = widths.get(index, 8 if index < first_role + len(matrix.roles) else 30)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.auto_filter.ref = sheet.dimensions

    about = workbook.create_sheet(_("About"))
    summary = matrix.summary
    when = as_of.label if as_of else _("current matrix")
    for label, value in [
        (_("District"), district.name),
        (_("As of"), when),
        (_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
        (_("Filters"), describe_filters(matrix)),
        (_("Rows in this file"), matrix.shown_rows),
        (_("Summary of the whole matrix"), ""),
        (_("Responsibilities"), summary.rows),
        (_("Joint"), summary.joint),
        (_("Distinct"), summary.distinct),
        (_("Gaps"), summary.gaps),
        (_("Conflicts"), summary.conflicts),
        (_("Rows with warnings"), summary.with_warnings),
        *(
            (
                _("Distinct rows of %s") % load.role.code,
                load.distinct,
            )
            for load in summary.role_loads
        ),
    ]:
        about.append([label, value])
    for cell in about["A"]:
        cell.font = bold
    about.column_dimensions["A"].width = 32
    about.column_dimensions["B"].width = 40
    store_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    out.write(buffer.getvalue())

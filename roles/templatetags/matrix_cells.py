"""The cells of a matrix row, written in Python rather than as a template loop.

A 200 x 12 matrix repeats the cell markup 2,400 times; rendered by the template engine
that alone took most of a second (bench/matrix.py), written here it takes milliseconds.
The markup is the same as a template would give: for editors, a <select> per cell with
a visually hidden label ("CAO on Curriculum"), saved by htmx on change and tied to the
row's form (`form="row-form-<pk>"`) for browsers without JavaScript; for viewers and
past dates, the level as text.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from roles.matrix import MatrixRow

register = template.Library()

LEVELS = ("", "R", "A", "C", "I")
# The five option lists, one per selected level.
OPTIONS = {
    selected: mark_safe(
        "".join(
            f'<option value="{level}"{" selected" if level == selected else ""}>'
            f"{level or 'none'}</option>"
            for level in LEVELS
        )
    )
    for selected in LEVELS
}


@register.simple_tag(takes_context=True)
def matrix_cells(context, row: MatrixRow) -> str:
    """The row's <td> cells, editable when the page allows editing."""
    if not context.get("can_edit"):
        return mark_safe(
            "".join(
                f'<td class="cell level-{escape(cell.level or "none")}">{escape(cell.level)}</td>'
                for cell in row.cells
            )
        )
    # Plain f-strings over values escaped once: format_html per cell was the slowest
    # part of the page. Levels and primary keys are known-safe ("R", "A", ..., ints).
    name = escape(row.name)
    query = escape(context.get("query_suffix", ""))
    url = reverse("roles:ownership-set", args=[context["district"].slug, row.pk, 0])
    prefix = escape(url[: -len("0/")])  # the same URL for every role but its end
    pk = int(row.pk)
    return mark_safe(
        "".join(
            f'<td class="cell"><label class="visually-hidden" for="cell-{pk}-{role}">'
            f"{escape(cell.role.code)} on {name}</label>"
            f'<select id="cell-{pk}-{role}" name="level-{role}" form="row-form-{pk}"'
            f' hx-post="{prefix}{role}/{query}">{OPTIONS[cell.level]}</select></td>'
            for cell in row.cells
            for role in (int(cell.role.pk),)
        )
    )

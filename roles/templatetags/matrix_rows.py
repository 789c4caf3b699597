"""The rows of the matrix, written in Python rather than as template includes.

A matrix repeats the row markup once per row and the cell markup once per row and
role. Through the template engine (an include per row, `{% url %}` five times per row)
that was most of the page's time; written here from URLs reversed once per call, it is
a small part of it (docs/benchmarks.md, "Matrix page").

The markup is what the templates gave. For editors, each cell is a native <select>
(none, R, A, C, I) with a visually hidden label ("CAO on Curriculum"), saved by htmx
when static/js/matrix.js commits it (a "commit" event: a level picked from the list,
or Enter or leaving the cell after arrow keys) with the row's version (`hx-include` on
the row), and tied to the row's form (`form="row-form-<pk>"`) for browsers without
JavaScript. For viewers and past dates, each cell is its level as text. Every row ends
with its classification and warnings as text, then its history link (for editors in
an Actions menu, one tab stop, with Edit and the move buttons), and without
JavaScript a Save button. Options omit their optional end tags (valid HTML, a tenth
of the page less).
"""

from collections.abc import Iterable
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from roles.matrix import AreaGroup, Classification, MatrixRow, RowHealth, RowWarning

register = template.Library()

LEVELS = ("", "R", "A", "C", "I")
# The five option lists, one per selected level.
OPTIONS = {
    selected: "".join(
        f'<option value="{level}"{" selected" if level == selected else ""}>'
        f"{level or 'none'}"
        for level in LEVELS
    )
    for selected in LEVELS
}
# Stands for a primary key while a URL is reversed once, then split around it.
MARKER = 987654321


def url_parts(name: str, slug: str, ids: int) -> tuple[str, ...]:
    """The escaped parts of a URL around its `ids` integer arguments, in order.

    `reverse()` runs once per call instead of once per row: joining the parts with
    the ids gives the same URL. Split from the right, so a slug that happens to hold
    the marker's digits cannot be cut.
    """
    markers = [str(MARKER + index) for index in range(ids)]
    url = reverse(name, args=[slug, *markers])
    parts = []
    for marker in reversed(markers):
        url, _marker, tail = url.rpartition(marker)
        parts.append(escape(tail))
    parts.append(escape(url))
    return tuple(reversed(parts))


def classification_labels() -> dict[str, str]:
    """Classification and warning labels, escaped: lazy translations resolved once."""
    return {
        value: escape(str(label))
        for choices in (Classification, RowWarning)
        for value, label in choices.choices
    }


def health_box(
    pk: int, health: RowHealth, labels: dict[str, str], *, oob: bool = False
) -> str:
    """A row's classification (always as text, colour only adds to it) and warnings."""
    warnings = (
        '<ul class="warnings">'
        + "".join(f"<li>{labels[warning]}</li>" for warning in health.warnings)
        + "</ul>"
        if health.warnings
        else ""
    )
    swap = ' hx-swap-oob="true"' if oob else ""
    classification = health.classification
    return (
        f'<div id="health-{int(pk)}" class="health-box"{swap}>'
        f'<span class="badge badge-{escape(classification)}">'
        f"{labels[classification]}</span>{warnings}</div>"
    )


class RowWriter:
    """Writes rows for one page or fragment: its URLs, CSRF token and editing state."""

    def __init__(self, context):
        """Reverse the row URLs once (per page, or per fragment)."""
        slug = context["district"].slug
        self.can_edit = bool(context.get("can_edit"))
        self.query = escape(context.get("query_suffix", ""))
        self.message = context.get("row_message")
        self.message_pk = context.get("row_message_pk")
        self.message_level = context.get("row_message_level", "error")
        self.history = url_parts("roles:responsibility-history", slug, 1)
        if self.can_edit:
            self.csrf = escape(str(context.get("csrf_token", "")))
            self.edit = url_parts("roles:responsibility-edit", slug, 1)
            self.move = url_parts("roles:responsibility-move", slug, 1)
            self.save = url_parts("roles:row-levels-set", slug, 1)
            self.cell = url_parts("roles:ownership-set", slug, 2)
        self.labels = classification_labels()

    def row(self, row: MatrixRow) -> str:
        pk = int(row.pk)
        name = escape(row.name)
        head = f'<span class="row-title">{name}</span>'
        if row.is_joint:
            head += ' <span class="tag">declared joint</span>'
        if row.description:
            head += f'\n<span class="row-description">{escape(row.description)}</span>'
        if self.message and self.message_pk == row.pk:
            if self.message_level == "error":
                kind, role = "row-message", "alert"
            else:
                kind, role = "row-message row-message-ok", "status"
            head += f'\n<span class="{kind}" role="{role}">{escape(str(self.message))}</span>'
        include = f' hx-include="#version-{pk}"' if self.can_edit else ""
        return (
            f'<tr id="row-{pk}" class="matrix-row row-{escape(row.health.classification)}"'
            f'{include}>\n<th scope="row" class="row-name">{head}</th>\n'
            f"{self.cells(pk, name, row)}\n"
            f'<td class="health">{health_box(pk, row.health, self.labels)}</td>\n'
            f'<td class="row-actions no-print">{self.actions(pk, name, row)}</td>\n</tr>\n'
        )

    def cells(self, pk: int, name: str, row: MatrixRow) -> str:
        if not self.can_edit:
            return "".join(
                f'<td class="cell level-{escape(cell.level or "none")}">'
                f"{escape(cell.level)}</td>"
                for cell in row.cells
            )
        # Plain f-strings over values escaped once: format_html per cell was the
        # slowest part of the page. Levels and primary keys are known-safe.
        start, middle, end = self.cell
        prefix = f"{start}{pk}{middle}"
        tail = f"{end}{self.query}"
        return "".join(
            f'<td class="cell"><label class="visually-hidden" for="cell-{pk}-{role}">'
            f"{escape(cell.role.code)} on {name}</label>"
            f'<select id="cell-{pk}-{role}" name="level-{role}" form="row-form-{pk}"'
            f' hx-post="{prefix}{role}{tail}" hx-trigger="commit">'
            f"{OPTIONS[cell.level]}</select></td>"
            for cell in row.cells
            for role in (int(cell.role.pk),)
        )

    def actions(self, pk: int, name: str, row: MatrixRow) -> str:
        history = f"{self.history[0]}{pk}{self.history[1]}"
        # Opened by static/js/matrix.js in a full-width row under this one; without
        # JavaScript, the row's history page.
        history_link = (
            f'<a class="history-link" href="{history}" data-row="{pk}">History'
            f'<span class="visually-hidden"> of {name}</span></a>'
        )
        if not self.can_edit:
            return history_link
        edit = f"{self.edit[0]}{pk}{self.edit[1]}{self.query}"
        move = f"{self.move[0]}{pk}{self.move[1]}{self.query}"
        save = f"{self.save[0]}{pk}{self.save[1]}{self.query}"
        first = ' aria-disabled="true"' if row.is_first_in_area else ""
        last = ' aria-disabled="true"' if row.is_last_in_area else ""
        move_button = (
            f'<button type="submit" formaction="{move}" hx-post="{move}"'
            ' hx-target="closest tbody" hx-swap="outerHTML" name="direction"'
        )
        # One tab stop per row: the menu's summary. The row's form holds the version
        # and, without JavaScript, the cells' selects (form="row-form-…"): the Save
        # button outside the menu sends them all.
        return (
            '<details class="row-menu"><summary>Actions'
            f'<span class="visually-hidden"> for {name}</span></summary>'
            f'<div class="row-menu-items">{history_link}\n'
            f'<a href="{edit}">Edit<span class="visually-hidden"> {name}</span></a>\n'
            f'<form id="row-form-{pk}" method="post" action="{save}" class="row-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf}">'
            f'<input type="hidden" name="version" value="{int(row.version)}" id="version-{pk}">'
            f'{move_button} value="up" id="move-up-{pk}" class="menu-button"{first}>'
            f'Move up<span class="visually-hidden"> {name}</span></button>\n'
            f'{move_button} value="down" id="move-down-{pk}" class="menu-button"{last}>'
            f'Move down<span class="visually-hidden"> {name}</span></button>'
            "</form></div></details>"
            f'<noscript><button type="submit" form="row-form-{pk}" class="row-save">Save'
            f'<span class="visually-hidden"> {name}</span></button></noscript>'
        )


@register.simple_tag(takes_context=True)
def matrix_areas(context, groups: Iterable[AreaGroup]) -> SafeString:
    """A <tbody> per work area: its heading row, then its rows (or a note if none)."""
    writer = RowWriter(context)
    colspan = int(context["colspan"])
    html = []
    for group in groups:
        html.append(
            f'<tbody id="area-{group.pk or "unrecorded"}" class="area">\n'
            f'<tr class="area-row"><th colspan="{colspan}" scope="rowgroup">'
            f"{escape(group.name)}</th></tr>\n"
        )
        html.extend(writer.row(row) for row in group.rows)
        if not group.rows:
            html.append(
                f'<tr><td colspan="{colspan}" class="muted">'
                "No responsibilities in this work area yet.</td></tr>\n"
            )
        html.append("</tbody>\n")
    return mark_safe("".join(html))


@register.simple_tag(takes_context=True)
def matrix_rows(context, rows: Iterable[MatrixRow]) -> SafeString:
    """The rows' <tr> elements alone (a row refreshed after a refused save)."""
    writer = RowWriter(context)
    return mark_safe("".join(writer.row(row) for row in rows))


@register.simple_tag
def matrix_health(pk: int, health: RowHealth, oob: bool = False) -> SafeString:
    """A row's health box alone (out of band after a cell save)."""
    return mark_safe(health_box(pk, health, classification_labels(), oob=oob))

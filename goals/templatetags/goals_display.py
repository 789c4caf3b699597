"""Template tags for goals pages: status badges (word and shape, never colour alone)."""

import functools

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from goals.display import STATUS_ICONS
from goals.status import Status
from goals.targets import TargetScope

register = template.Library()


# Tags, not included templates: a network scorecard shows a cell per school and metric,
# and an include per cell was a large share of its time (docs/benchmarks.md).


@register.simple_tag
def status_badge(status):
    """A status as a badge: its icon (hidden from screen readers) and its word."""
    return _badge(Status(status), get_language())


@functools.cache
def _badge(status: Status, language: str | None) -> str:
    """One badge per status and language, built once: a scorecard repeats the same five."""
    return format_html(
        '<span class="status status-{}"><span class="status-icon" aria-hidden="true">'
        "{}</span> {}</span>",
        status.value,
        STATUS_ICONS[status],
        status.label,
    )


@register.simple_tag
def scope_value(shown):
    """A value cell's content (`goals.display.ShownValue`): suppressed or marked below n."""
    if shown.is_suppressed:
        return format_html('<span class="suppressed">{}</span>', shown.text)
    if shown.is_below_min_n:
        return format_html(
            '{} <span class="below-min-n">below minimum n (n={})</span>',
            shown.text,
            shown.n,
        )
    return shown.text


@register.simple_tag
def dom_id(*parts) -> str:
    """An element id from parts, for ids unique on a page: "chart-dashboard-12"."""
    return "-".join(str(part) for part in parts if part not in (None, ""))


@register.simple_tag
def school_cells(cells):
    """A school's row of cells on a scorecard: each the latest value and its status.

    A cell judged against another target than the district's names it.
    """
    return format_html_join(
        "",
        '<td class="school-cell">{}<br>{}{}</td>',
        (
            (
                scope_value(cell.latest),
                status_badge(cell.status.status),
                format_html(
                    '<br><span class="target-scope">{}</span>',
                    cell.applied_target.label,
                )
                if cell.applied_target.scope != TargetScope.DISTRICT
                else "",
            )
            for cell in cells
        ),
    )

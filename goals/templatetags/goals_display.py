"""Template tags for goals pages: status badges (word and shape, never colour alone)."""

import functools

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from goals.display import STATUS_ICONS, gap_text, value_text
from goals.status import JUDGED, Status
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
def scope_value(shown, status=None):
    """A value cell's content (`goals.display.ShownValue`): suppressed or marked below n.

    Without a value it says why (`goals.display.value_text`): not applicable when
    `status` (a `goals.status.Status`) says so, suppressed, or not reported.
    """
    if shown.is_suppressed:
        return format_html('<span class="suppressed">{}</span>', shown.text)
    if shown.is_below_min_n:
        return format_html(
            '{} <span class="below-min-n">below minimum n (n={})</span>',
            shown.text,
            shown.n,
        )
    if shown.value is None:
        return format_html(
            '<span class="no-value">{}</span>', value_text(shown, status)
        )
    return shown.text


@register.simple_tag
def gap(status, metric):
    """How far a judged value is from its expected value (`goals.display.gap_text`).

    Empty for a status that is not a judgement of a current value (stale, no data).
    """
    if status.status not in JUDGED:
        return ""
    return gap_text(status.margin, unit=metric.unit, decimals=metric.decimals)


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
                scope_value(cell.latest, cell.status.status),
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


@register.simple_tag
def overview_cells(row, metrics, slug, period_query):
    """A network's cells on the dashboard's overview (`goals.overview.OverviewRow`).

    Each cell links to the metric's page for the network: the status (shape and
    word), the value or why there is none, and the gap to the expected value. A
    cell not applicable says so once, in its status.
    """
    network = row.network

    def value(cell):
        if cell.status.status == Status.NOT_APPLICABLE and cell.latest.value is None:
            return ""
        return scope_value(cell.latest, cell.status.status)

    return format_html_join(
        "",
        '<td class="overview-cell"><a href="{}?{}"><span class="visually-hidden">'
        '{} in {}: </span>{}<span class="overview-value">{}</span>'
        '<span class="overview-gap">{}</span></a></td>',
        (
            (
                reverse("goals:metric-network", args=[slug, metric.pk, network.pk]),
                period_query,
                metric.name,
                network.name,
                status_badge(cell.status.status),
                value(cell),
                gap(cell.status, metric),
            )
            for cell, metric in zip(row.cells, metrics, strict=True)
        ),
    )

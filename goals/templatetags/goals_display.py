"""Template tags for goals pages: status badges (word and shape, never colour alone)."""

from django import template

from goals.display import STATUS_ICONS
from goals.status import Status

register = template.Library()


@register.inclusion_tag("goals/_status.html")
def status_badge(status):
    """A status as a badge: its icon (hidden from screen readers) and its word."""
    status = Status(status)
    return {"status": status, "icon": STATUS_ICONS[status]}


@register.simple_tag
def dom_id(*parts) -> str:
    """An element id from parts, for ids unique on a page: "chart-dashboard-12"."""
    return "-".join(str(part) for part in parts if part not in (None, ""))

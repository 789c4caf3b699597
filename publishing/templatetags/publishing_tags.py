"""Template filters of the public pages and packets."""

from django import template

from goals.models import Goal

register = template.Library()


@register.filter
def owners_of(owners: dict, obj) -> tuple[str, ...]:
    """The owner names of a goal or metric from `publishing.public.owner_names`."""
    kind = "goal" if isinstance(obj, Goal) else "metric"
    return owners.get((kind, obj.pk), ())

"""The API's JSON parser: bodies nested deeper than any resource needs are a 400."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

# The deepest body a resource takes is a bulk upsert ({"rows": [{...}]}, three levels).
MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested more than MAX_DEPTH levels.

    Python's parser raises RecursionError at about a thousand levels (a 500 without
    this); bodies just under that would reach the serializers, the history and the
    logs, which walk them recursively too.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        if nested_deeper_than(data, MAX_DEPTH):
            raise too_deep()
        return data


def too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(
        _("JSON parse error - nested more than %(depth)d levels deep.")
        % {"depth": MAX_DEPTH}
    )


def nested_deeper_than(data, limit: int) -> bool:
    """Whether `data` holds lists or objects more than `limit` levels deep (no recursion)."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list)
        )
    return False

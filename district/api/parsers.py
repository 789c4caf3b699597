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
    """Whether `data` holds lists or objects more than `limit` levels deep.

    Level by level, without recursion. Parsed JSON holds only dict and list containers,
    so exact type checks suffice; they keep a 10,000-row bulk body well under the
    time its parse takes.
    """
    level = [data] if type(data) is dict or type(data) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        deeper = []
        for value in level:
            for child in value.values() if type(value) is dict else value:
                if type(child) is dict or type(child) is list:
                    deeper.append(child)
        level = deeper
    return False

"""An object's recorded history as the API shows it: one entry per history row.

Every editable tenant model keeps django-simple-history records; a deleted object's
records stay. Each entry names what happened (`created`, `changed`, `deleted`), when,
by whom, and which fields differ from the record before it, as diffed by
`district.history` for the pages too.
"""

import datetime
import decimal
import uuid

from rest_framework import serializers

from district.history import HISTORY_TYPES

HISTORY_TYPE_CHOICES = list(HISTORY_TYPES.values())
_DATETIME = serializers.DateTimeField()


class RecordedValueField(serializers.JSONField):
    """A recorded value as the API writes it: decimals as strings, dates in ISO 8601."""

    def to_representation(self, value):
        if isinstance(value, decimal.Decimal):
            return str(value)
        if isinstance(value, datetime.datetime):
            return _DATETIME.to_representation(value)
        if isinstance(value, (datetime.date, datetime.time)):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        return value


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="The field's name, as in the resource (a related object's field "
        "holds its id)."
    )
    old = RecordedValueField(
        allow_null=True, help_text="The value before; null for a `created` entry."
    )
    new = RecordedValueField(allow_null=True, help_text="The value after.")


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField(help_text="The history record's id.")
    date = serializers.DateTimeField(help_text="When it happened (ISO 8601).")
    type = serializers.ChoiceField(
        choices=HISTORY_TYPE_CHOICES, help_text="What happened."
    )
    user = serializers.CharField(
        allow_null=True,
        help_text="The username of who did it; null for a script or a deleted user.",
    )
    changes = HistoryChangeSerializer(
        many=True,
        help_text="Fields that differ from the record before, by name; for "
        "`created`, the initial values that are not null.",
    )

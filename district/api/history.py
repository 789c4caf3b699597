"""An object's recorded history as the API shows it: one entry per history row.

Every editable tenant model keeps django-simple-history records; a deleted object's
records stay. Each entry names what happened (`created`, `changed`, `deleted`), when,
by whom, and which fields differ from the record before it. Before an object was
created every field counts as null, so a `created` entry lists its initial values (the
fields that are not null). `version` and `updated_at` change on every write and are
left out. A field the reader may not see in a record (`hidden`, decided by the
resource's viewset: a suppressed value for a viewer) counts as null there, so neither
its value nor a diff against it is shown.
"""

import datetime
import decimal
import uuid
from collections.abc import Callable, Collection

from django.db.models import Q
from django.forms.models import model_to_dict
from rest_framework import serializers

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
HISTORY_TYPE_CHOICES = list(HISTORY_TYPES.values())


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="The field's name, as in the resource (a related object's field "
        "holds its id)."
    )
    old = serializers.JSONField(
        allow_null=True, help_text="The value before; null for a `created` entry."
    )
    new = serializers.JSONField(allow_null=True, help_text="The value after.")


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


_DATETIME = serializers.DateTimeField()


def _shown(value):
    """A recorded value as the API writes it: decimals as strings, dates in ISO 8601."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return _DATETIME.to_representation(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _values(record) -> dict:
    names = [field.name for field in record.tracked_fields if field.editable]
    return model_to_dict(record, fields=names)


HiddenFields = Callable[[object], Collection[str]]


def _visible_values(record, hidden: HiddenFields | None) -> dict:
    values = _values(record)
    for name in hidden(record) if hidden is not None else ():
        values[name] = None
    return values


def history_entries(
    records, previous=None, hidden: HiddenFields | None = None
) -> list[dict]:
    """Entries of `records` (one object's, newest first), diffed pairwise.

    `previous` is the record just before the oldest of `records` (None when that one
    is the first), so a page of records diffs its last entry too. `hidden(record)`
    names the fields of a record the reader may not see.
    """
    entries = []
    for record, before in zip(records, [*records[1:], previous], strict=True):
        old = _visible_values(before, hidden) if before is not None else {}
        new = _visible_values(record, hidden)
        entries.append(
            {
                "history_id": record.history_id,
                "date": record.history_date,
                "type": HISTORY_TYPES[record.history_type],
                "user": record.history_user.get_username()
                if record.history_user_id
                else None,
                "changes": [
                    {"field": name, "old": _shown(old.get(name)), "new": _shown(value)}
                    for name, value in sorted(new.items())
                    if old.get(name) != value
                ],
            }
        )
    return entries


def entries_for_page(
    records, page_records, hidden: HiddenFields | None = None
) -> list[dict]:
    """Entries of `page_records` (a page of `records`, newest first), each diffed with the
    record before it, including the last one on the page (one more query)."""
    if not page_records:
        return []
    previous = None
    if page_records[-1].history_type != "+":
        last = page_records[-1]
        previous = records.filter(
            Q(history_date__lt=last.history_date)
            | Q(history_date=last.history_date, history_id__lt=last.history_id)
        ).first()
    return history_entries(page_records, previous, hidden)

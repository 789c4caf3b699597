"""History records for bulk writes of thousands of rows, copied from the rows in SQL.

`bulk_create_with_history` and `bulk_update_with_history` build one Python object per
history record; for 10,000 measurements that alone takes about a second. The
function here writes the same records (same columns, user, date, type, change reason
and, where the history records one, write path) with one INSERT ... SELECT per batch
of rows, copying the tracked columns from the rows just written. Use it only inside a
domain function, right after the write it records, in the same transaction.
"""

from collections.abc import Sequence
from typing import cast

from django.db import connection, models

from .write_paths import current_write_path

# simple_history's change reason column holds at most this many characters.
CHANGE_REASON_LENGTH = 100


def insert_history_records(
    model: type[models.Model],
    pks: Sequence[int],
    *,
    history_type: str,
    user,
    reason: str,
    date,
) -> None:
    """Record the current state of `model`'s rows `pks` in its history table.

    `history_type` is "+" for created rows and "~" for changed ones; `user` (or None)
    is the history user, `reason` the change reason, `date` the history date.
    """
    history_model = model.history.model  # type: ignore[attr-defined]  # added by simple-history
    quote = connection.ops.quote_name
    history_meta = history_model._meta
    tracked = [field.column for field in history_model.tracked_fields]
    extra_fields = {
        "history_date": date,
        "history_type": history_type,
        "history_user": user.pk if getattr(user, "pk", None) else None,
        "history_change_reason": (reason or "")[:CHANGE_REASON_LENGTH] or None,
    }
    if any(f.name == "history_write_path" for f in history_meta.concrete_fields):
        extra_fields["history_write_path"] = current_write_path()
    columns = tracked + [history_meta.get_field(name).column for name in extra_fields]
    extra_params = [
        history_meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in extra_fields.items()
    ]
    limit = connection.features.max_query_params  # None: no limit (PostgreSQL)
    batch_size = 1000 if limit is None else min(1000, limit - len(extra_params))
    pk_column = quote(cast(str, model._meta.pk.column))
    for start in range(0, len(pks), batch_size):
        batch = list(pks[start : start + batch_size])
        sql = (
            f"INSERT INTO {quote(history_meta.db_table)} "
            f"({', '.join(quote(column) for column in columns)}) "
            f"SELECT {', '.join(quote(column) for column in tracked)}, "
            f"{', '.join(['%s'] * len(extra_params))} "
            f"FROM {quote(model._meta.db_table)} "
            f"WHERE {pk_column} IN ({', '.join(['%s'] * len(batch))}) "
            f"ORDER BY {pk_column}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*extra_params, *batch])

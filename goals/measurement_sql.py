"""Measurements inserted and updated in bulk with plain SQL, for `goals.importers`.

The ORM is too slow for 10,000 rows a call: `bulk_update` builds a CASE WHEN per row
and column (about a millisecond per row in Python, Django #31202), and `bulk_create`
binds every column of every row, which on SQLite (999 parameters a statement) means a
statement per 76 rows. Here one statement writes a batch, binding only what differs
between rows. The SQL (INSERT ... SELECT ... FROM (VALUES ...) RETURNING,
UPDATE ... FROM (VALUES ...)) runs on PostgreSQL and SQLite 3.35+ alike. History
records are written by the caller (`district.bulk_history`).
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Field

from district.models import District

from .models import Measurement

# Rows per statement; SQLite allows fewer (999 parameters a statement).
MAX_BATCH_ROWS = 1000

# A new measurement: (metric pk, scope, school pk, network pk, period_end, value, n).
NewRow = tuple[int, str, int | None, int | None, datetime.date, Decimal, int | None]
# A changed measurement: (pk, value, n).
ChangedRow = tuple[int, Decimal, int | None]


def insert_measurements(
    *, district: District, rows: Sequence[NewRow], source: str, entered_by, now
) -> list[int]:
    """Insert new measurements of `district`; return their pks."""
    _check_database()
    column = _column
    # NULLs in VALUES have no type on PostgreSQL: cast the columns that may be NULL.
    values_row = (
        "(%s, %s, CAST(%s AS BIGINT), CAST(%s AS BIGINT), %s, CAST(%s AS NUMERIC), "
        "CAST(%s AS INTEGER))"
    )
    # In the order of the SELECT's placeholders, which come before the VALUES rows.
    constants = [
        district.pk,
        source,
        _prepared("entered_by", _pk(entered_by)),
        _prepared("entered_at", now),
        _prepared("updated_at", now),
    ]
    pks = []
    for batch in _batches(rows, per_row=7, fixed=len(constants)):
        sql = (
            f"INSERT INTO {_table()} ({column('district')}, {column('metric')}, "
            f"{column('scope')}, {column('school')}, {column('network')}, "
            f"{column('period_end')}, {column('value')}, {column('n')}, "
            f"{column('source')}, {column('entered_by')}, {column('entered_at')}, "
            f"{column('updated_at')}, {column('version')}) "
            "SELECT %s, v.column1, v.column2, v.column3, v.column4, v.column5, "
            "v.column6, v.column7, %s, %s, %s, %s, 1 "
            f"FROM (VALUES {', '.join([values_row] * len(batch))}) AS v "
            f"RETURNING {column('id')}"
        )
        params = list(constants)
        for metric_pk, scope, school_pk, network_pk, period_end, value, n in batch:
            params += [
                metric_pk,
                scope,
                school_pk,
                network_pk,
                _prepared("period_end", period_end),
                _prepared("value", value),
                n,
            ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            pks += [row[0] for row in cursor.fetchall()]
    return pks


def update_measurements(
    *, district: District, rows: Sequence[ChangedRow], source: str, entered_by, now
) -> None:
    """Set new values and denominators on stored measurements of `district`, by pk."""
    _check_database()
    column = _column
    table = _table()
    values_row = "(%s, CAST(%s AS NUMERIC), CAST(%s AS INTEGER))"
    constants = [
        source,
        _prepared("entered_by", _pk(entered_by)),
        _prepared("updated_at", now),
    ]
    for batch in _batches(rows, per_row=3, fixed=len(constants) + 1):
        sql = (
            f"UPDATE {table} SET {column('value')} = v.column2, "
            f"{column('n')} = v.column3, {column('source')} = %s, "
            f"{column('entered_by')} = %s, {column('updated_at')} = %s, "
            f"{column('version')} = {table}.{column('version')} + 1 "
            f"FROM (VALUES {', '.join([values_row] * len(batch))}) AS v "
            f"WHERE {table}.{column('id')} = v.column1 "
            f"AND {table}.{column('district')} = %s"
        )
        params = list(constants)
        for pk, value, n in batch:
            params += [pk, _prepared("value", value), n]
        params.append(district.pk)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _batches(rows: Sequence, *, per_row: int, fixed: int):
    limit = connection.features.max_query_params
    size = (
        MAX_BATCH_ROWS
        if limit is None
        else min(MAX_BATCH_ROWS, (limit - fixed) // per_row)
    )
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _check_database() -> None:
    if not connection.features.can_return_rows_from_bulk_insert:
        raise ImproperlyConfigured("Lanes needs PostgreSQL, or SQLite 3.35 or newer.")


def _table() -> str:
    return connection.ops.quote_name(Measurement._meta.db_table)


def _field(name: str) -> Field:
    field = Measurement._meta.get_field(name)
    assert isinstance(field, Field) and field.column, f"{name} is not a column"
    return field


def _column(name: str) -> str:
    return connection.ops.quote_name(_field(name).column or name)


def _prepared(name: str, value):
    return _field(name).get_db_prep_save(value, connection)


def _pk(user) -> int | None:
    return user.pk if getattr(user, "pk", None) else None

"""A minimal WSGI app for the benchmark: bare SQL through psycopg2, answered as JSON.

It is never part of Lanes: `bench/run.py` serves it with gunicorn next to Lanes, with
the same workers, to show what the same data costs with no framework at all. POST
/<operation> with the operation's parameters as a JSON object; the answer is the rows.
Each worker keeps one connection open, as Lanes does with CONN_MAX_AGE. It reads and
writes what `bench/sql.py` does: the stored rollups for the pages that show network and
district values, and their refresh with the bulk upsert.
"""

import datetime
import decimal
import json
import os
import sys
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sql  # noqa: E402

_connection = None


def connection():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(os.environ["BENCH_DSN"])
    return _connection


def _default(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(type(value))


def application(environ, start_response):
    operation = sql.OPERATIONS.get(environ.get("PATH_INFO", "").strip("/"))
    if operation is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such operation"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    params = json.loads(environ["wsgi.input"].read(length) or b"{}")
    conn = connection()
    try:
        with conn.cursor() as cursor:
            rows = operation(cursor, params)
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    body = json.dumps(rows, default=_default).encode()
    start_response(
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]

"""Structured logs: one JSON object per line, and one line per request.

`RequestLogMiddleware` writes method, path, query string (values of sensitive keys
replaced), status, duration, user id and district slug to the `lanes.requests`
logger. It never reads headers, cookies or request bodies, so authorization
headers, session cookies and passwords cannot reach the log.

`RedactSecrets`, a filter on every handler, removes what other loggers might carry:
the values of sensitive query parameters (`?token=...`) and of Authorization
headers, from each record's message, arguments, extras and traceback. Django's own
`django.request` warnings, for one, carry the request with its full query string.
"""

import json
import logging
import re
import time
from urllib.parse import parse_qsl, urlencode

from django.utils.functional import empty

REDACTED = "[redacted]"
# Query keys whose values are never logged (matched as substrings, any case).
SENSITIVE_KEY_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "key",
    "auth",
    "session",
    "csrf",
    "signature",
)
DISTRICT_PATH = re.compile(r"^/districts/(?P<slug>[-\w]+)/")

# Attributes every LogRecord has; anything else was passed in `extra` and is logged.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

logger = logging.getLogger("lanes.requests")

# `name=value` in a query string (or anything shaped like one) with a sensitive name.
_SENSITIVE_PARAMETER = re.compile(
    r"(?P<name>[\w.\[\]-]*(?:"
    + "|".join(SENSITIVE_KEY_PARTS)
    + r")[\w.\[\]-]*=)(?P<value>[^&\s'\"#;,)>]+)",
    re.IGNORECASE,
)
# An Authorization header's value, optionally after its scheme: "Authorization: Token
# abc", "'HTTP_AUTHORIZATION': 'Bearer abc'".
_AUTHORIZATION = re.compile(
    r"(?P<name>authorization['\"]?\s*[:=]\s*['\"]?)"
    r"(?P<value>(?:[a-z]+\s+)?[^\s'\",;}]+)",
    re.IGNORECASE,
)


def redact_text(text: str) -> str:
    """`text` with sensitive query values and Authorization values replaced."""
    text = _AUTHORIZATION.sub(lambda m: m["name"] + REDACTED, text)
    return _SENSITIVE_PARAMETER.sub(lambda m: m["name"] + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Redacts keys, tokens and passwords from a record before any handler writes it.

    On every handler (settings.LOGGING): loggers hand their records to each handler,
    so a filter there sees all of them, whichever logger wrote them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        for name, value in list(vars(record).items()):
            if name in _RECORD_ATTRIBUTES or name.startswith("_"):
                continue
            if value is None or isinstance(value, bool | int | float):
                continue
            # Other objects (a request) are written by their str(): redact that.
            setattr(record, name, redact_text(str(value)))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES and not name.startswith("_"):
                entry[name] = value
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def redact_query(query_string: str) -> str:
    """The query string with the values of sensitive keys replaced."""
    if not query_string:
        return ""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return urlencode(
        [(key, REDACTED if is_sensitive(key) else value) for key, value in pairs],
        safe="[]",
    )


def is_sensitive(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in SENSITIVE_KEY_PARTS)


def _user_id(request) -> int | None:
    """The authenticated user's id, if authentication already ran (no extra query)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    # A lazy user that nothing evaluated: reading it now would cost a session query.
    if getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """Logs one line per request; first in MIDDLEWARE so the duration covers all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        # The CPU this request's thread used, beside its wall time: the rest of the
        # wall time was spent waiting (on the database, mostly).
        cpu_ms = round((time.thread_time() - cpu_started) * 1000, 1)
        match = DISTRICT_PATH.match(request.path)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "query": redact_query(request.META.get("QUERY_STRING", "")),
                "status": response.status_code,
                "duration_ms": duration_ms,
                "cpu_ms": cpu_ms,
                "user_id": _user_id(request),
                "district": match["slug"] if match else None,
            },
        )
        return response

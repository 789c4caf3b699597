"""iCalendar feeds (RFC 5545) of meetings: per series and per person, by signed URL.

A calendar program cannot log in, so a feed's address carries a signature
(`django.core.signing`, salted for feeds) of what it lists: "series:<pk>" or
"person:<pk>". Anyone holding the address reads the feed; a changed or made-up one is
a 404. The text is written by hand: escaped values, CRLF line ends, lines folded at
75 octets.
"""

import datetime
from collections.abc import Iterable

from django.core import signing
from django.utils import timezone

from .models import Meeting

SALT = "routines.calendar"
PRODID = "-//Lanes//Meetings//EN"


def feed_token(kind: str, pk: int) -> str:
    """The signed token of a feed: kind "series" or "person"."""
    return signing.Signer(salt=SALT).sign(f"{kind}.{pk}")


def read_token(token: str) -> tuple[str, int] | None:
    """(kind, pk) of a valid token, None for a bad signature or shape."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    kind, _sep, pk = value.partition(".")
    if kind not in {"series", "person"} or not pk.isdigit():
        return None
    return kind, int(pk)


def escape(text: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 asks."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded into lines of at most 75 octets (section 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    limit = 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(
    *, name: str, meetings: Iterable[Meeting], base_url: str, host: str
) -> str:
    """The VCALENDAR of `meetings` (with their series loaded)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    stamp = utc(timezone.now())
    for meeting in meetings:
        series = meeting.series
        end = meeting.starts_at + datetime.timedelta(minutes=series.duration_minutes)
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc(meeting.starts_at)}",
            f"DTEND:{utc(end)}",
            f"SUMMARY:{escape(series.name)}",
            f"URL:{base_url}{meeting.get_absolute_url()}",
            f"DESCRIPTION:{escape('Brief, notes and action items: ' + base_url + meeting.get_absolute_url())}",
        ]
        if series.location:
            lines.append(f"LOCATION:{escape(series.location)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)

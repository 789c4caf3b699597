"""What every file Lanes lets people download shares: cells that stay text, a
response no cache keeps, and a streamed CSV whose end the client can check.

**Formula escaping.** A spreadsheet runs a cell whose text begins with `=`, `+`, `-`
or `@` as a formula, and so does text beginning with a tab, a carriage return or a
line feed once the spreadsheet trims it (OWASP, CSV injection). A school or role
named `=HYPERLINK("...")` would otherwise become a live link or command in the
reader's spreadsheet. Every CSV is written through `CsvWriter`, which prefixes such
text with a single quote: the spreadsheet shows the text as it was typed. The list
also holds the NUL character (OWASP ASVS), `|` as a precaution (the separator of DDE
calls such as `=cmd|' /C calc'!A0`), and the full-width forms of `=`, `+`, `-` and
`@`, which some spreadsheets read as the ASCII ones.
Numbers stay numbers: values of a numeric type, and text that is exactly one
number (`-3.5`), are written as they are, so a negative value is not turned into
text. In a workbook, `store_as_text` keeps every cell text (openpyxl would store
text beginning with `=` as a formula).

**Downloads are private.** `attachment` marks a response as a file named
`filename`, with `Cache-Control: private, no-store`: an export holds a district's
data, sometimes values that only editors may see, so neither a shared cache nor the
browser's disk cache may keep a copy.

**Streamed CSV ends with a trailer.** `stream_csv` ends the file with the line
`# complete: <N> rows` (N counts the data rows, not the header). A stream cut off
(a worker killed at its timeout, a dropped connection, a database error) has no
trailer, so the client can tell a complete file from a truncated one.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any, Protocol, TypeVar

from django.db import transaction
from django.http import HttpResponseBase

FORMULA_STARTS = frozenset("=+-@\t\r\n\0|＝＋－＠")

# Text a spreadsheet reads as one number, not as a formula.
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# Where a cell of CSV text may begin with a formula character: after a delimiter, a
# line end or an opening quote. The start of the text is checked apart.
SUSPECT = re.compile('[,\n"][' + re.escape("".join(sorted(FORMULA_STARTS))) + "]")

TRAILER = "# complete: {rows} rows"

Response = TypeVar("Response", bound=HttpResponseBase)


def safe_cell(value: Any) -> Any:
    """`value` as a CSV cell a spreadsheet reads as data, never as a formula.

    None is an empty cell; numbers are written as numbers; text beginning with a
    formula character is prefixed with a single quote.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text[:1] in FORMULA_STARTS and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class Writable(Protocol):
    """Where a CSV goes: a file, a buffer or an HttpResponse."""

    def write(self, text: str, /) -> Any: ...


class CsvWriter:
    """Writes rows as CSV to `out`, each cell as `safe_cell` makes it.

    Rows are written first as they are, by the csv module's C writer. A cell that
    `safe_cell` would change begins with a formula character, either at the start of
    the text, after a delimiter or line end, or after a cell's opening quote; when one
    scan finds no such place, the text is exactly what `safe_cell` would give, and is
    written. Otherwise the rows are written again cell by cell through `safe_cell`.
    A measurements export of millions of rows thus costs one scan per chunk, not one
    Python call per cell.
    """

    def __init__(self, out: "Writable") -> None:
        self._out = out
        self._pending: list[str] = []
        self._writer = csv.writer(_Lines(self._pending))

    def writerow(self, values: Sequence[Any]) -> None:
        self.writerows([values])

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        self._pending.clear()
        self._writer.writerows(rows)
        text = "".join(self._pending)
        self._pending.clear()
        if text[:1] in FORMULA_STARTS or text[:1] == '"' or SUSPECT.search(text):
            self._writer.writerows([safe_cell(value) for value in row] for row in rows)
            text = "".join(self._pending)
            self._pending.clear()
        self._out.write(text)


class _Lines:
    """Where `CsvWriter`'s csv writer puts each line, to be checked before it goes out."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def trailer(rows: int) -> str:
    """The last line of a streamed CSV of `rows` data rows."""
    return TRAILER.format(rows=rows) + "\r\n"


def stream_csv(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, chunk_rows: int
) -> Iterator[str]:
    """CSV text of `header` and `rows`, `chunk_rows` rows at a time, then the trailer.

    `rows` is read inside one transaction, opened here when the stream starts and
    closed when it ends or is abandoned. Outside a transaction, Django declares the
    server-side cursor of `QuerySet.iterator()` WITH HOLD, and PostgreSQL then copies
    the whole result to a temporary file before returning the first row; inside one,
    the cursor is not holdable and rows are sent as they are read. Pass a lazy
    iterable (a generator, a queryset's `iterator()`) so its queries run inside.
    """
    values_of = iter(rows)
    with transaction.atomic():
        try:
            buffer = io.StringIO()
            writer = CsvWriter(buffer)
            writer.writerow(header)
            written = 0
            while chunk := list(islice(values_of, chunk_rows)):
                writer.writerows(chunk)
                written += len(chunk)
                if len(chunk) == chunk_rows:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            buffer.write(trailer(written))
            yield buffer.getvalue()
        finally:
            # Close the rows (and so their cursor) while the transaction that holds
            # the cursor is still open, also when the client goes away midway.
            close = getattr(values_of, "close", None)
            if close is not None:
                close()


def store_as_text(workbook) -> None:
    """Store every formula-looking cell of an openpyxl `workbook` as text.

    Exports hold no formulas, so any cell openpyxl marked as one (text beginning
    with `=`) is text that must be shown as typed.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def attachment(response: Response, filename: str) -> Response:
    """Make `response` a download named `filename` that no cache keeps."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response

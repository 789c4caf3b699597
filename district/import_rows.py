"""Rows to import: reading CSV files into rows, numbering them, reporting their errors.

Every importer (schools, measurements) takes rows: mappings of column name to value,
as a CSV reader, a form or a JSON body gives them. Cell values may be strings, numbers
or None; None and blank strings both mean "empty". `read_csv` turns a file into rows
and refuses what is not a usable CSV file (empty, not UTF-8, required columns missing)
with a `CsvFileError`. Problems in single rows are not exceptions: importers return
them as `RowError`s in an `ImportResult`.
"""

import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import models

from .models import District

# Rows written per INSERT or UPDATE statement.
BATCH_SIZE = 1000


class CsvFileError(ValueError):
    """A file that cannot be read as the expected CSV at all; nothing was imported."""


class CsvRow(dict):
    """One data row of a CSV file: column name to cell text, plus where it is in the file.

    `line` is the line number in the file where the row starts (the header is line 1,
    so the first data row is line 2). `extra_cells` holds cells beyond the header's
    columns, a sign of an unquoted comma or a decimal comma.
    """

    def __init__(
        self, cells: Mapping[str, str], *, line: int, extra_cells: Sequence[str] = ()
    ):
        super().__init__(cells)
        self.line = line
        self.extra_cells = tuple(extra_cells)


@dataclass(frozen=True)
class RowError:
    """Why one row was not imported: its number, the column at fault (if one), the problem."""

    row: int
    column: str | None
    message: str

    def __str__(self):
        where = f"Row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, or would write: counts of rows and the invalid rows.

    `created`, `updated` and `unchanged` count the valid rows by their effect;
    `skipped` counts invalid rows, each explained in `errors`. `saved` is False for a
    dry run and for an import refused because of invalid rows: the counts then say
    what the valid rows would have done.
    """

    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: tuple[RowError, ...]
    saved: bool

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped


def read_csv(
    file: bytes | str | os.PathLike | IO, *, required_columns: Sequence[str]
) -> list[CsvRow]:
    """Rows of a UTF-8 CSV file (a path, its bytes, or an open or uploaded file).

    Column names are matched without regard to case, surrounding spaces, or spaces
    instead of underscores; cells are stripped of surrounding spaces. A UTF-8 byte
    order mark is accepted. Raises `CsvFileError` with a message for the person who
    chose the file when it is empty, is not UTF-8 text, is not valid CSV, or lacks a
    required column.
    """
    text = _decode(_read_bytes(file))
    if not text.strip():
        raise CsvFileError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_column_name(name) for name in next(reader)]
        missing = [column for column in required_columns if column not in header]
        if missing:
            raise CsvFileError(_missing_columns_message(missing, header))
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if repeated:
            raise CsvFileError(
                f"The header names a column more than once: {', '.join(repeated)}."
            )
        rows = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                values = [cell.strip() for cell in cells]
                padded = values + [""] * (len(header) - len(values))
                rows.append(
                    CsvRow(
                        {
                            name: value
                            for name, value in zip(header, padded, strict=False)
                            if name
                        },
                        line=line,
                        extra_cells=[cell for cell in values[len(header) :] if cell],
                    )
                )
            line = reader.line_num + 1
    except csv.Error as error:
        raise CsvFileError(
            f"Line {reader.line_num}: the file is not valid CSV ({error})."
        ) from error
    if not rows:
        raise CsvFileError("The file has a header but no data rows.")
    return rows


def _read_bytes(file: bytes | str | os.PathLike | IO) -> bytes | str:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if isinstance(file, str | os.PathLike):
        try:
            return Path(file).read_bytes()
        except OSError as error:
            raise CsvFileError(
                f"Cannot read {file}: {error.strerror or error}."
            ) from error
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CsvFileError(
            f"The file is not UTF-8 text (line {line} has the byte "
            f"0x{data[error.start]:02x}, which UTF-8 does not allow there). "
            'Save it as "CSV UTF-8" and import it again.'
        ) from error


def _column_name(name: str) -> str:
    return "_".join(name.strip().lower().split())


def _missing_columns_message(missing: list[str], header: list[str]) -> str:
    message = (
        f"Required column{'s' if len(missing) > 1 else ''} missing: "
        f"{', '.join(missing)}. The header has: {', '.join(header) or 'nothing'}."
    )
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        message += (
            " The columns seem to be separated by semicolons or tabs; use commas."
        )
    return message


def numbered_rows(
    rows: Iterable[Mapping], first_row: int
) -> Iterator[tuple[int, Mapping]]:
    """Each row with the number errors report for it.

    A `CsvRow` is numbered by its line in the file; any other row by its position,
    counting from `first_row`.
    """
    for index, row in enumerate(rows):
        yield (row.line if isinstance(row, CsvRow) else first_row + index), row


def row_name(number: int, row) -> str:
    """How messages refer to a row: "line 7" in a file, "row 7" otherwise."""
    return f"line {number}" if isinstance(row, CsvRow) else f"row {number}"


def row_shape_errors(number: int, row) -> list[RowError]:
    """Errors for a row that is not a mapping, or a CSV row with more cells than columns."""
    if not isinstance(row, Mapping):
        return [RowError(number, None, "Each row must map column names to values.")]
    extra = getattr(row, "extra_cells", ())
    if extra:
        return [
            RowError(
                number,
                None,
                f"The row has {len(extra)} more cell(s) than the header "
                f"({', '.join(extra)}). Is a value written with a decimal comma, "
                "or a name with an unquoted comma?",
            )
        ]
    return []


def cell_text(row: Mapping, column: str) -> str:
    """The cell's text, stripped; "" for a missing or empty cell."""
    value = row.get(column)
    return "" if value is None else str(value).strip()


def text_length(model: type[models.Model], name: str) -> int:
    """The longest text `model`'s field `name` holds."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


def unstorable_text(text: str) -> str | None:
    """Why `text` cannot be stored as text (a NUL character, an unpaired surrogate), or None."""
    if "\x00" in text:
        return "Contains a NUL character, which text cannot hold."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Contains an unpaired surrogate, which is not valid text."
    return None


def lock_district(district: District) -> None:
    """Serialize imports into one district until the transaction ends.

    Two uploads of the same new rows would otherwise both insert them and the second
    would fail on a unique constraint. FOR NO KEY UPDATE does not block other writers
    that merely reference the district row.
    """
    District.objects.select_for_update(no_key=True).filter(pk=district.pk).first()


# The largest value a PositiveIntegerField holds on every supported database.
MAX_WHOLE_NUMBER = 2_147_483_647


def parse_whole_number(value) -> tuple[int | None, str | None]:
    """A cell as a whole number of 0 or more (None when empty), or why it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, f"Not a whole number: {value!r}."
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None, f"Not a whole number: {str(value)!r}."
    if not 0 <= number <= MAX_WHOLE_NUMBER:
        return None, f"Must be between 0 and {MAX_WHOLE_NUMBER}."
    return number, None

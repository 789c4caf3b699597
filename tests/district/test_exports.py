"""What every download shares: formula escaping, workbook text, the trailer, headers."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import HttpResponse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from district.exports import (
    NUMBER,
    CsvWriter,
    attachment,
    safe_cell,
    store_as_text,
    stream_csv,
)

DANGEROUS_FIRST_CHARACTERS = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\0",
    "|",
    "\uff1d",  # full-width =
    "\uff0b",  # full-width +
    "\uff0d",  # full-width -
    "\uff20",  # full-width @
]


def written(values) -> list[str]:
    out = io.StringIO()
    CsvWriter(out).writerow(values)
    return next(csv.reader(io.StringIO(out.getvalue(), newline="")))


@pytest.mark.parametrize("first", DANGEROUS_FIRST_CHARACTERS)
def test_text_starting_with_a_formula_character_is_written_as_text(first):
    text = f'{first}HYPERLINK("https://evil.example","x")'
    assert written([text]) == [f"'{text}"]


@pytest.mark.parametrize(
    "text",
    ["=1+2", "-2+3", "+A1", "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "-", "=", "- 5"],
)
def test_formulas_that_look_partly_numeric_are_still_escaped(text):
    assert written([text]) == [f"'{text}"]


@pytest.mark.parametrize(
    "text", ["Lakeside", "School 12", "O'Hare", "a=b", "86.2", "", "'=already"]
)
def test_plain_text_is_written_as_it_is(text):
    assert written([text]) == [text]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Decimal("-3.2"), "-3.2"),
        (Decimal("12.3456"), "12.3456"),
        (-7, "-7"),
        (0, "0"),
        (-0.5, "-0.5"),
        ("-3.2", "-3.2"),
        ("+5", "+5"),
        ("-1e3", "-1e3"),
        (None, ""),
    ],
)
def test_numbers_stay_numbers_negative_ones_included(value, cell):
    assert written([value]) == [cell]


def test_a_true_or_false_is_text_not_a_number():
    assert safe_cell(True) == "True"


def test_separators_and_quotes_inside_text_stay_in_one_cell():
    assert written(['North, "East"\n=1+2', "x"]) == ['North, "East"\n=1+2', "x"]


def test_stream_ends_with_a_trailer_counting_the_data_rows(db):
    text = "".join(stream_csv(["a", "b"], ([i, -i] for i in range(5)), chunk_rows=2))
    lines = text.splitlines()
    assert lines[0] == "a,b"
    assert lines[1:6] == ["0,0", "1,-1", "2,-2", "3,-3", "4,-4"]
    assert lines[-1] == "# complete: 5 rows"
    assert len(lines) == 7


def test_empty_stream_still_says_it_is_complete(db):
    text = "".join(stream_csv(["a"], iter(()), chunk_rows=2))
    assert text.splitlines() == ["a", "# complete: 0 rows"]


def test_stream_escapes_cells_and_header(db):
    text = "".join(stream_csv(["=h"], iter([["@x"]]), chunk_rows=10))
    assert text.splitlines()[:2] == ["'=h", "'@x"]


def test_stream_that_fails_midway_ends_without_a_trailer(db):
    def rows():
        yield [1]
        yield [2]
        raise RuntimeError("the database went away")

    chunks = stream_csv(["a"], rows(), chunk_rows=1)
    received = []
    with pytest.raises(RuntimeError):
        for chunk in chunks:
            received.append(chunk)
    assert "".join(received).splitlines() == ["a", "1", "2"]


def test_workbook_cells_that_look_like_formulas_are_stored_as_text():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["=1+2", '=HYPERLINK("x")', "plain", 3])
    workbook.create_sheet("About").append(["District", "=SUM(A1)"])
    store_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue()))
    first = [(c.value, c.data_type) for c in read.worksheets[0][1]]
    assert first == [
        ("=1+2", "s"),
        ('=HYPERLINK("x")', "s"),
        ("plain", "s"),
        (3, "n"),
    ]
    assert [(c.value, c.data_type) for c in read["About"][1]] == [
        ("District", "s"),
        ("=SUM(A1)", "s"),
    ]


def test_attachment_is_a_named_download_that_no_cache_keeps():
    response = attachment(HttpResponse(), "lakeside.csv")
    assert response["Content-Disposition"] == 'attachment; filename="lakeside.csv"'
    assert response["Cache-Control"] == "private, no-store"


CELLS = st.one_of(
    st.text(),
    st.text(alphabet="=+-@|\t\r\n\0\"',; ab1.\uff1d", max_size=6),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.lists(CELLS, max_size=5), max_size=5))
def test_writer_output_is_always_the_cell_by_cell_escaping(rows):
    """The writer's one-scan shortcut gives exactly what escaping each cell gives."""
    fast = io.StringIO()
    CsvWriter(fast).writerows(rows)
    slow = io.StringIO()
    csv.writer(slow).writerows([[safe_cell(value) for value in row] for row in rows])
    assert fast.getvalue() == slow.getvalue()
    for read in csv.reader(io.StringIO(fast.getvalue(), newline="")):
        for cell in read:
            assert cell[:1] not in DANGEROUS_FIRST_CHARACTERS or (
                NUMBER.fullmatch(cell) is not None
            )


def test_no_module_but_the_shared_one_writes_csv_or_names_a_download():
    """Every CSV goes through `CsvWriter`, every download through `attachment`."""
    root = Path(__file__).resolve().parents[2]
    shared = root / "district" / "exports.py"
    found = [
        f"{path.relative_to(root)}: {needle}"
        for app in ("config", "district", "roles", "goals", "tokens")
        for path in (root / app).rglob("*.py")
        if path != shared and "migrations" not in path.parts
        for needle in ("csv.writer(", "Content-Disposition")
        if needle in path.read_text()
    ]
    assert found == []

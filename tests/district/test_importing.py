"""What the import commands share: the progress bar shows only on a terminal."""

from io import StringIO

from django.core.management.base import BaseCommand

from district.import_rows import RowError
from district.management.importing import describe_error, with_progress


class Terminal(StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_shows_for_a_large_file_on_a_terminal():
    rows = [{}] * 5000

    assert not with_progress(BaseCommand(stdout=Terminal()), rows, "Checking").disable
    assert with_progress(BaseCommand(stdout=StringIO()), rows, "Checking").disable
    assert with_progress(BaseCommand(stdout=Terminal()), rows[:10], "Checking").disable


def test_a_row_error_is_described_by_its_line_in_the_file():
    assert describe_error(RowError(7, "value", "Not a number: 'x'.")) == (
        "Line 7, column value: Not a number: 'x'."
    )
    assert describe_error(RowError(9, None, "Twice.")) == "Line 9: Twice."

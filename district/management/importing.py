"""Shared by the import commands: their district and user, progress bar and output."""

import sys
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from district.import_rows import ImportResult, RowError
from district.models import District

# Files with fewer rows than this are checked too quickly to need a progress bar.
PROGRESS_MIN_ROWS = 1000


def add_import_arguments(parser) -> None:
    """The arguments every import command takes."""
    parser.add_argument(
        "district", metavar="DISTRICT_SLUG", help="The district's slug."
    )
    parser.add_argument("file", metavar="FILE", help="A UTF-8 CSV file.")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="Save the valid rows and skip invalid ones (default: save nothing "
        "when any row is invalid).",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="Check the file and report what would change, saving nothing.",
    )
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        help="The user recorded in the history as the author of the changes.",
    )


def find_district(slug: str) -> District:
    district = District.objects.filter(slug=slug).first()
    if district is None:
        raise CommandError(f"No district with the slug {slug!r}.")
    return district


def find_user(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    return user


def with_progress(command: BaseCommand, rows: Sequence, description: str):
    """`rows`, shown as a progress bar while they are checked, when output is a terminal."""
    return tqdm(
        rows,
        total=len(rows),
        desc=description,
        unit=" rows",
        file=sys.stderr,
        disable=not command.stdout.isatty() or len(rows) < PROGRESS_MIN_ROWS,
    )


def describe_error(error: RowError) -> str:
    """A row error as a person looks it up in the file: by line, column and problem."""
    column = f", column {error.column}" if error.column else ""
    return f"Line {error.row}{column}: {error.message}"


def report_import(
    command: BaseCommand,
    result: ImportResult,
    *,
    noun: str,
    dry_run: bool,
    skip_invalid: bool,
) -> None:
    """Print the row errors and counts; raise CommandError when the import was refused."""
    for error in result.errors:
        command.stderr.write(describe_error(error))
    verb = "would be" if not result.saved else "were"
    command.stdout.write(
        f"{noun.capitalize()}: {result.created} {verb} created, {result.updated} {verb} "
        f"updated, {result.unchanged} unchanged, {result.skipped} skipped (invalid)."
    )
    if result.errors and not skip_invalid:
        rows = "row has" if result.skipped == 1 else "rows have"
        raise CommandError(
            f"Nothing was saved: {result.skipped} {rows} errors (listed above). "
            "Fix them, or use --skip-invalid to save the valid rows."
        )
    if dry_run:
        command.stdout.write("Dry run: nothing was saved.")
    elif result.errors:
        command.stdout.write(
            command.style.WARNING(
                f"Saved the valid rows; {result.skipped} invalid rows were skipped."
            )
        )
    else:
        command.stdout.write(command.style.SUCCESS("Saved."))

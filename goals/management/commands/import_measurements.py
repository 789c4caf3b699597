"""manage.py import_measurements: create or update a district's measurements from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from district.import_rows import CsvFileError
from district.management.importing import (
    add_import_arguments,
    find_district,
    find_user,
    report_import,
    with_progress,
)
from district.write_paths import WritePath, writing_through
from goals.importers import read_measurements_csv, upsert_measurements


class Command(BaseCommand):
    help = (
        "Create or update a district's measurements from a CSV file with the columns "
        "metric (the metric's code) and value, a period (period_end as YYYY-MM-DD, or "
        "school_year such as 2014-15), school_id or network for school or network "
        "values (neither: a district value), and optionally n. Nothing is saved when "
        "any row is invalid, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)
        parser.add_argument(
            "--source",
            help="Where the values come from, kept with each value written "
            "(default: the file's name).",
        )

    def handle(self, *args, **options):
        if len(options["source"] or "") > 200:
            raise CommandError("--source takes at most 200 characters.")
        district = find_district(options["district"])
        user = find_user(options["user"])
        try:
            rows = read_measurements_csv(options["file"])
        except CsvFileError as error:
            raise CommandError(f"{options['file']}: {error}") from error
        with writing_through(WritePath.IMPORT):
            result = upsert_measurements(
                district=district,
                rows=with_progress(self, rows, "Checking measurements"),
                acting_user=user,
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
                source=options["source"]
                or f"CSV import {Path(options['file']).name}"[:200],
            )
        report_import(
            self,
            result,
            noun="measurements",
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )

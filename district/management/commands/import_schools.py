"""manage.py import_schools: create or update a district's schools from a CSV file."""

from django.core.management.base import BaseCommand, CommandError

from district.import_rows import CsvFileError, read_csv
from district.importers import SCHOOL_COLUMNS, import_schools
from district.management.importing import (
    add_import_arguments,
    find_district,
    find_user,
    report_import,
    with_progress,
)


class Command(BaseCommand):
    help = (
        "Create or update a district's schools from a CSV file with the columns "
        "school_id and long_name, and optionally short_name, category (ES, MS, HS, OT), "
        "network (created when missing), grades, enrollment and sqrp_rating. "
        "Nothing is saved when any row is invalid, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        district = find_district(options["district"])
        user = find_user(options["user"])
        try:
            rows = read_csv(options["file"], required_columns=SCHOOL_COLUMNS)
        except CsvFileError as error:
            raise CommandError(f"{options['file']}: {error}") from error
        result = import_schools(
            district=district,
            rows=with_progress(self, rows, "Checking schools"),
            acting_user=user,
            skip_invalid=options["skip_invalid"],
            dry_run=options["dry_run"],
        )
        if result.networks_created:
            verb = "were" if result.saved else "would be"
            self.stdout.write(f"Networks: {result.networks_created} {verb} created.")
        report_import(
            self,
            result,
            noun="schools",
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )

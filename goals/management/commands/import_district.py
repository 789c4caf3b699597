"""`manage.py import_district FILE`: restore a district written by export_district."""

from django.core.management.base import BaseCommand, CommandError

from goals.backup import BackupError, import_district, read_backup


class Command(BaseCommand):
    help = (
        "Load a district exported by export_district into this database. Refuses, "
        "changing nothing, when the district or any of its row ids exist here."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file written by export_district.")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as stream:
                summary = import_district(backup=read_backup(stream))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported district '{summary.district.slug}': {summary.rows} rows, "
                f"{summary.history_rows} history rows "
                f"({summary.history_rows_already_present} already present), "
                f"{summary.users_created} users created, "
                f"{summary.users_reused} existing users kept."
            )
        )

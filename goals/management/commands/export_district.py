"""`manage.py export_district SLUG FILE`: back up one district to a JSON file."""

from django.core.management.base import BaseCommand, CommandError

from district.models import District
from goals.backup import export_district


class Command(BaseCommand):
    help = (
        "Write every row of one district (all tenant-owned tables and their history) "
        "and the users it refers to, as JSON. Password hashes are left out unless "
        "--include-users is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The district's slug.")
        parser.add_argument("file", help="The JSON file to write ('-' for stdout).")
        parser.add_argument(
            "--include-users",
            action="store_true",
            help=(
                "Also export the users' password hashes and staff flags, so they "
                "can log in after a restore. Keep such a file as secret as the "
                "database."
            ),
        )

    def handle(self, *args, slug, file, include_users, **options):
        district = District.objects.filter(slug=slug).first()
        if district is None:
            raise CommandError(f"No district with slug '{slug}'.")
        if file == "-":
            export_district(
                district=district,
                stream=self.stdout,
                include_user_secrets=include_users,
            )
            return
        with open(file, "w", encoding="utf-8") as stream:
            rows = export_district(
                district=district, stream=stream, include_user_secrets=include_users
            )
        self.stdout.write(
            self.style.SUCCESS(f"Exported {rows} rows of district '{slug}' to {file}.")
        )

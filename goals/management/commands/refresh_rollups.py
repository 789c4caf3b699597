"""manage.py refresh_rollups: recompute the stored network and district values."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from district.jobs import start
from district.models import District
from goals.models import Rollup
from goals.rollups import refresh_rollups
from goals.tasks import refresh_district


class Command(BaseCommand):
    help = (
        "Recompute every stored rollup (network and district values of each metric "
        "and period) from the school values, for one district or all. Lanes keeps them "
        "up to date on every change it makes; run this after changing measurements, "
        "schools or metrics outside Lanes (raw SQL, a database restore of some tables)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", help="The district's slug (default: all).")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue one job per district for the task worker and return at once; "
            "the admin's Jobs page shows their progress.",
        )

    def handle(self, *args, **options):
        districts = District.objects.order_by("slug")
        if options["district"]:
            districts = districts.filter(slug=options["district"])
            if not districts.exists():
                raise CommandError(f"No district with slug {options['district']!r}.")
        if options["background"]:
            for district in districts:
                job = start(
                    district=district,
                    description="Refresh the stored rollups",
                    total=1,
                    user=None,
                    run=refresh_district,
                )
                self.stdout.write(f"{district.slug}: queued as job {job.pk}")
            return
        for district in districts:
            started = time.monotonic()
            with transaction.atomic():
                rows = refresh_rollups(district)
            self.stdout.write(
                f"{district.slug}: {rows:,} rollups in "
                f"{time.monotonic() - started:.1f} s"
            )
        if connection.vendor == "postgresql":
            # Fresh statistics for the readers' plans, without waiting for autovacuum.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Rollup._meta.db_table}")

"""Build a synthetic district of a given size, for benchmarks and load tests."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from goals.generator import DistrictSize, generate_district


class Command(BaseCommand):
    help = (
        "Build a synthetic district: schools in networks, a cabinet matrix with gaps and "
        "conflicts, goals, weekly metrics with targets and a value per school, metric "
        "and week. Writes no history rows (synthetic load data). Deterministic per --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, required=True)
        parser.add_argument("--metrics", type=int, required=True)
        parser.add_argument("--weeks", type=int, required=True)
        parser.add_argument("--networks", type=int, default=18)
        parser.add_argument("--responsibilities", type=int, default=200)
        parser.add_argument("--roles", type=int, default=12)
        parser.add_argument("--slug", default="synthetic")
        parser.add_argument("--name", default=None)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--last-period",
            type=datetime.date.fromisoformat,
            default=None,
            help="The last week's Friday (YYYY-MM-DD); default: the latest Friday up to today.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the district with this slug first, if there is one.",
        )

    def handle(self, *args, **options):
        try:
            size = DistrictSize(
                schools=options["schools"],
                metrics=options["metrics"],
                weeks=options["weeks"],
                networks=options["networks"],
                responsibilities=options["responsibilities"],
                roles=options["roles"],
            )
            result = generate_district(
                slug=options["slug"],
                size=size,
                seed=options["seed"],
                replace=options["replace"],
                last_period=options["last_period"],
                name=options["name"],
                progress=self.stdout.write if options["verbosity"] > 0 else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n:,} {what}" for what, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {result.district.slug!r} in {result.seconds:.1f} s: {counts}"
            )
        )

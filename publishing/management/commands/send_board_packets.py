"""Issue and mail the board packets whose day has come (safe to run on a schedule)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from publishing.schedules import send_due_packets


class Command(BaseCommand):
    help = (
        "Issue, render and mail the packet of every board meeting whose sending day "
        "has come and that has not been sent. Run it daily (or hourly); a packet is "
        "sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="Act as if today were this date (YYYY-MM-DD).",
        )

    def handle(self, *args, date=None, **options):
        sent, failed = send_due_packets(date)
        self.stdout.write(f"{sent} packet(s) sent, {failed} failed.")
        if failed:
            raise CommandError(f"{failed} packet(s) could not be sent; see the log.")

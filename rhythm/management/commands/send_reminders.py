"""Send today's reminder mail; safe on a schedule and on several machines at once."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from rhythm.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send the reminders due today (due soon, due, overdue, escalations), each "
        "once, within every district's weekly cap. Safe to run often and on two "
        "machines at the same time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Send as on this day (YYYY-MM-DD) instead of today.",
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"Not a date: {options['date']!r}") from error
        sent = send_reminders(today=today)
        for reminder in sent:
            self.stdout.write(
                f"{reminder.recipient.email}\t{reminder.get_kind_display()}\t"
                f"{reminder.subject}"
            )
        self.stdout.write(f"{len(sent)} reminder(s) sent.")

"""python manage.py create_api_token USERNAME --scope read|write [--expires-in-days N]"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tokens.models import TokenScope, create_token


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", choices=TokenScope.values, required=True)
        parser.add_argument("--expires-in-days", type=int, default=None)
        parser.add_argument("--name", default="created from the command line")

    def handle(self, *args, username, scope, expires_in_days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        expires_at = None
        if expires_in_days is not None:
            if not 1 <= expires_in_days <= 3650:
                raise CommandError("--expires-in-days must be between 1 and 3650.")
            expires_at = timezone.now() + datetime.timedelta(days=expires_in_days)
        token, key = create_token(
            user=user, name=name, scope=scope, expires_at=expires_at
        )
        expiry = (
            f"expires {expires_at:%Y-%m-%d %H:%M %Z}" if expires_at else "no expiry"
        )
        self.stdout.write(
            f"Created {scope} token {token.prefix}… for {username} ({expiry}). "
            "Store the key now: it is not shown again."
        )
        self.stdout.write(f"Key: {key}")

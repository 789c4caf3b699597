"""Reminder mail: due soon, due, overdue, and the escalation of a long-overdue item.

Reads what people owe from `district.due.due_items()`, so the items of every app get
reminders. Each reminder is first claimed in the outbox (`Reminder`): one row per
recipient, item and kind, unique in the database. A run inserts the rows it means to
send, ignoring those another run inserted first, and sends only its own; the claims
of one district are made under a lock of the district's row, so the weekly cap holds
when two runs (two machines) overlap. A mail that cannot be sent gives its claim back,
so the next run tries again.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from district.due import DueItem, due_items
from district.models import District

from .models import Reminder, ReminderKind, ReminderPreference, ReminderStatus

log = logging.getLogger(__name__)

PREFERENCES_SALT = "rhythm.preferences"
# Which reminders go first when the weekly cap leaves room for only some.
PRIORITY = [
    ReminderKind.ESCALATION,
    ReminderKind.OVERDUE,
    ReminderKind.DUE,
    ReminderKind.DUE_SOON,
]
SUBJECTS = {
    ReminderKind.DUE_SOON: "Due {due}: {title}",
    ReminderKind.DUE: "Due today: {title}",
    ReminderKind.OVERDUE: "Overdue since {due}: {title}",
    ReminderKind.ESCALATION: "Overdue {days} days ({owner}): {title}",
}


@dataclass(frozen=True)
class Planned:
    """A reminder a run means to send."""

    recipient_id: int
    kind: ReminderKind
    item: DueItem


def preferences_token(user_id: int) -> str:
    return signing.dumps({"user": user_id}, salt=PREFERENCES_SALT)


def user_from_token(token: str) -> int | None:
    """The user a preferences link is for, or None for a forged or damaged link."""
    try:
        return int(signing.loads(token, salt=PREFERENCES_SALT)["user"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def preferences_url(user_id: int) -> str:
    path = reverse("rhythm:preferences", args=[preferences_token(user_id)])
    return f"{settings.SITE_URL}{path}"


def plan_reminders(
    items: list[DueItem], *, today: datetime.date, escalation_days: int
) -> list[Planned]:
    """The reminders `items` call for today, before the cap and preferences."""
    planned = []
    for item in items:
        state = item.state(today)
        kind = {
            "due soon": ReminderKind.DUE_SOON,
            "due": ReminderKind.DUE,
            "overdue": ReminderKind.OVERDUE,
        }.get(state)
        if kind is None:
            continue
        planned.append(Planned(item.owner_id, kind, item))
        if (
            kind == ReminderKind.OVERDUE
            and item.escalate_to_id
            and (today - item.due).days >= escalation_days
        ):
            planned.append(Planned(item.escalate_to_id, ReminderKind.ESCALATION, item))
    return planned


def claim_reminders(
    district: District, *, today: datetime.date, run: str
) -> list[Reminder]:
    """Insert this run's reminders for `district` into the outbox; return those it won."""
    now = timezone.now()
    items = due_items(district_id=district.pk, today=today)
    planned = plan_reminders(
        items, today=today, escalation_days=district.escalation_days
    )
    if not planned:
        return []
    recipients = {plan.recipient_id for plan in planned}
    users = get_user_model().objects.in_bulk(recipients)
    opted_out = set(
        ReminderPreference.objects.filter(
            user__in=recipients, wants_reminders=False
        ).values_list("user_id", flat=True)
    )
    with transaction.atomic():
        # One claimer per district at a time: the cap counts the other run's claims.
        District.objects.select_for_update().filter(pk=district.pk).first()
        done = set(
            Reminder.objects.filter(
                recipient__in=recipients,
                item_key__in={plan.item.key for plan in planned},
            ).values_list("recipient_id", "item_key", "kind")
        )
        week_ago = now - datetime.timedelta(days=7)
        recent: dict[int, int] = defaultdict(int)
        for recipient_id in Reminder.objects.filter(
            recipient__in=recipients, claimed_at__gt=week_ago
        ).values_list("recipient_id", flat=True):
            recent[recipient_id] += 1
        rows = []
        for plan in sorted(
            planned, key=lambda p: (PRIORITY.index(p.kind), p.item.due, p.item.key)
        ):
            user = users.get(plan.recipient_id)
            if (
                user is None
                or not user.is_active
                or not user.email
                or plan.recipient_id in opted_out
                or (plan.recipient_id, plan.item.key, plan.kind) in done
                or recent[plan.recipient_id] >= district.reminders_per_week
            ):
                continue
            recent[plan.recipient_id] += 1
            owner = users.get(plan.item.owner_id)
            rows.append(
                Reminder(
                    district=district,
                    recipient_id=plan.recipient_id,
                    item_key=plan.item.key,
                    kind=plan.kind,
                    item_title=plan.item.title[:300],
                    due_on=plan.item.due,
                    owner_id=plan.item.owner_id,
                    subject=SUBJECTS[plan.kind].format(
                        due=plan.item.due.strftime("%a %b %-d"),
                        days=(today - plan.item.due).days,
                        owner=owner.get_full_name() or owner.get_username()
                        if owner
                        else "",
                        title=plan.item.title,
                    )[:300],
                    status=ReminderStatus.CLAIMED,
                    run=run,
                    claimed_at=now,
                )
            )
        # ON CONFLICT DO NOTHING: a row another run inserted first stays its own.
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Reminder.objects.filter(district=district, run=run)
        .select_related("recipient", "owner", "district")
        .order_by("pk")
    )


def build_message(reminder: Reminder, item_url: str) -> EmailMultiAlternatives:
    context = {
        "reminder": reminder,
        "is_escalation": reminder.kind == ReminderKind.ESCALATION,
        "item_url": f"{settings.SITE_URL}{item_url}",
        "my_updates_url": settings.SITE_URL
        + reverse("rhythm:my-updates", args=[reminder.district.slug]),
        "preferences_url": preferences_url(reminder.recipient_id),
    }
    message = EmailMultiAlternatives(
        subject=reminder.subject,
        body=render_to_string("rhythm/mail/reminder.txt", context),
        to=[reminder.recipient.email],
        headers={"List-Unsubscribe": f"<{context['preferences_url']}>"},
    )
    message.attach_alternative(
        render_to_string("rhythm/mail/reminder.html", context), "text/html"
    )
    return message


def send_reminders(*, today: datetime.date | None = None) -> list[Reminder]:
    """Claim and send every district's reminders due today; return the ones sent."""
    today = today or timezone.localdate()
    run = uuid.uuid4().hex
    sent: list[Reminder] = []
    connection = get_connection(fail_silently=False)
    for district in District.objects.order_by("pk"):
        claimed = claim_reminders(district, today=today, run=run)
        if not claimed:
            continue
        urls = {
            item.key: item.url
            for item in due_items(
                district_id=district.pk,
                today=today,
                owner_ids={r.owner_id for r in claimed if r.owner_id},
            )
        }
        for reminder in claimed:
            try:
                connection.send_messages(
                    [build_message(reminder, urls.get(reminder.item_key, "/"))]
                )
            except Exception:
                # Give the claim back: the next run tries again.
                log.exception("A reminder could not be sent (reminder %s)", reminder.pk)
                Reminder.objects.filter(pk=reminder.pk, run=run).delete()
                continue
            reminder.status = ReminderStatus.SENT
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["status", "sent_at"])
            sent.append(reminder)
    return sent

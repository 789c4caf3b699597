"""The reminder outbox and each person's reminder preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from district.models import DistrictQuerySet


class ReminderKind(models.TextChoices):
    """Which reminder of an item: before, on and after its due date, or to the manager."""

    DUE_SOON = "due_soon", _("Due soon")
    DUE = "due", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalation")


class ReminderStatus(models.TextChoices):
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")


class Reminder(models.Model):
    """One reminder mail, recorded before it is sent, so it is never sent twice.

    The unique (recipient, item key, kind) is the claim: a run inserts the rows it
    means to send and sends only those it inserted, so two runs at once (two
    machines) send each reminder once. No history: the row is itself the record.
    """

    district = models.ForeignKey(
        "district.District", on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    item_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ReminderKind)
    item_title = models.CharField(max_length=300)
    due_on = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text=_("Who owes the item (the recipient, except for an escalation)."),
    )
    subject = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=ReminderStatus, default=ReminderStatus.CLAIMED
    )
    run = models.CharField(max_length=40, help_text=_("The run that claimed it."))
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["district", "-claimed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "item_key", "kind"],
                name="%(app_label)s_%(class)s_once_per_item_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values)
                & Q(status__in=ReminderStatus.values),
                name="%(app_label)s_%(class)s_choices_valid",
            ),
        ]
        indexes = [
            # The weekly cap counts a recipient's recent reminders.
            models.Index(
                fields=["recipient", "claimed_at"], name="rhythm_rem_recipient_time"
            ),
            models.Index(fields=["run"], name="rhythm_rem_run"),
        ]

    def __str__(self):
        return self.subject


class ReminderPreference(models.Model):
    """Whether a person wants reminder mail; changed through a signed link in each mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    wants_reminders = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "pk"]

    def __str__(self):
        return f"{self.user}: {'reminders' if self.wants_reminders else 'no reminders'}"

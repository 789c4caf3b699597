"""What a district publishes, and the board packets it issues.

`Publication` switches the public dashboard on and says what it shows;
`PublishedGoal` and `PublishedMetric` opt single goals and metrics in. A `Packet` is
what the board saw: the data as it stood when issued, frozen as JSON with its
SHA-256 hash; `PacketRender` holds its PDF and the progress of the task that
renders it. A `Schedule` issues a packet ahead of a board meeting and mails it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from district.models import DistrictOwned


class Publication(DistrictOwned):
    """A district's public dashboard: whether it is on and what it shows."""

    is_published = models.BooleanField(
        default=False,
        help_text=_("Show the published goals and metrics to anyone, without login."),
    )
    shows_staff_names = models.BooleanField(
        default=False,
        help_text=_(
            "Name the people who hold the owning roles on public pages and packets; "
            "otherwise only the roles are named."
        ),
    )
    introduction = models.TextField(
        blank=True, help_text=_("A few words shown above the public dashboard.")
    )

    class Meta:
        default_related_name = "publications"
        ordering = ["district", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                name="%(app_label)s_%(class)s_one_per_district",
                violation_error_message=_("This district already has its settings."),
            ),
        ]

    def __str__(self):
        return f"Publication of {self.district}"


class PublishedGoal(DistrictOwned):
    """A goal shown on the public dashboard (with those of its metrics published)."""

    goal = models.ForeignKey(
        "goals.Goal", on_delete=models.CASCADE, related_name="publications"
    )

    class Meta:
        default_related_name = "published_goals"
        ordering = ["district", "goal", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal"],
                name="%(app_label)s_%(class)s_once_per_goal",
                violation_error_message=_("This goal is already published."),
            ),
        ]

    def __str__(self):
        return f"{self.goal} (published)"


class PublishedMetric(DistrictOwned):
    """A metric shown on the public dashboard, when its goal is published too."""

    metric = models.ForeignKey(
        "goals.Metric", on_delete=models.CASCADE, related_name="publications"
    )

    class Meta:
        default_related_name = "published_metrics"
        ordering = ["district", "metric", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric"],
                name="%(app_label)s_%(class)s_once_per_metric",
                violation_error_message=_("This metric is already published."),
            ),
        ]

    def __str__(self):
        return f"{self.metric} (published)"


class Schedule(DistrictOwned):
    """A board meeting: a packet on one goal area is issued and mailed days before."""

    goal = models.ForeignKey(
        "goals.Goal",
        on_delete=models.CASCADE,
        related_name="packet_schedules",
        help_text=_("The goal area the board monitors: this goal and its subgoals."),
    )
    meets_on = models.DateField(help_text=_("The date of the board meeting."))
    days_before = models.PositiveSmallIntegerField(
        default=7, help_text=_("Issue and send the packet this many days before.")
    )
    recipients = models.TextField(
        help_text=_("E-mail addresses the packet is sent to, one per line.")
    )
    commentary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="packet_schedules",
    )
    packet = models.ForeignKey(
        "publishing.Packet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="schedules",
        help_text=_("The packet issued for this meeting, once sent."),
    )
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        default_related_name = "packet_schedules"
        ordering = ["district", "meets_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days_before__lte=60),
                name="%(app_label)s_%(class)s_days_before_at_most_60",
                violation_error_message=_(
                    "Send the packet at most 60 days before the meeting."
                ),
            ),
        ]

    def __str__(self):
        return f"Board meeting on {self.meets_on}"

    def clean(self):
        super().clean()
        try:
            self.recipient_list()
        except ValidationError as error:
            raise ValidationError({"recipients": error.messages}) from error

    def recipient_list(self) -> list[str]:
        """The recipients' addresses, each checked (a ValidationError names a bad one)."""
        addresses = [line.strip() for line in self.recipients.splitlines()]
        addresses = [address for address in addresses if address]
        if not addresses:
            raise ValidationError(_("Name at least one e-mail address."))
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    _("%(address)s is not an e-mail address.") % {"address": address}
                ) from None
        return addresses

    @property
    def sends_on(self) -> datetime.date:
        """The day the packet is issued and sent."""
        return self.meets_on - datetime.timedelta(days=self.days_before)


class Packet(DistrictOwned):
    """A board packet as issued: the data as it stood, frozen, with its hash."""

    title = models.CharField(max_length=200)
    school_year = models.CharField(max_length=7)
    as_of = models.DateField()
    commentary = models.TextField(blank=True)
    snapshot = models.JSONField(editable=False)
    content_hash = models.CharField(max_length=64, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="issued_packets",
    )
    issued_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        default_related_name = "packets"
        ordering = ["district", "-issued_at", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("publishing:packet-detail", args=[self.district.slug, self.pk])


class RenderStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PacketRender(models.Model):
    """A packet's PDF and how far its rendering has come (kept apart: no history)."""

    packet = models.OneToOneField(
        Packet, on_delete=models.CASCADE, primary_key=True, related_name="render"
    )
    status = models.CharField(
        max_length=10, choices=RenderStatus, default=RenderStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, editable=False)
    page_count = models.PositiveSmallIntegerField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RenderStatus.values) & Q(progress__lte=100),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.packet}: {self.get_status_display()}"

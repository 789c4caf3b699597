"""Partnerships between roles and the routines that keep them: meetings, briefs, actions.

A partnership (CAO and CSO, CAO and CTO) states a shared vision, a theory of action
and non-negotiables; its joint and distinct work is read live from the matrix
(`roles.matrix`). A meeting series (a weekly cabinet pair, a network's coaching
conversation) has a scope whose data prefills each meeting's brief; the brief is
frozen when the meeting starts. Action items carry over from meeting to meeting of a
series until they are done.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from district.models import DistrictOwned


class Partnership(DistrictOwned):
    """Two or more roles that share work: their vision, theory of action, commitments."""

    name = models.CharField(max_length=200, help_text=_("For example CAO and CSO."))
    vision = models.TextField(
        blank=True, help_text=_("The shared vision both roles work towards.")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_related_name = "partnerships"
        ordering = ["district", "sort_order", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "A partnership with this name already exists in the district."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "routines:partnership-detail",
            kwargs={"slug": self.district.slug, "pk": self.pk},
        )


class PartnershipRole(DistrictOwned):
    """A role that is party to a partnership."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="members"
    )
    role = models.ForeignKey(
        "roles.Role", on_delete=models.CASCADE, related_name="partnership_members"
    )

    class Meta:
        default_related_name = "partnership_roles"
        ordering = ["partnership", "role__kind", "role__sort_order", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "role"],
                name="%(app_label)s_%(class)s_once_per_partnership",
                violation_error_message=_("This role is already in the partnership."),
            ),
        ]

    def __str__(self):
        return f"{self.role} in {self.partnership}"


class TheoryStatement(DistrictOwned):
    """One if-then statement of a partnership's theory of action."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="statements"
    )
    if_clause = models.TextField(help_text=_("If we ..."))
    then_clause = models.TextField(help_text=_("then ..."))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_related_name = "theory_statements"
        ordering = ["partnership", "sort_order", "pk"]

    def __str__(self):
        return f"If {self.if_clause}, then {self.then_clause}"


class TheoryLink(DistrictOwned):
    """A matrix row or a goal a theory-of-action statement relies on (one of the two)."""

    statement = models.ForeignKey(
        TheoryStatement, on_delete=models.CASCADE, related_name="links"
    )
    responsibility = models.ForeignKey(
        "roles.Responsibility",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="theory_links",
    )
    goal = models.ForeignKey(
        "goals.Goal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="theory_links",
    )

    class Meta:
        default_related_name = "theory_links"
        ordering = ["statement", "responsibility", "goal", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(responsibility__isnull=False) & Q(goal__isnull=True))
                | (Q(responsibility__isnull=True) & Q(goal__isnull=False)),
                name="%(app_label)s_%(class)s_row_or_goal",
                violation_error_message=_(
                    "Link the statement to a row of the matrix or to a goal, not both."
                ),
            ),
            models.UniqueConstraint(
                fields=["statement", "responsibility"],
                condition=Q(responsibility__isnull=False),
                name="%(app_label)s_%(class)s_once_per_row",
                violation_error_message=_(
                    "The statement is already linked to this row."
                ),
            ),
            models.UniqueConstraint(
                fields=["statement", "goal"],
                condition=Q(goal__isnull=False),
                name="%(app_label)s_%(class)s_once_per_goal",
                violation_error_message=_(
                    "The statement is already linked to this goal."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.statement_id}: {self.responsibility or self.goal}"


class NonNegotiable(DistrictOwned):
    """A commitment of a partnership that is not up for discussion, and who watches it."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="non_negotiables"
    )
    statement = models.TextField()
    owner = models.ForeignKey(
        "roles.Role", on_delete=models.PROTECT, related_name="non_negotiables"
    )
    monitoring = models.TextField(
        help_text=_("How it is monitored: the routine, the evidence, how often.")
    )
    metric = models.ForeignKey(
        "goals.Metric",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="non_negotiables",
        help_text=_("A metric that shows whether it holds, if there is one."),
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_related_name = "non_negotiables"
        ordering = ["partnership", "sort_order", "pk"]

    def __str__(self):
        return self.statement


class SeriesScope(models.TextChoices):
    """Whose data a meeting series' briefs are computed from."""

    DISTRICT = "district", _("District")
    NETWORK = "network", _("Network")
    PARTNERSHIP = "partnership", _("Partnership")


class Cadence(models.TextChoices):
    """How often a meeting series meets."""

    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


class MeetingSeries(DistrictOwned):
    """A recurring meeting with members, a cadence and a scope for its briefs."""

    name = models.CharField(max_length=200)
    scope = models.CharField(max_length=20, choices=SeriesScope)
    network = models.ForeignKey(
        "district.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_series",
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_series",
    )
    cadence = models.CharField(max_length=20, choices=Cadence, default=Cadence.WEEKLY)
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=200, blank=True)

    class Meta:
        default_related_name = "meeting_series"
        ordering = ["district", "name", "pk"]
        verbose_name_plural = "meeting series"
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "A meeting series with this name already exists in the district."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        scope=SeriesScope.DISTRICT,
                        network__isnull=True,
                        partnership__isnull=True,
                    )
                    | Q(
                        scope=SeriesScope.NETWORK,
                        network__isnull=False,
                        partnership__isnull=True,
                    )
                    | Q(
                        scope=SeriesScope.PARTNERSHIP,
                        network__isnull=True,
                        partnership__isnull=False,
                    )
                ),
                name="%(app_label)s_%(class)s_scope_matches",
                violation_error_message=_(
                    "A network series names its network, a partnership series its "
                    "partnership, and a district series neither."
                ),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=600),
                name="%(app_label)s_%(class)s_duration_range",
                violation_error_message=_("A meeting lasts between 5 and 600 minutes."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "routines:series-detail",
            kwargs={"slug": self.district.slug, "pk": self.pk},
        )

    def next_start(self, after: datetime.datetime) -> datetime.datetime:
        """When the meeting after one starting at `after` starts, by the cadence."""
        if self.cadence == Cadence.FORTNIGHTLY:
            return after + datetime.timedelta(days=14)
        if self.cadence == Cadence.MONTHLY:
            return after + datetime.timedelta(days=28)
        return after + datetime.timedelta(days=7)


class SeriesMember(DistrictOwned):
    """A person who attends the meetings of a series."""

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        "district.Person", on_delete=models.CASCADE, related_name="series_memberships"
    )

    class Meta:
        default_related_name = "series_members"
        ordering = ["series", "person__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "person"],
                name="%(app_label)s_%(class)s_once_per_series",
                violation_error_message=_("This person is already in the series."),
            ),
        ]

    def __str__(self):
        return f"{self.person} in {self.series}"


class Meeting(DistrictOwned):
    """One meeting of a series; its brief is frozen (a JSON snapshot) when it starts."""

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    brief = models.JSONField(null=True, blank=True, editable=False)
    notes = models.TextField(blank=True)

    class Meta:
        default_related_name = "meetings"
        ordering = ["series", "starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "starts_at"],
                name="%(app_label)s_%(class)s_one_per_time",
                violation_error_message=_(
                    "The series already has a meeting at this time."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.series} on {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse(
            "routines:meeting-detail",
            kwargs={"slug": self.district.slug, "pk": self.pk},
        )

    @property
    def is_started(self) -> bool:
        return self.started_at is not None


class MeetingDecision(DistrictOwned):
    """A decision raised in a meeting: waiting until it is taken, then its outcome."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions"
    )
    statement = models.TextField(help_text=_("What has to be decided."))
    outcome = models.TextField(blank=True, help_text=_("What was decided."))
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        default_related_name = "meeting_decisions"
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | ~Q(outcome=""),
                name="%(app_label)s_%(class)s_decided_with_outcome",
                violation_error_message=_("A decision taken says what was decided."),
            ),
        ]

    def __str__(self):
        return self.statement


class ActionItem(DistrictOwned):
    """A commitment from a meeting: an owner (a person, or a role's holder), a due date.

    An open item carries over to every later meeting of its series until it is done.
    Owned by a role, it is owed by whoever holds the role on the due date.
    """

    series = models.ForeignKey(
        MeetingSeries, on_delete=models.CASCADE, related_name="action_items"
    )
    raised_in = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    title = models.CharField(max_length=300)
    owner_person = models.ForeignKey(
        "district.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    owner_role = models.ForeignKey(
        "roles.Role",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    metric = models.ForeignKey(
        "goals.Metric",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    school = models.ForeignKey(
        "district.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    network = models.ForeignKey(
        "district.Network",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    responsibility = models.ForeignKey(
        "roles.Responsibility",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("matrix row"),
    )

    class Meta:
        default_related_name = "action_items"
        ordering = ["series", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_person__isnull=False) & Q(owner_role__isnull=True))
                | (Q(owner_person__isnull=True) & Q(owner_role__isnull=False)),
                name="%(app_label)s_%(class)s_one_owner",
                violation_error_message=_(
                    "An action item is owned by a person or by a role, not both."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if (
            self.raised_in_id
            and self.series_id
            and self.raised_in.series_id != self.series_id
        ):
            raise ValidationError(
                {"raised_in": _("The meeting must be one of the item's series.")}
            )

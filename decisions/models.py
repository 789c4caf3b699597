"""Two-key decisions: a request (often a digital tool) that every role holding a key
on its matrix row must review, with the review checklists each district sets per kind.

The rules of the workflow (which state may follow which, who turns a key, when a
decision is approved) live in `decisions/workflow.py`; these models hold its records.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from district.models import DistrictOwned


class DecisionState(models.TextChoices):
    """Where a decision stands; `workflow.TRANSITIONS` says which state may follow which."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REOPENED = "reopened", _("Reopened")


APPROVED_STATES = (DecisionState.APPROVED, DecisionState.APPROVED_WITH_CONDITIONS)


class Verdict(models.TextChoices):
    """A reviewer's answer: turning the key (with or without conditions), or not."""

    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    DECLINE = "decline", _("Decline")


class PrivacyStatus(models.TextChoices):
    """Where a tool's student-data privacy stands, as the register shows it."""

    NOT_CHECKED = "not_checked", _("Not yet checked")
    AGREEMENT_PENDING = "agreement_pending", _("Data privacy agreement pending")
    AGREEMENT_SIGNED = "agreement_signed", _("Data privacy agreement signed")
    NO_STUDENT_DATA = "no_student_data", _("Collects no student data")


class DecisionPolicy(DistrictOwned):
    """A district's settings for decisions: its review target and its public register."""

    target_working_days = models.PositiveSmallIntegerField(
        default=10,
        help_text=_(
            "Working days (Monday to Friday) a review may wait before it is overdue."
        ),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        default=12,
        help_text=_("Months after approval when an approved tool is reviewed again."),
    )
    publish_register = models.BooleanField(
        default=False,
        help_text=_(
            "Publish the register of approved tools on a public page, without login "
            "(approved tools only, no staff names)."
        ),
    )

    class Meta:
        default_related_name = "decision_policies"
        ordering = ["district", "pk"]
        verbose_name_plural = "decision policies"
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                name="%(app_label)s_%(class)s_one_per_district",
                violation_error_message=_(
                    "This district already has a decision policy."
                ),
            ),
            models.CheckConstraint(
                condition=Q(target_working_days__gte=1, target_working_days__lte=250),
                name="%(app_label)s_%(class)s_target_in_range",
                violation_error_message=_(
                    "The target is between 1 and 250 working days."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    review_interval_months__gte=1, review_interval_months__lte=60
                ),
                name="%(app_label)s_%(class)s_interval_in_range",
                violation_error_message=_(
                    "Approved tools are reviewed again after 1 to 60 months."
                ),
            ),
        ]

    def __str__(self):
        return f"Decision policy of {self.district}"


class DecisionKind(DistrictOwned):
    """A kind of decision the district reviews, such as "Digital content"."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_tool = models.BooleanField(
        default=True,
        help_text=_(
            "Decisions of this kind approve a product or tool: approved ones are "
            "listed in the register of approved tools."
        ),
    )

    class Meta:
        default_related_name = "decision_kinds"
        ordering = ["district", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "A kind of decision with this name already exists in the district."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class ChecklistItem(DistrictOwned):
    """One point a reviewing role checks for a kind of decision."""

    kind = models.ForeignKey(
        DecisionKind, on_delete=models.CASCADE, related_name="checklist_items"
    )
    role = models.ForeignKey(
        "roles.Role", on_delete=models.CASCADE, related_name="checklist_items"
    )
    text = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_related_name = "checklist_items"
        ordering = ["kind", "role", "sort_order", "text", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "role", "text"],
                name="%(app_label)s_%(class)s_unique_text",
                violation_error_message=_(
                    "This role's checklist for this kind already has this item."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.kind} · {self.role}: {self.text}"


class Decision(DistrictOwned):
    """A request that needs every key of its matrix row turned before it is approved."""

    title = models.CharField(max_length=200)
    kind = models.ForeignKey(
        DecisionKind, on_delete=models.PROTECT, related_name="decisions"
    )
    description = models.TextField(blank=True)
    requested_for = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who asked for it, when filed on someone's behalf (a teacher)."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions_requested",
        help_text=_("The member who filed the request."),
    )
    responsibility = models.ForeignKey(
        "roles.Responsibility",
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("matrix row"),
        help_text=_("The roles accountable or consulted on this row each hold a key."),
    )
    goal = models.ForeignKey(
        "goals.Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        help_text=_("The shared goal this decision serves, if any."),
    )
    product = models.CharField(max_length=200, blank=True)
    vendor = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        max_length=30, choices=DecisionState, default=DecisionState.DRAFT
    )
    round = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many times the decision was sent for review.")
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    conditions = models.TextField(
        blank=True, help_text=_("The reviewers' conditions of an approval.")
    )
    privacy_status = models.CharField(
        max_length=30, choices=PrivacyStatus, default=PrivacyStatus.NOT_CHECKED
    )
    review_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("When an approved tool is reviewed again."),
    )

    class Meta:
        default_related_name = "decisions"
        ordering = ["district", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DecisionState.values),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(privacy_status__in=PrivacyStatus.values),
                name="%(app_label)s_%(class)s_privacy_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["district", "state", "submitted_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "decisions:detail", kwargs={"slug": self.district.slug, "pk": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.state == DecisionState.IN_REVIEW

    @property
    def is_editable(self) -> bool:
        """Draft or reopened: its row, kind and text may still change."""
        return self.state in (DecisionState.DRAFT, DecisionState.REOPENED)


class Review(DistrictOwned):
    """One key of a decision: the review a role owes in one round of review."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="reviews"
    )
    round = models.PositiveSmallIntegerField()
    role = models.ForeignKey(
        "roles.Role", on_delete=models.PROTECT, related_name="decision_reviews"
    )
    requested_at = models.DateTimeField()
    verdict = models.CharField(max_length=30, choices=Verdict, blank=True)
    conditions = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision_reviews",
    )
    reviewer_name = models.CharField(
        max_length=200, blank=True, help_text=_("The role holder who gave the verdict.")
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_related_name = "decision_reviews"
        ordering = ["decision", "round", "role__sort_order", "role__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "round", "role"],
                name="%(app_label)s_%(class)s_one_per_role",
                violation_error_message=_(
                    "This role already holds a key in this round of review."
                ),
            ),
            models.CheckConstraint(
                condition=Q(verdict="") | Q(verdict__in=Verdict.values),
                name="%(app_label)s_%(class)s_verdict_valid",
            ),
        ]

    def __str__(self):
        return f"{self.role} review of {self.decision}"

    def get_absolute_url(self):
        return self.decision.get_absolute_url() + f"#review-{self.pk}"

    @property
    def is_pending(self) -> bool:
        return not self.verdict


class ReviewCheck(DistrictOwned):
    """One checklist item of a review, copied from the kind's checklist when review starts."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="checks")
    text = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_checked = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        default_related_name = "review_checks"
        ordering = ["review", "sort_order", "pk"]

    def __str__(self):
        return self.text


class Transition(DistrictOwned):
    """One step of a decision's history: from which state to which, who, when and why."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(max_length=30, choices=DecisionState, blank=True)
    to_state = models.CharField(max_length=30, choices=DecisionState)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision_transitions",
    )
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        default_related_name = "decision_transitions"
        ordering = ["decision", "at", "pk"]

    def __str__(self):
        start = self.get_from_state_display() or _("new")
        return f"{self.decision}: {start} → {self.get_to_state_display()}"

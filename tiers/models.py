"""Tiers of support and earned autonomy, the rules that place schools in them, and the
supports the district allocates by need.

A district defines its tiers (what each means: how often its schools are monitored and
which autonomies they hold), then for each school year an ordered list of rules over
metric values and statuses (`TierPlan`, `TierRule`). Adopting the plan places every
school in the tier of the first rule it matches (`tiers.evaluation`), else the plan's
default tier, and records it (`TierAssignment`); a CSO or network chief may override a
school's tier with a reason. Supports (coaches, content experts, programmes, partners)
have a capacity, and allocations of a support to schools or school groups never exceed
it (`tiers.allocations`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from district.models import DistrictOwned, School, SchoolGroup, date_range_condition
from goals.models import school_year_end


def validate_school_year(label: str) -> None:
    """Refuse a label that is not a school year written "2017-18"."""
    try:
        school_year_end(label)
    except ValueError:
        raise ValidationError(
            _('Write the school year as "2017-18".'), code="school_year"
        ) from None


class MonitoringCadence(models.TextChoices):
    """How often the district looks in on a school of a tier."""

    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    TWICE_A_YEAR = "twice_a_year", _("Twice a year")


class Tier(DistrictOwned):
    """A tier of support: level 1 holds the most autonomy, higher levels more support."""

    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    monitoring_cadence = models.CharField(
        max_length=20, choices=MonitoringCadence, default=MonitoringCadence.MONTHLY
    )
    autonomies = models.TextField(
        blank=True,
        help_text=_("The autonomies this tier's schools hold, one a line."),
    )

    class Meta:
        default_related_name = "tiers"
        ordering = ["district", "level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "level"],
                name="%(app_label)s_%(class)s_unique_level",
                violation_error_message=_(
                    "The district already has a tier of this level."
                ),
            ),
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "The district already has a tier of this name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1),
                name="%(app_label)s_%(class)s_level_from_one",
                violation_error_message=_("Tier levels start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(monitoring_cadence__in=MonitoringCadence.values),
                name="%(app_label)s_%(class)s_cadence_valid",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def autonomy_list(self) -> list[str]:
        return [line.strip() for line in self.autonomies.splitlines() if line.strip()]


class TierPlan(DistrictOwned):
    """The tier rules of one school year, and whether they were adopted."""

    school_year = models.CharField(max_length=9, validators=[validate_school_year])
    default_tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        related_name="default_of_plans",
        help_text=_("The tier of a school that matches no rule."),
    )
    adopted_at = models.DateTimeField(null=True, blank=True, editable=False)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        default_related_name = "tier_plans"
        ordering = ["district", "-school_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "school_year"],
                name="%(app_label)s_%(class)s_one_per_year",
                violation_error_message=_(
                    "The district already has tier rules for this school year."
                ),
            ),
        ]

    def __str__(self):
        return _("Tier rules %(year)s") % {"year": self.school_year}


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class TierRule(DistrictOwned):
    """One rule of a plan: a school meeting every condition set here gets the tier.

    Conditions: a metric's latest value compared with a threshold; at least, or at
    most, so many metrics off track. Rules are tried in `position` order; the first a
    school matches decides (`tiers.evaluation`). A school without a value of the
    rule's metric does not match it.
    """

    plan = models.ForeignKey(TierPlan, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField()
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="rules")
    metric = models.ForeignKey(
        "goals.Metric",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tier_rules",
    )
    comparison = models.CharField(max_length=10, choices=Comparison, blank=True)
    threshold = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True
    )
    min_off_track = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Matches when at least this many metrics are off track."),
    )
    max_off_track = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Matches when at most this many metrics are off track (0: none)."),
    )

    class Meta:
        default_related_name = "tier_rules"
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                violation_error_message=_(
                    "The plan already has a rule at this position."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(metric__isnull=True, comparison="", threshold__isnull=True)
                    | Q(
                        metric__isnull=False,
                        comparison__in=Comparison.values,
                        threshold__isnull=False,
                    )
                ),
                name="%(app_label)s_%(class)s_metric_condition_complete",
                violation_error_message=_(
                    "A metric condition needs a metric, a comparison and a threshold."
                ),
            ),
            models.CheckConstraint(
                condition=Q(metric__isnull=False)
                | Q(min_off_track__isnull=False)
                | Q(max_off_track__isnull=False),
                name="%(app_label)s_%(class)s_has_a_condition",
                violation_error_message=_(
                    "A rule needs a condition: a metric's value or a count of metrics "
                    "off track."
                ),
            ),
            models.CheckConstraint(
                condition=Q(min_off_track__isnull=True)
                | Q(max_off_track__isnull=True)
                | Q(min_off_track__lte=F("max_off_track")),
                name="%(app_label)s_%(class)s_off_track_range",
                violation_error_message=_(
                    "The least number of metrics off track cannot exceed the most."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.tier}: {self.conditions_text()}"

    def conditions_text(self) -> str:
        """The rule's conditions in words: "Attendance at least 95 and no metric off track"."""
        parts: list[str] = []
        if self.metric is not None:
            parts.append(
                _("%(metric)s %(comparison)s %(threshold)s")
                % {
                    "metric": self.metric.name,
                    "comparison": self.get_comparison_display(),
                    "threshold": f"{self.threshold.normalize():f}"
                    if self.threshold is not None
                    else "",
                }
            )
        low, high = self.min_off_track, self.max_off_track
        if high == 0:
            parts.append(str(_("no metric off track")))
        elif low is not None and high is not None:
            parts.append(
                _("%(low)s to %(high)s metrics off track") % {"low": low, "high": high}
            )
        elif low is not None:
            parts.append(_("%(low)s or more metrics off track") % {"low": low})
        elif high is not None:
            parts.append(_("at most %(high)s metrics off track") % {"high": high})
        return str(_(" and ")).join(str(part) for part in parts)


class AssignmentSource(models.TextChoices):
    """How a school came to its tier."""

    RULE = "rule", _("Rule")
    DEFAULT = "default", _("No rule matched: default tier")
    OVERRIDE = "override", _("Override")


class TierAssignment(DistrictOwned):
    """A school's tier in a school year from one moment on: the tier history.

    Rows are only added: adopting rules adds one per school, an override one for its
    school, and the previous row of the school and year stops being current.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="tier_assignments"
    )
    school_year = models.CharField(max_length=9, validators=[validate_school_year])
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="assignments")
    source = models.CharField(max_length=10, choices=AssignmentSource)
    rule = models.ForeignKey(
        TierRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    explanation = models.TextField(
        blank=True, help_text=_("Why the rules placed the school here.")
    )
    reason = models.TextField(blank=True, help_text=_("Why the tier was overridden."))
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_current = models.BooleanField(default=True)

    class Meta:
        default_related_name = "tier_assignments"
        ordering = ["school", "-school_year", "-assigned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"],
                condition=Q(is_current=True),
                name="%(app_label)s_%(class)s_one_current_per_year",
                violation_error_message=_(
                    "The school already has a current tier for this school year."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(source=AssignmentSource.OVERRIDE) | ~Q(reason=""),
                name="%(app_label)s_%(class)s_override_has_reason",
                violation_error_message=_("Say why the tier is overridden."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=AssignmentSource.values),
                name="%(app_label)s_%(class)s_source_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["district", "school_year", "is_current"],
                name="tiers_assign_year_current",
            )
        ]

    def __str__(self):
        return f"{self.school} {self.school_year}: {self.tier}"


class SupportKind(models.TextChoices):
    CONTENT_EXPERT = "content_expert", _("Content expert")
    COACH = "coach", _("Coach")
    PROGRAMME = "programme", _("Programme")
    PARTNER = "partner", _("Partner")


class CapacityUnit(models.TextChoices):
    """What a support's capacity counts."""

    SCHOOLS = "schools", _("Schools")
    HOURS_PER_WEEK = "hours_per_week", _("Hours a week")


class Support(DistrictOwned):
    """Something the district gives schools by need, with a limited capacity."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SupportKind)
    description = models.TextField(blank=True)
    unit = models.CharField(
        max_length=20, choices=CapacityUnit, default=CapacityUnit.SCHOOLS
    )
    capacity = models.PositiveIntegerField(
        help_text=_("How much can be allocated at any one time, in the unit.")
    )

    class Meta:
        default_related_name = "supports"
        ordering = ["district", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "The district already has a support of this name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SupportKind.values)
                & Q(unit__in=CapacityUnit.values),
                name="%(app_label)s_%(class)s_choices_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # The capacity rule lives with the allocations that it limits.
        from .allocations import overcommitted_error

        error = overcommitted_error(self)
        if error:
            raise ValidationError({"capacity": error})


class Allocation(DistrictOwned):
    """A support given to one school or one school group for a period, and why.

    `amount` is in the support's unit: for a support counted in schools, the number of
    schools reached (one, or the group's schools), set by `tiers.allocations`.
    """

    support = models.ForeignKey(
        Support, on_delete=models.CASCADE, related_name="allocations"
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="allocations",
    )
    school_group = models.ForeignKey(
        SchoolGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="allocations",
    )
    amount = models.PositiveIntegerField(
        default=1,
        help_text=_(
            "In the support's unit; for supports counted in schools it is computed."
        ),
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.TextField()
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        default_related_name = "allocations"
        ordering = ["support", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, school_group__isnull=True)
                | Q(school__isnull=True, school_group__isnull=False),
                name="%(app_label)s_%(class)s_one_recipient",
                violation_error_message=_(
                    "Allocate a support to one school or one school group."
                ),
            ),
            models.CheckConstraint(
                condition=date_range_condition("starts_on", "ends_on"),
                name="%(app_label)s_%(class)s_starts_before_it_ends",
                violation_error_message=_("An allocation cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=1),
                name="%(app_label)s_%(class)s_amount_positive",
                violation_error_message=_("Allocate at least 1."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="%(app_label)s_%(class)s_has_reason",
                violation_error_message=_("Say why the support is allocated."),
            ),
        ]

    def __str__(self):
        return f"{self.support} → {self.school or self.school_group}"

    @property
    def recipient(self):
        return self.school or self.school_group

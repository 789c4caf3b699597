"""Shared goals, the metrics that measure them, their targets, and the measurements."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from district.models import DistrictOwned, DistrictQuerySet, NetworkKind, SchoolCategory
from district.write_paths import WritePathHistory

from .periods import closed_message

StrOrPromise = str | Promise  # a message, translated now or when shown

# The dates Lanes stores: school data from 1990 (before any district's data warehouse)
# to 2100 (targets decades ahead). Placeholders such as 0001-01-01 or 9999-12-31 are
# refused: they are never a real period, and a year next to Python's limits breaks
# date arithmetic (a school year ending in 10000). Model validation (so forms, the
# API and the admin), imports, the entry grid and the database all hold this range.
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
DATE_RANGE_MESSAGE = _("Dates lie between 1990-01-01 and 2100-12-31.")


def validate_date_in_range(day: datetime.date) -> None:
    """Refuse a date outside EARLIEST_DATE to LATEST_DATE."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


def date_in_range(field: str) -> models.CheckConstraint:
    """The database's form of `validate_date_in_range` for the date `field`."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__range": (EARLIEST_DATE, LATEST_DATE)}),
        name=f"%(app_label)s_%(class)s_{field}_in_range",
        violation_error_message=DATE_RANGE_MESSAGE,
    )


class Unit(models.TextChoices):
    """What a metric's values count; percent values lie between 0 and 100."""

    PERCENT = "percent", _("Percent")
    PER_100 = "per_100", _("Per 100 students")
    COUNT = "count", _("Count")
    DAYS = "days", _("Days")
    SCORE = "score", _("Score")


def unit_range_error(unit: str, value) -> StrOrPromise | None:
    """Why `value` cannot be a value in `unit`, or None when it can.

    The one rule for value ranges, used by model validation, imports, the entry grid
    and the API: a percent lies between 0 and 100; rates, counts and days are not
    negative; scores may be any number.
    """
    if value is None:
        return None
    if unit == Unit.PERCENT and not 0 <= value <= 100:
        return _("A percent lies between 0 and 100.")
    if unit in (Unit.PER_100, Unit.COUNT, Unit.DAYS) and value < 0:
        return _("This value cannot be negative.")
    return None


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    """How school values roll up to a network and the district."""

    MEAN = "mean", _("Mean of schools")
    WEIGHTED_N = "weighted_n", _("Mean weighted by denominator (n)")
    WEIGHTED_ENROLLMENT = "weighted_enrollment", _("Mean weighted by enrollment")
    SUM = "sum", _("Sum")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")


class Frequency(models.TextChoices):
    """How often a metric is measured; a value older than this allows is stale."""

    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Population(models.TextChoices):
    """Which schools a metric is about; its rollups, coverage and rankings count only them."""

    ALL = "all", _("All schools")
    CATEGORY = "category", _("Schools of one category")
    NETWORK_KIND = "network_kind", _("Schools in networks of one kind")
    SCHOOLS = "schools", _("A list of schools")


class Scope(models.TextChoices):
    """What a measurement describes: one school, one network or the whole district."""

    SCHOOL = "school", _("School")
    NETWORK = "network", _("Network")
    DISTRICT = "district", _("District")


class LockedInClosedPeriods:
    """A row dated in a reporting period: no save, change or delete in a closed period.

    Checks the date being written and the stored one (moving a row out of a closed
    period changes the closed period too), by `goals.periods.closed_message`,
    in `clean()` (forms, the admin, the API) and again in `save()` and `delete()`.
    """

    period_field: str
    pk: int | None
    district_id: int

    def refuse_if_closed(self, *, new: bool = True) -> None:
        """Refuse when the new or the stored date lies in a closed period (one query)."""
        closed = ClosedPeriod.objects.filter(
            district_id=self.district_id, reopened_at__isnull=True
        ).order_by("starts_on", "pk")
        if self.pk:
            stored = type(self)._base_manager.filter(pk=self.pk)  # type: ignore[attr-defined]
            closed = closed.annotate(
                stored=Subquery(stored.values(self.period_field)[:1])
            )
        rows = list(
            closed.values_list(
                "starts_on", "ends_on", "name", *(["stored"] if self.pk else [])
            )
        )
        if not rows:
            return
        days = {getattr(self, self.period_field)} if new else set()
        if self.pk:
            days.add(rows[0][3])
        ranges = [row[:3] for row in rows]
        for day in sorted(day for day in days if day is not None):
            message = closed_message(day, ranges)
            if message:
                if new:
                    raise ValidationError(
                        {self.period_field: message}, code="period_closed"
                    )
                raise ValidationError(message, code="period_closed")

    def clean(self):
        super().clean()
        if self.district_id and getattr(self, self.period_field):
            self.refuse_if_closed()

    def save(self, *args, **kwargs):
        self.refuse_if_closed()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_closed(new=False)
        return super().delete(*args, **kwargs)


class Goal(DistrictOwned):
    """A shared, measurable goal of the cabinet, owned by one or more roles."""

    statement = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner_roles = models.ManyToManyField(
        "roles.Role", through="GoalOwner", related_name="owned_goals", blank=True
    )
    starts_on = models.DateField(validators=[validate_date_in_range])
    ends_on = models.DateField(validators=[validate_date_in_range])
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subgoals",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_related_name = "goals"
        ordering = ["district", "sort_order", "statement", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="%(app_label)s_%(class)s_starts_before_it_ends",
                violation_error_message=_("A goal's period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message=_("A goal cannot be its own parent."),
            ),
            date_in_range("starts_on"),
            date_in_range("ends_on"),
        ]

    def __str__(self):
        return self.statement


class GoalOwner(DistrictOwned):
    """A role that owns a goal (several roles: a joint goal)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="owners")
    role = models.ForeignKey(
        "roles.Role", on_delete=models.CASCADE, related_name="goal_ownerships"
    )

    class Meta:
        default_related_name = "goal_owners"
        ordering = ["goal", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "role"],
                name="%(app_label)s_%(class)s_once_per_goal",
                violation_error_message=_("This role already owns this goal."),
            ),
        ]

    def __str__(self):
        return f"{self.role} owns {self.goal}"


class Metric(DistrictOwned):
    """A measure of a goal: unit, direction, how it rolls up, baseline and target."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="metrics")
    code = models.SlugField(
        max_length=60, help_text=_("Stable code used by imports and the API.")
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit, default=Unit.PERCENT)
    decimals = models.PositiveSmallIntegerField(default=1)
    direction = models.CharField(
        max_length=10, choices=Direction, default=Direction.HIGHER_IS_BETTER
    )
    aggregation = models.CharField(
        max_length=20, choices=Aggregation, default=Aggregation.MEAN
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency, default=Frequency.YEARLY
    )
    baseline_value = models.DecimalField(max_digits=14, decimal_places=4)
    baseline_on = models.DateField(validators=[validate_date_in_range])
    target_value = models.DecimalField(max_digits=14, decimal_places=4)
    target_on = models.DateField(validators=[validate_date_in_range])
    tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        default=0,
        help_text=_(
            "How far behind the expected value a metric may be and still count as at risk, not off track."
        ),
    )
    min_n = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Suppress values whose denominator is below this; empty uses the district's setting."
        ),
    )
    population = models.CharField(
        max_length=20,
        choices=Population,
        default=Population.ALL,
        help_text=_("Which schools the metric is about."),
    )
    population_category = models.CharField(
        max_length=2,
        choices=SchoolCategory,
        blank=True,
        help_text=_("For a population of one category: which category."),
    )
    population_network_kind = models.CharField(
        max_length=20,
        choices=NetworkKind,
        blank=True,
        help_text=_("For a population of one kind of network: which kind."),
    )
    population_schools = models.ManyToManyField(
        "district.School",
        blank=True,
        related_name="population_of",
        help_text=_("For a population of listed schools: the schools."),
    )
    coverage_threshold = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Percent of the population that must report for a complete period; empty "
            "uses the district's setting."
        ),
    )
    owner_roles = models.ManyToManyField(
        "roles.Role", through="MetricOwner", related_name="owned_metrics", blank=True
    )
    update_owner = models.ForeignKey(
        "district.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="metrics_to_update",
        help_text=_(
            "Who enters its values and commentary; empty: whoever holds its first "
            "owner role on the day."
        ),
    )
    grace_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Days after a period ends by which its update is due; empty uses the "
            "district's setting."
        ),
    )
    target_change_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "Why the final target was last eased (a less ambitious value or a later "
            "date); required for such a change."
        ),
    )
    source = models.CharField(max_length=300, blank=True)
    is_simulated = models.BooleanField(
        default=False,
        help_text=_(
            "Its values are simulated to try Lanes out, not real results; pages say so."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_related_name = "metrics"
        ordering = ["district", "goal__sort_order", "sort_order", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_(
                    "A metric with this code already exists in the district."
                ),
            ),
            models.CheckConstraint(
                condition=Q(target_on__gt=F("baseline_on")),
                name="%(app_label)s_%(class)s_target_after_baseline",
                violation_error_message=_(
                    "The target date must come after the baseline date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(decimals__lte=6),
                name="%(app_label)s_%(class)s_decimals_at_most_six",
                violation_error_message=_("Show at most 6 decimals."),
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0),
                name="%(app_label)s_%(class)s_tolerance_not_negative",
                violation_error_message=_("The tolerance cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(unit__in=Unit.values)
                & Q(direction__in=Direction.values)
                & Q(aggregation__in=Aggregation.values)
                & Q(frequency__in=Frequency.values)
                & Q(population__in=Population.values),
                name="%(app_label)s_%(class)s_choices_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    population=Population.CATEGORY,
                    population_category__in=SchoolCategory.values,
                )
                | (~Q(population=Population.CATEGORY) & Q(population_category="")),
                name="%(app_label)s_%(class)s_category_with_its_population",
                violation_error_message=_(
                    "Choose a school category for a population of one category, and only then."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    population=Population.NETWORK_KIND,
                    population_network_kind__in=NetworkKind.values,
                )
                | (
                    ~Q(population=Population.NETWORK_KIND)
                    & Q(population_network_kind="")
                ),
                name="%(app_label)s_%(class)s_network_kind_with_its_population",
                violation_error_message=_(
                    "Choose a kind of network for a population of one kind of network, and only then."
                ),
            ),
            models.CheckConstraint(
                condition=Q(coverage_threshold__isnull=True)
                | Q(coverage_threshold__gte=1, coverage_threshold__lte=100),
                name="%(app_label)s_%(class)s_coverage_threshold_percent",
                violation_error_message=_(
                    "The coverage threshold is a percent between 1 and 100."
                ),
            ),
            date_in_range("baseline_on"),
            date_in_range("target_on"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("goals:metric-detail", args=[self.district.slug, self.pk])

    def clean(self):
        super().clean()
        errors = {}
        for field in ("baseline_value", "target_value"):
            message = unit_range_error(self.unit, getattr(self, field))
            if message:
                errors[field] = message
        if errors:
            raise ValidationError(errors)
        if not self._state.adding and self.pk:
            from .targets import refuse_unexplained_easing

            stored = (
                Metric.objects.filter(pk=self.pk)
                .values("target_value", "target_on", "target_change_reason")
                .first()
            )
            if stored:
                refuse_unexplained_easing(
                    direction=self.direction,
                    before=(stored["target_value"], stored["target_on"]),
                    after=(self.target_value, self.target_on),
                    stored_reason=stored["target_change_reason"],
                    reason=self.target_change_reason,
                    field="target_change_reason",
                )

    @property
    def effective_min_n(self) -> int:
        """The denominator below which values are suppressed."""
        return self.min_n if self.min_n is not None else self.district.suppression_min_n

    @property
    def effective_coverage_threshold(self) -> int:
        """The percent of the population that must report for a complete period."""
        if self.coverage_threshold is not None:
            return self.coverage_threshold
        return self.district.coverage_threshold

    @property
    def population_label(self) -> StrOrPromise:
        """The population in words: "All schools", "High school", "District-run networks"."""
        if self.population == Population.CATEGORY:
            return SchoolCategory(self.population_category).label
        if self.population == Population.NETWORK_KIND:
            return _("Schools in %(kind)s networks") % {
                "kind": NetworkKind(self.population_network_kind).label.lower()
            }
        return Population(self.population).label


class MetricOwner(DistrictOwned):
    """A role that owns a metric."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="owners")
    role = models.ForeignKey(
        "roles.Role", on_delete=models.CASCADE, related_name="metric_ownerships"
    )

    class Meta:
        default_related_name = "metric_owners"
        ordering = ["metric", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "role"],
                name="%(app_label)s_%(class)s_once_per_metric",
                violation_error_message=_("This role already owns this metric."),
            ),
        ]

    def __str__(self):
        return f"{self.role} owns {self.metric}"


class TargetKind(models.TextChoices):
    """Which point of a trajectory a target row gives."""

    BASELINE = "baseline", _("Baseline")
    INTERIM = "interim", _("Interim target")
    FINAL = "final", _("Final target")


class Target(LockedInClosedPeriods, DistrictOwned):
    """A point of a metric's target trajectory: the value to reach by a date.

    Without a network or school group, an interim target of the district, whose
    baseline and final target are the metric's own. With a network or a school group,
    a point of that scope's own trajectory (the rules are in goals/targets.py).
    """

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="targets")
    network = models.ForeignKey(
        "district.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        help_text=_("Empty (and no school group): the district's target."),
    )
    school_group = models.ForeignKey(
        "district.SchoolGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
    )
    kind = models.CharField(
        max_length=10, choices=TargetKind, default=TargetKind.INTERIM
    )
    due_on = models.DateField(validators=[validate_date_in_range])
    value = models.DecimalField(max_digits=14, decimal_places=4)
    change_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "Why the target was last eased (a less ambitious value or a later date); "
            "required for such a change."
        ),
    )

    period_field = "due_on"

    class Meta:
        default_related_name = "targets"
        # Columns, not the related rows: ordering by a nullable foreign key joins it,
        # and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        ordering = ["metric", "network_id", "school_group_id", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "due_on"],
                condition=Q(network__isnull=True) & Q(school_group__isnull=True),
                name="%(app_label)s_%(class)s_one_per_date",
                violation_error_message=_(
                    "This metric already has a target on this date."
                ),
            ),
            models.UniqueConstraint(
                fields=["metric", "network", "due_on"],
                condition=Q(network__isnull=False),
                name="%(app_label)s_%(class)s_one_per_network_date",
                violation_error_message=_(
                    "This network already has a target for this metric on this date."
                ),
            ),
            models.UniqueConstraint(
                fields=["metric", "school_group", "due_on"],
                condition=Q(school_group__isnull=False),
                name="%(app_label)s_%(class)s_one_per_group_date",
                violation_error_message=_(
                    "This school group already has a target for this metric on this date."
                ),
            ),
            models.UniqueConstraint(
                fields=["metric", "network", "kind"],
                condition=Q(network__isnull=False) & ~Q(kind=TargetKind.INTERIM),
                name="%(app_label)s_%(class)s_one_baseline_final_per_network",
                violation_error_message=_(
                    "This network already has a target of this kind for this metric."
                ),
            ),
            models.UniqueConstraint(
                fields=["metric", "school_group", "kind"],
                condition=Q(school_group__isnull=False) & ~Q(kind=TargetKind.INTERIM),
                name="%(app_label)s_%(class)s_one_baseline_final_per_group",
                violation_error_message=_(
                    "This school group already has a target of this kind for this metric."
                ),
            ),
            models.CheckConstraint(
                condition=Q(network__isnull=True) | Q(school_group__isnull=True),
                name="%(app_label)s_%(class)s_one_scope",
                violation_error_message=_(
                    "A target belongs to the district, one network or one school group."
                ),
            ),
            # The district's baseline and final target are the metric's own fields.
            models.CheckConstraint(
                condition=Q(kind=TargetKind.INTERIM)
                | Q(network__isnull=False)
                | Q(school_group__isnull=False),
                name="%(app_label)s_%(class)s_district_points_interim",
                violation_error_message=_(
                    "The district's baseline and final target are set on the metric; "
                    "a district target row is an interim target."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TargetKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            date_in_range("due_on"),
        ]

    def __str__(self):
        scope = self.network or self.school_group
        where = f" ({scope})" if scope else ""
        return f"{self.metric}{where}: {self.value} by {self.due_on}"

    def clean(self):
        # The metric, network and school group stay in the target's district.
        super().clean()
        if not self.metric_id:
            return
        message = unit_range_error(self.metric.unit, self.value)
        if message:
            raise ValidationError({"value": message})
        if self.due_on and self.kind in TargetKind.values:
            self.clean_dates()
        if self.pk and self.kind != TargetKind.BASELINE:
            from .targets import refuse_unexplained_easing

            stored = (
                Target.objects.filter(pk=self.pk)
                .values("value", "due_on", "change_reason")
                .first()
            )
            if stored:
                refuse_unexplained_easing(
                    direction=self.metric.direction,
                    before=(stored["value"], stored["due_on"]),
                    after=(self.value, self.due_on),
                    stored_reason=stored["change_reason"],
                    reason=self.change_reason,
                    field="change_reason",
                )

    def clean_dates(self):
        """The scope's baseline comes first, its final target last, interims between."""
        siblings = Target.objects.filter(
            metric_id=self.metric_id,
            network_id=self.network_id,
            school_group_id=self.school_group_id,
        ).exclude(pk=self.pk)
        points = [(t.kind, t.due_on) for t in siblings] + [(self.kind, self.due_on)]
        start = next(
            (on for kind, on in points if kind == TargetKind.BASELINE),
            self.metric.baseline_on,
        )
        end = next(
            (on for kind, on in points if kind == TargetKind.FINAL),
            self.metric.target_on,
        )
        if not start < end:
            raise ValidationError(
                {"due_on": _("A final target's date must come after its baseline's.")}
            )
        # An interim is checked when written, and again when its baseline or final
        # target moves.
        checked = points if self.kind != TargetKind.INTERIM else points[-1:]
        if any(
            kind == TargetKind.INTERIM and not start < on < end for kind, on in checked
        ):
            raise ValidationError(
                {
                    "due_on": _(
                        "An interim target falls between the baseline and final target dates."
                    )
                }
            )


class Measurement(LockedInClosedPeriods, DistrictOwned):
    """One value of a metric for one period and exactly one scope: a school, a network or the district."""

    # FK indexes are declared in Meta.indexes: composite or partial, fit to the reads.
    district = models.ForeignKey(
        "district.District",
        on_delete=models.CASCADE,
        related_name="measurements",
        db_index=False,
    )
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="measurements", db_index=False
    )
    period_end = models.DateField(
        help_text=_("Last day of the period measured."),
        validators=[validate_date_in_range],
    )
    scope = models.CharField(max_length=10, choices=Scope, default=Scope.SCHOOL)
    school = models.ForeignKey(
        "district.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
        db_index=False,
    )
    network = models.ForeignKey(
        "district.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
        db_index=False,
    )
    value = models.DecimalField(max_digits=14, decimal_places=4)
    n = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Denominator: how many students or staff the value describes."),
    )
    source = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    period_field = "period_end"

    # The value history page reads a district's (or one metric's) changes newest
    # first, a page at a time by history id, and shows each change's write path.
    history_bases = (WritePathHistory,)
    history_indexes = (
        models.Index(
            fields=["district", "-history_id"], name="goals_hmeas_district_hid"
        ),
        models.Index(fields=["metric", "-history_id"], name="goals_hmeas_metric_hid"),
    )

    class Meta:
        ordering = ["metric", "period_end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope=Scope.SCHOOL)
                    & Q(school__isnull=False)
                    & Q(network__isnull=True)
                )
                | (
                    Q(scope=Scope.NETWORK)
                    & Q(school__isnull=True)
                    & Q(network__isnull=False)
                )
                | (
                    Q(scope=Scope.DISTRICT)
                    & Q(school__isnull=True)
                    & Q(network__isnull=True)
                ),
                name="%(app_label)s_%(class)s_exactly_one_scope",
                violation_error_message=_(
                    "A measurement describes exactly one school, one network or the whole district."
                ),
            ),
            models.UniqueConstraint(
                fields=["metric", "school", "period_end"],
                condition=Q(scope=Scope.SCHOOL),
                name="%(app_label)s_%(class)s_one_per_school_period",
                violation_error_message=_(
                    "This school already has a value for this metric and period."
                ),
            ),
            models.UniqueConstraint(
                fields=["metric", "network", "period_end"],
                condition=Q(scope=Scope.NETWORK),
                name="%(app_label)s_%(class)s_one_per_network_period",
                violation_error_message=_(
                    "This network already has a value for this metric and period."
                ),
            ),
            models.UniqueConstraint(
                fields=["metric", "period_end"],
                condition=Q(scope=Scope.DISTRICT),
                name="%(app_label)s_%(class)s_one_per_district_period",
                violation_error_message=_(
                    "The district already has a value for this metric and period."
                ),
            ),
            date_in_range("period_end"),
        ]
        indexes = [
            # Rollups and charts read one metric over periods, by scope.
            models.Index(
                fields=["metric", "scope", "period_end"],
                name="goals_meas_metric_scope_period",
            ),
            # Incremental sync (updated_since) and the data version of conditional GET;
            # also the index of the district foreign key.
            models.Index(
                fields=["district", "updated_at", "id"],
                name="goals_meas_district_updated",
            ),
            # API lists page by id: one metric's or one school's values in id order
            # without scanning the whole table (docs/benchmarks.md). Also the indexes
            # of these foreign keys.
            models.Index(fields=["metric", "id"], name="goals_meas_metric_id"),
            models.Index(fields=["school", "id"], name="goals_meas_school_id"),
            # Most rows have neither: index only the rows that do (foreign keys).
            models.Index(
                fields=["network"],
                condition=Q(network__isnull=False),
                name="goals_meas_network",
            ),
            models.Index(
                fields=["entered_by"],
                condition=Q(entered_by__isnull=False),
                name="goals_meas_entered_by",
            ),
        ]

    def __str__(self):
        # Without the value: this name shows where viewers read it (the API's
        # `display`, admin titles and history), and a value may be suppressed for them.
        if self.school_id:
            place = self.school
        elif self.network_id:
            place = self.network
        else:
            place = _("District")
        return f"{self.metric}, {place}, {self.period_end}"

    def clean(self):
        super().clean()
        if self.metric_id:
            message = unit_range_error(self.metric.unit, self.value)
            if message:
                raise ValidationError({"value": message})

    @property
    def effective_min_n(self) -> int:
        """The denominator below which this value is suppressed (`Metric.effective_min_n`).

        Read through the measurement's own district, the metric's too, so a list
        that loads each row's metric and district reads it without a query.
        """
        if self.metric.min_n is not None:
            return self.metric.min_n
        return self.district.suppression_min_n

    @property
    def scope_object(self):
        return self.school or self.network or self.district


def school_year_end(label: str) -> datetime.date:
    """The last day (30 June) of a school year written "2014-15" or "2014-2015"."""
    first, _sep, second = label.strip().partition("-")
    start = int(first)
    if len(first) != 4 or not second.isdigit():
        raise ValueError(label)
    end = int(second) if len(second) == 4 else (start + 1)
    if end != start + 1 or (len(second) == 2 and int(second) != (start + 1) % 100):
        raise ValueError(label)
    return datetime.date(end, 6, 30)


class ResponsibilityLink(DistrictOwned):
    """A matrix row linked to a goal or a metric it serves (one of the two)."""

    responsibility = models.ForeignKey(
        "roles.Responsibility", on_delete=models.CASCADE, related_name="goal_links"
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibility_links",
    )
    metric = models.ForeignKey(
        Metric,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibility_links",
    )

    class Meta:
        default_related_name = "responsibility_links"
        ordering = ["responsibility", "goal", "metric", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(goal__isnull=False) & Q(metric__isnull=True))
                | (Q(goal__isnull=True) & Q(metric__isnull=False)),
                name="%(app_label)s_%(class)s_goal_or_metric",
                violation_error_message=_(
                    "Link the responsibility to a goal or to a metric, not both."
                ),
            ),
            models.UniqueConstraint(
                fields=["responsibility", "goal"],
                condition=Q(goal__isnull=False),
                name="%(app_label)s_%(class)s_once_per_goal",
                violation_error_message=_(
                    "This responsibility is already linked to this goal."
                ),
            ),
            models.UniqueConstraint(
                fields=["responsibility", "metric"],
                condition=Q(metric__isnull=False),
                name="%(app_label)s_%(class)s_once_per_metric",
                violation_error_message=_(
                    "This responsibility is already linked to this metric."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.responsibility} serves {self.goal or self.metric}"


class Rollup(models.Model):
    """A metric's value for one network (or the district) and one period, computed.

    Derived data, never edited by people: `goals.rollups.refresh_rollups` writes it
    from the school values (the rules are in goals/rollups.py), in the same transaction
    as every change that alters it, so pages read the stored rows they show instead of
    aggregating every school value per request. No history: an audit trail of
    a computation would repeat the history of the values it is computed from.
    """

    district = models.ForeignKey(
        "district.District", on_delete=models.CASCADE, related_name="rollups"
    )
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="rollups", db_index=False
    )
    network = models.ForeignKey(
        "district.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rollups",
        db_index=False,
        help_text=_("Empty: the district."),
    )
    period_end = models.DateField()
    # Sums of school values may exceed a school value's 10 digits before the point.
    value = models.DecimalField(max_digits=24, decimal_places=4)
    n = models.BigIntegerField(
        null=True, blank=True, help_text=_("Total denominator of the school values.")
    )
    schools_reporting = models.PositiveIntegerField(
        help_text=_("Units whose values went into the value (not suppressed).")
    )
    reported = models.PositiveIntegerField(
        default=0,
        help_text=_(
            "Units of the metric's population with a value, suppressed or not."
        ),
    )
    expected = models.PositiveIntegerField(
        default=0, help_text=_("Units of the metric's population in this scope.")
    )
    from_networks = models.BooleanField(
        default=False,
        help_text=_(
            "Rolled up from values entered for networks (no school values that period): "
            "units are networks, not schools."
        ),
    )

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["metric", "network", "period_end", "pk"]
        constraints = [
            # Also the index of a network's series and of the network foreign key.
            models.UniqueConstraint(
                fields=["network", "metric", "period_end"],
                condition=Q(network__isnull=False),
                name="%(app_label)s_%(class)s_one_per_network_period",
            ),
            # Also the index of the district's series.
            models.UniqueConstraint(
                fields=["metric", "period_end"],
                condition=Q(network__isnull=True),
                name="%(app_label)s_%(class)s_one_per_district_period",
            ),
            models.CheckConstraint(
                condition=Q(schools_reporting__gt=0),
                name="%(app_label)s_%(class)s_some_school_reports",
            ),
        ]
        indexes = [
            # One metric's rows of every network (metric page), the rows a refresh
            # replaces (metric, period), and the metric foreign key.
            models.Index(
                fields=["metric", "period_end"], name="goals_rollup_metric_period"
            ),
        ]

    def __str__(self):
        scope = self.network or _("District")
        return f"{self.metric} {scope} {self.period_end}: {self.value}"


class ClosedPeriod(DistrictOwned):
    """Dates whose values, commentary and targets stay as reported, until reopened."""

    name = models.CharField(
        max_length=200, help_text=_("What closed it, such as the board meeting.")
    )
    starts_on = models.DateField(validators=[validate_date_in_range])
    ends_on = models.DateField(validators=[validate_date_in_range])
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.TextField(
        blank=True, help_text=_("Why it was reopened; required to reopen.")
    )

    class Meta:
        default_related_name = "closed_periods"
        ordering = ["district", "-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_starts_before_it_ends",
                violation_error_message=_(
                    "A closed period cannot end before it starts."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="%(app_label)s_%(class)s_reopened_with_reason",
                violation_error_message=_("Give a reason to reopen a closed period."),
            ),
            date_in_range("starts_on"),
            date_in_range("ends_on"),
        ]

    def __str__(self):
        return f"{self.name} ({self.starts_on} to {self.ends_on})"

    @property
    def is_closed(self) -> bool:
        return self.reopened_at is None

    def clean(self):
        super().clean()
        if self._state.adding or not self.pk:
            return
        stored = ClosedPeriod.objects.filter(pk=self.pk).first()
        if stored is None:
            return
        if (stored.starts_on, stored.ends_on) != (self.starts_on, self.ends_on):
            raise ValidationError(
                _(
                    "A closed period's dates cannot change: reopen it with a reason, "
                    "then close the dates wanted."
                )
            )
        if stored.reopened_at is not None and self.reopened_at is None:
            raise ValidationError(
                _("A reopened period stays reopened: close its dates again instead.")
            )

    def reopen(self, *, reason: str, acting_user) -> None:
        """Reopen the period, recording why and by whom (a ValidationError without reason)."""
        if not reason.strip():
            raise ValidationError(
                {"reopen_reason": _("Give a reason to reopen a closed period.")}
            )
        self.reopen_reason = reason.strip()
        self.reopened_at = timezone.now()
        self.reopened_by = acting_user if getattr(acting_user, "pk", None) else None
        self._history_user = self.reopened_by
        self.full_clean()
        self.save()


class Commentary(LockedInClosedPeriods, DistrictOwned):
    """The owner's account of a metric's number for one period: what is behind it, what is next."""

    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="commentaries"
    )
    network = models.ForeignKey(
        "district.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="commentaries",
        help_text=_("Empty: the district's number."),
    )
    period_end = models.DateField(validators=[validate_date_in_range])
    behind_the_number = models.TextField(
        help_text=_("What is behind the number this period.")
    )
    next_steps = models.TextField(blank=True)
    written_at = models.DateTimeField(auto_now_add=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    period_field = "period_end"

    class Meta:
        default_related_name = "commentaries"
        verbose_name_plural = "commentaries"
        ordering = ["metric", "network_id", "-period_end", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "period_end"],
                condition=Q(network__isnull=True),
                name="%(app_label)s_%(class)s_one_per_district_period",
                violation_error_message=_(
                    "This metric already has the district's commentary for this period."
                ),
            ),
            models.UniqueConstraint(
                fields=["metric", "network", "period_end"],
                condition=Q(network__isnull=False),
                name="%(app_label)s_%(class)s_one_per_network_period",
                violation_error_message=_(
                    "This network already has commentary on this metric for this period."
                ),
            ),
            date_in_range("period_end"),
        ]

    def __str__(self):
        place = self.network or _("District")
        return f"{self.metric}, {place}, {self.period_end}"

"""Cabinet roles, the people who hold them, and the ownership matrix (who owns what)."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from district.models import DistrictOwned, date_range_condition


class RoleKind(models.TextChoices):
    """Kinds of role; the matrix shows cabinet roles first, then network chiefs, then others."""

    CABINET = "cabinet", _("Cabinet")
    NETWORK_CHIEF = "network_chief", _("Network chief")
    OTHER = "other", _("Other")


class RaciLevel(models.TextChoices):
    """A role's level on a responsibility."""

    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class Role(DistrictOwned):
    """A position in the district's leadership (CAO, CSO, CTO, a network chief)."""

    code = models.CharField(
        max_length=20, help_text=_("Short code such as CAO or CSO.")
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RoleKind, default=RoleKind.CABINET)
    reports_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_related_name = "roles"
        # kind's stored values sort cabinet < network_chief < other: the matrix's column order.
        ordering = ["district", "kind", "sort_order", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_(
                    "A role with this code already exists in the district."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RoleKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reports_to=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_manager",
                violation_error_message=_("A role cannot report to itself."),
            ),
        ]

    def __str__(self):
        return self.code


class RoleAssignment(DistrictOwned):
    """A person holding a role from one date to another (or still), possibly acting."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        "district.Person", on_delete=models.CASCADE, related_name="assignments"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    is_acting = models.BooleanField(default=False)

    class Meta:
        default_related_name = "role_assignments"
        ordering = ["district", "role", "-started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=date_range_condition("started_on", "ended_on"),
                name="%(app_label)s_%(class)s_start_date_before_end_date",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]

    def __str__(self):
        acting = " (acting)" if self.is_acting else ""
        return f"{self.person} as {self.role}{acting}"


class WorkArea(DistrictOwned):
    """A group of responsibilities (planning, curriculum, systems) shown together in the matrix."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_related_name = "work_areas"
        ordering = ["district", "sort_order", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "A work area with this name already exists in the district."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class Responsibility(DistrictOwned):
    """A row of the matrix: one piece of work that some roles own; declared joint or not."""

    work_area = models.ForeignKey(
        WorkArea, on_delete=models.PROTECT, related_name="responsibilities"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_joint = models.BooleanField(
        default=False,
        help_text=_(
            "Declared joint work: several roles are accountable together by agreement."
        ),
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        default_related_name = "responsibilities"
        ordering = [
            "district",
            "work_area__sort_order",
            "work_area__name",
            "sort_order",
            "name",
            "pk",
        ]
        verbose_name_plural = "responsibilities"
        constraints = [
            models.UniqueConstraint(
                fields=["work_area", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "A responsibility with this name already exists in the work area."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        matrix = reverse("roles:matrix", kwargs={"slug": self.district.slug})
        return f"{matrix}#row-{self.pk}"


class Ownership(DistrictOwned):
    """One matrix cell: a role's RACI level on one responsibility."""

    responsibility = models.ForeignKey(
        Responsibility, on_delete=models.CASCADE, related_name="ownerships"
    )
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="ownerships")
    level = models.CharField(max_length=1, choices=RaciLevel)

    class Meta:
        default_related_name = "ownerships"
        ordering = ["responsibility", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["responsibility", "role"],
                name="%(app_label)s_%(class)s_one_per_role",
                violation_error_message=_(
                    "This role already has a level on this responsibility."
                ),
            ),
            models.CheckConstraint(
                condition=Q(level__in=RaciLevel.values),
                name="%(app_label)s_%(class)s_level_valid",
                violation_error_message=_("The level must be R, A, C or I."),
            ),
        ]

    def __str__(self):
        return f"{self.role}: {self.level} on {self.responsibility}"

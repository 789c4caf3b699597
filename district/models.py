"""The tenant (District), its schools and networks, its staff, and who may see it."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .deletion import remove_dependents


class AccessLevel(models.TextChoices):
    """What a member may do in a district; each level includes the ones before it."""

    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Admin")


# Levels that include each level: an admin can do what an editor can.
LEVELS_AT_LEAST = {
    AccessLevel.VIEWER: [AccessLevel.VIEWER, AccessLevel.EDITOR, AccessLevel.ADMIN],
    AccessLevel.EDITOR: [AccessLevel.EDITOR, AccessLevel.ADMIN],
    AccessLevel.ADMIN: [AccessLevel.ADMIN],
}


class DistrictQuerySet(models.QuerySet):
    """The one scoping mechanism: rows of the districts a user belongs to.

    Every page, API view and admin fetches tenant-owned rows through `visible_to`
    (read) or `editable_by` (write). Filters by subquery, not join: a join over
    memberships would duplicate rows.
    """

    def delete(self):
        # The rows hanging on these in bulk first (district/deletion.py).
        with transaction.atomic(savepoint=False):
            remove_dependents(self.model, list(self.values_list("pk", flat=True)))
            return super().delete()

    def _district_field(self) -> str:
        return "pk" if self.model is District else "district"

    def with_access(self, user, level: AccessLevel):
        """Rows in districts where `user` has at least `level`; every row for superusers."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        districts = Membership.objects.filter(
            user=user, access_level__in=LEVELS_AT_LEAST[level]
        ).values("district")
        return self.filter(**{f"{self._district_field()}__in": districts})

    def visible_to(self, user):
        """Rows `user` may read: any membership, or superuser."""
        return self.with_access(user, AccessLevel.VIEWER)

    def editable_by(self, user):
        """Rows `user` may change: editor or admin membership, or superuser."""
        return self.with_access(user, AccessLevel.EDITOR)

    def administered_by(self, user):
        """Rows `user` may administer (members, tokens): admin membership, or superuser."""
        return self.with_access(user, AccessLevel.ADMIN)


class Tracked(models.Model):
    """Change tracking shared by every editable table: last change time and a version.

    `version` grows by one on every save, so a client holding an older version can be
    told its copy is stale (matrix cells, API If-Match).
    """

    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Who the next save's history record names (django-simple-history reads it).
    _history_user: Any

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        # One transaction with what the save's signals write (goals' stored rollups).
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # The rows hanging on this one in bulk first (district/deletion.py).
        with transaction.atomic(savepoint=False):
            remove_dependents(type(self), [self.pk])
            return super().delete(*args, **kwargs)


class District(Tracked):
    """A school district: the tenant that owns every other row."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    suppression_min_n = models.PositiveIntegerField(
        default=10,
        help_text=_(
            "Values with a denominator below this are suppressed, unless a metric says otherwise."
        ),
    )
    public_min_n = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "On public pages and board packets, values with a denominator below this "
            "are suppressed; empty uses the suppression minimum n. Never lower than it."
        ),
    )
    coverage_threshold = models.PositiveSmallIntegerField(
        default=80,
        help_text=_(
            "Percent of a metric's schools that must report before a period counts as "
            "complete; below it the period is partial. A metric may set its own."
        ),
    )
    overload_ratio = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        help_text=_(
            "A role is overloaded when it is accountable for more than this many times "
            "the average number of rows per accountable role."
        ),
    )

    grace_days = models.PositiveSmallIntegerField(
        default=3,
        help_text=_(
            "Days after a period ends by which its values and commentary are due; a "
            "metric may set its own."
        ),
    )
    escalation_days = models.PositiveSmallIntegerField(
        default=7,
        help_text=_(
            "Days overdue after which a reminder also goes to the holder of the "
            "accountable role."
        ),
    )
    reminders_per_week = models.PositiveSmallIntegerField(
        default=3,
        help_text=_("At most this many reminder mails per person in seven days."),
    )

    history = HistoricalRecords()
    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overload_ratio__gt=1),
                name="%(app_label)s_%(class)s_overload_ratio_above_one",
                violation_error_message=_("The overload ratio must be greater than 1."),
            ),
            models.CheckConstraint(
                condition=Q(coverage_threshold__gte=1, coverage_threshold__lte=100),
                name="%(app_label)s_%(class)s_coverage_threshold_percent",
                violation_error_message=_(
                    "The coverage threshold is a percent between 1 and 100."
                ),
            ),
            models.CheckConstraint(
                condition=Q(public_min_n__isnull=True)
                | Q(public_min_n__gte=F("suppression_min_n")),
                name="%(app_label)s_%(class)s_public_min_n_not_below_internal",
                violation_error_message=_(
                    "The public minimum n cannot be lower than the suppression minimum n."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("district:home")

    def clean(self):
        super().clean()
        if (
            self.public_min_n is not None
            and self.suppression_min_n is not None
            and self.public_min_n < self.suppression_min_n
        ):
            raise ValidationError(
                {
                    "public_min_n": _(
                        "The public minimum n cannot be lower than the suppression "
                        "minimum n (%(min_n)s)."
                    )
                    % {"min_n": self.suppression_min_n}
                }
            )

    @property
    def effective_public_min_n(self) -> int:
        """The denominator below which public pages and packets suppress a value."""
        return max(self.public_min_n or 0, self.suppression_min_n)


class DistrictHistory(HistoricalRecords):
    """The history of district-owned rows, one history model per model.

    A model may give its history model more fields, with abstract models in
    `history_bases`, and indexes, in `history_indexes`.
    """

    def create_history_model(self, model, inherited):
        extra = tuple(getattr(model, "history_bases", ()))
        if not extra:
            return super().create_history_model(model, inherited)
        # One instance serves every inheriting model: restore its bases after.
        bases = self.bases
        self.bases = (bases[0], *extra, *bases[1:])
        try:
            return super().create_history_model(model, inherited)
        finally:
            self.bases = bases

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        indexes = [index.clone() for index in getattr(model, "history_indexes", ())]
        if indexes:
            options["indexes"] = [*options.get("indexes", ()), *indexes]
        return options


class DistrictOwned(Tracked):
    """A row that belongs to one district: its tenant key, history and scoped manager.

    Every foreign key to another district-owned row must stay inside the row's
    district: Django has no composite foreign keys, so `clean()` checks each one, and
    `full_clean()` (forms, the admin, the API serializers, importers) refuses a row
    that links across districts. Each model names the district's reverse accessor in
    `Meta.default_related_name`.
    """

    district = models.ForeignKey("district.District", on_delete=models.CASCADE)

    history = DistrictHistory(inherit=True)
    objects = DistrictQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        errors = {
            field.name: _("%(field)s must belong to the %(model)s's district.")
            % {
                "field": capfirst(field.verbose_name),
                "model": self._meta.verbose_name,
            }
            for field in self._meta.concrete_fields
            if field.many_to_one
            and field.name != "district"
            and isinstance(field.related_model, type)
            and issubclass(field.related_model, DistrictOwned)
            and getattr(self, field.attname) is not None
            and getattr(self, field.name).district_id != self.district_id
        }
        if errors:
            raise ValidationError(errors)


NOT_A_MEMBER = _("No member of this district has this username.")


class Person(DistrictOwned):
    """A member of the district's staff, who may hold roles; optionally a Lanes user."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )

    class Meta:
        default_related_name = "people"
        ordering = ["district", "name", "pk"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["district", "user"],
                condition=Q(user__isnull=False),
                name="%(app_label)s_%(class)s_one_per_user",
                violation_error_message=_(
                    "This user is already a person in this district."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # A person is linked only to a member of the district, with one message for an
        # unknown username and an account outside it: creating a person reveals
        # nothing about other accounts. A link made while the user was a member stays
        # editable after they leave.
        if (
            self.user_id
            and not Membership.objects.filter(
                district_id=self.district_id, user_id=self.user_id
            ).exists()
            and not (
                not self._state.adding
                and Person.objects.filter(pk=self.pk, user_id=self.user_id).exists()
            )
        ):
            raise ValidationError({"user": NOT_A_MEMBER})


class NetworkKind(models.TextChoices):
    """Who runs a network's schools: the district itself, or others under an agreement."""

    DISTRICT_RUN = "district_run", _("District-run")
    CHARTER = "charter", _("Charter")
    CONTRACT = "contract", _("Contract")
    OPTIONS = "options", _("Options (alternative schools)")


class Network(DistrictOwned):
    """A group of schools under one network chief; geographic or not (options, charter)."""

    name = models.CharField(max_length=100)
    is_geographic = models.BooleanField(default=True)
    kind = models.CharField(
        max_length=20, choices=NetworkKind, default=NetworkKind.DISTRICT_RUN
    )
    chief = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="networks_led",
    )

    class Meta:
        default_related_name = "networks"
        ordering = ["district", "-is_geographic", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "A network with this name already exists in the district."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NetworkKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name


class SchoolCategory(models.TextChoices):
    ELEMENTARY = "ES", _("Elementary school")
    MIDDLE = "MS", _("Middle school")
    HIGH = "HS", _("High school")
    OTHER = "OT", _("Other")


class School(DistrictOwned):
    """A school, identified by the district's own school id."""

    school_id = models.CharField(
        max_length=30, help_text=_("The district's own school id.")
    )
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=100, blank=True)
    category = models.CharField(
        max_length=2, choices=SchoolCategory, default=SchoolCategory.OTHER
    )
    grades = models.CharField(max_length=30, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    network = models.ForeignKey(
        Network,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schools",
    )
    performance_rating = models.CharField(max_length=40, blank=True)

    class Meta:
        default_related_name = "schools"
        ordering = ["district", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "school_id"],
                name="%(app_label)s_%(class)s_unique_school_id",
                violation_error_message=_(
                    "A school with this id already exists in the district."
                ),
            ),
            models.CheckConstraint(
                condition=Q(category__in=SchoolCategory.values),
                name="%(app_label)s_%(class)s_category_valid",
            ),
        ]
        indexes = [models.Index(fields=["district", "network"])]

    def __str__(self):
        return self.name


class Membership(DistrictOwned):
    """A user's access to one district: viewer, editor or admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    access_level = models.CharField(
        max_length=10, choices=AccessLevel, default=AccessLevel.VIEWER
    )

    class Meta:
        default_related_name = "memberships"
        ordering = ["district", "user__username", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "user"],
                name="%(app_label)s_%(class)s_one_per_user",
                violation_error_message=_(
                    "This user is already a member of this district."
                ),
            ),
            models.CheckConstraint(
                condition=Q(access_level__in=AccessLevel.values),
                name="%(app_label)s_%(class)s_access_level_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.district} ({self.get_access_level_display()})"


def date_range_condition(start: str, end: str) -> Q:
    """A check-constraint condition: `end` is empty or not before `start`."""
    return Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)})


class SchoolGroup(DistrictOwned):
    """A named group of a district's schools, such as a tier or a cohort, across networks."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    schools = models.ManyToManyField(
        School, through="SchoolGroupMember", related_name="school_groups", blank=True
    )

    class Meta:
        default_related_name = "school_groups"
        ordering = ["district", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_(
                    "A school group with this name already exists in the district."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class SchoolGroupMember(DistrictOwned):
    """A school's place in a school group."""

    group = models.ForeignKey(
        SchoolGroup, on_delete=models.CASCADE, related_name="members"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="group_memberships"
    )

    class Meta:
        default_related_name = "school_group_members"
        ordering = ["group", "school", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "school"],
                name="%(app_label)s_%(class)s_once_per_group",
                violation_error_message=_("This school is already in this group."),
            ),
        ]

    def __str__(self):
        return f"{self.school} in {self.group}"


class Principal(DistrictOwned):
    """A person leading a school as its principal from one date to another (or still).

    An acting principal may stand in beside or between appointed ones; two appointed
    (not acting) terms of one school never overlap (`clean`).
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="principals"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="principalships"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text=_("Empty: still the principal.")
    )
    is_acting = models.BooleanField(default=False)

    class Meta:
        default_related_name = "principals"
        ordering = ["school", "-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=date_range_condition("starts_on", "ends_on"),
                name="%(app_label)s_%(class)s_starts_before_it_ends",
                violation_error_message=_(
                    "A principal's term cannot end before it starts."
                ),
            ),
        ]
        indexes = [models.Index(fields=["school", "starts_on"])]

    def __str__(self):
        acting = _(" (acting)") if self.is_acting else ""
        return f"{self.person} at {self.school}{acting}"

    def clean(self):
        super().clean()
        if self.is_acting or not self.school_id or not self.starts_on:
            return
        if self.ends_on is not None and self.ends_on < self.starts_on:
            return  # the check constraint's message says it
        overlapping = Principal.objects.filter(
            school_id=self.school_id, is_acting=False
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on))
        if self.ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=self.ends_on)
        clash = overlapping.exclude(pk=self.pk).select_related("person").first()
        if clash is not None:
            raise ValidationError(
                {
                    "starts_on": _(
                        "%(person)s is this school's principal from %(start)s; "
                        "two appointed terms cannot overlap. End that term first, "
                        "or mark this one acting."
                    )
                    % {"person": clash.person, "start": clash.starts_on.isoformat()}
                }
            )


def principal_on(day) -> Q:
    """Principal terms running on `day` (a filter on Principal)."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def principals_on(schools, day) -> dict[int, Principal]:
    """Each of `schools`' principal on `day` (school id -> term; one query).

    An appointed principal comes before an acting one; of two, the later start.
    """
    terms = (
        Principal.objects.filter(principal_on(day), school__in=schools)
        .select_related("person")
        .order_by("school_id", "is_acting", "-starts_on", "-pk")
    )
    found: dict[int, Principal] = {}
    for term in terms:
        found.setdefault(term.school_id, term)
    return found


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """Work that outlasts a request, run by the task worker, with its progress.

    Operational, not the district's data: never exported or restored, no history. Its
    steps and their count are the job's own (schools deleted, districts refreshed).
    """

    district = models.ForeignKey(
        "district.District", on_delete=models.CASCADE, related_name="jobs"
    )
    description = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=JobStatus, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=1, help_text=_("Steps in all."))
    done = models.PositiveIntegerField(default=0, help_text=_("Steps done."))
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")),
                name="%(app_label)s_%(class)s_done_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.description} ({self.get_status_display()}, {self.done}/{self.total})"

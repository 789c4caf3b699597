"""One factory per model; every object graph stays inside one district."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from decisions.models import (
    ChecklistItem,
    Decision,
    DecisionKind,
    DecisionPolicy,
    DecisionState,
    Review,
    ReviewCheck,
    Transition,
)
from district.models import (
    AccessLevel,
    District,
    Job,
    Membership,
    Network,
    Person,
    School,
    SchoolGroup,
    SchoolGroupMember,
)
from goals.models import (
    ClosedPeriod,
    Commentary,
    Goal,
    GoalOwner,
    Measurement,
    Metric,
    MetricOwner,
    Rollup,
    Scope,
    Target,
)
from rhythm.models import Reminder, ReminderKind
from roles.models import (
    Ownership,
    RaciLevel,
    Responsibility,
    Role,
    RoleAssignment,
    RoleKind,
    WorkArea,
)

SAME_DISTRICT = factory.SelfAttribute("..district")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    district = factory.SubFactory(DistrictFactory)
    user = factory.SubFactory(UserFactory)
    access_level = AccessLevel.VIEWER


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Person {n}")


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = Network

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Network {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    school_id = factory.Sequence(lambda n: f"{400000 + n}")
    name = factory.Sequence(lambda n: f"School {n}")
    network = factory.SubFactory(NetworkFactory, district=SAME_DISTRICT)
    enrollment = 500


class SchoolGroupFactory(DjangoModelFactory):
    class Meta:
        model = SchoolGroup

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class SchoolGroupMemberFactory(DjangoModelFactory):
    class Meta:
        model = SchoolGroupMember

    district = factory.SubFactory(DistrictFactory)
    group = factory.SubFactory(SchoolGroupFactory, district=SAME_DISTRICT)
    school = factory.SubFactory(SchoolFactory, district=SAME_DISTRICT)


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"R{n}")
    title = factory.LazyAttribute(lambda r: f"Chief {r.code}")
    kind = RoleKind.CABINET


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    district = factory.SubFactory(DistrictFactory)
    role = factory.SubFactory(RoleFactory, district=SAME_DISTRICT)
    person = factory.SubFactory(PersonFactory, district=SAME_DISTRICT)
    started_on = datetime.date(2020, 7, 1)


class WorkAreaFactory(DjangoModelFactory):
    class Meta:
        model = WorkArea

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Work area {n}")


class ResponsibilityFactory(DjangoModelFactory):
    class Meta:
        model = Responsibility

    district = factory.SubFactory(DistrictFactory)
    work_area = factory.SubFactory(WorkAreaFactory, district=SAME_DISTRICT)
    name = factory.Sequence(lambda n: f"Responsibility {n}")


class OwnershipFactory(DjangoModelFactory):
    class Meta:
        model = Ownership

    district = factory.SubFactory(DistrictFactory)
    responsibility = factory.SubFactory(ResponsibilityFactory, district=SAME_DISTRICT)
    role = factory.SubFactory(RoleFactory, district=SAME_DISTRICT)
    level = RaciLevel.ACCOUNTABLE


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = Goal

    district = factory.SubFactory(DistrictFactory)
    statement = factory.Sequence(lambda n: f"Goal {n}")
    starts_on = datetime.date(2014, 7, 1)
    ends_on = datetime.date(2019, 6, 30)


class GoalOwnerFactory(DjangoModelFactory):
    class Meta:
        model = GoalOwner

    district = factory.SubFactory(DistrictFactory)
    goal = factory.SubFactory(GoalFactory, district=SAME_DISTRICT)
    role = factory.SubFactory(RoleFactory, district=SAME_DISTRICT)


class MetricFactory(DjangoModelFactory):
    class Meta:
        model = Metric

    district = factory.SubFactory(DistrictFactory)
    goal = factory.SubFactory(GoalFactory, district=SAME_DISTRICT)
    code = factory.Sequence(lambda n: f"metric_{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    baseline_value = Decimal("80")
    baseline_on = datetime.date(2015, 6, 30)
    target_value = Decimal("90")
    target_on = datetime.date(2019, 6, 30)
    tolerance = Decimal("2")


class MetricOwnerFactory(DjangoModelFactory):
    class Meta:
        model = MetricOwner

    district = factory.SubFactory(DistrictFactory)
    metric = factory.SubFactory(MetricFactory, district=SAME_DISTRICT)
    role = factory.SubFactory(RoleFactory, district=SAME_DISTRICT)


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    district = factory.SubFactory(DistrictFactory)
    metric = factory.SubFactory(MetricFactory, district=SAME_DISTRICT)
    due_on = datetime.date(2017, 6, 30)
    value = Decimal("85")


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    district = factory.SubFactory(DistrictFactory)
    metric = factory.SubFactory(MetricFactory, district=SAME_DISTRICT)
    period_end = datetime.date(2016, 6, 30)
    scope = Scope.SCHOOL
    school = factory.SubFactory(SchoolFactory, district=SAME_DISTRICT)
    value = Decimal("85")


class RollupFactory(DjangoModelFactory):
    """A stored rollup row; real ones come from `goals.rollups.refresh_rollups`."""

    class Meta:
        model = Rollup

    district = factory.SubFactory(DistrictFactory)
    metric = factory.SubFactory(MetricFactory, district=SAME_DISTRICT)
    period_end = datetime.date(2016, 6, 30)
    value = Decimal("85")
    n = 100
    schools_reporting = 1


class CommentaryFactory(DjangoModelFactory):
    class Meta:
        model = Commentary

    district = factory.SubFactory(DistrictFactory)
    metric = factory.SubFactory(MetricFactory, district=SAME_DISTRICT)
    period_end = datetime.date(2016, 6, 30)
    behind_the_number = "Attendance rose after the new bus routes."


class ClosedPeriodFactory(DjangoModelFactory):
    class Meta:
        model = ClosedPeriod

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Board meeting {n}")
    starts_on = datetime.date(2015, 7, 1)
    ends_on = datetime.date(2015, 9, 30)


class ReminderFactory(DjangoModelFactory):
    """A reminder in the outbox; real ones come from `rhythm.reminders.send_reminders`."""

    class Meta:
        model = Reminder

    district = factory.SubFactory(DistrictFactory)
    recipient = factory.SubFactory(UserFactory)
    item_key = factory.Sequence(lambda n: f"value:{n}:2026-11-27:district")
    kind = ReminderKind.OVERDUE
    item_title = "Attendance: values for Nov 21 to Nov 27, 2026"
    due_on = datetime.date(2026, 11, 30)
    subject = "Overdue since Mon Nov 30: Attendance"
    run = "factory"
    claimed_at = factory.LazyFunction(timezone.now)


class JobFactory(DjangoModelFactory):
    class Meta:
        model = Job

    district = factory.SubFactory(DistrictFactory)
    description = factory.Sequence(lambda n: f"Job {n}")


class DecisionPolicyFactory(DjangoModelFactory):
    class Meta:
        model = DecisionPolicy

    district = factory.SubFactory(DistrictFactory)


class DecisionKindFactory(DjangoModelFactory):
    class Meta:
        model = DecisionKind

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Kind {n}")


class ChecklistItemFactory(DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    district = factory.SubFactory(DistrictFactory)
    kind = factory.SubFactory(DecisionKindFactory, district=SAME_DISTRICT)
    role = factory.SubFactory(RoleFactory, district=SAME_DISTRICT)
    text = factory.Sequence(lambda n: f"Check {n}")


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    district = factory.SubFactory(DistrictFactory)
    title = factory.Sequence(lambda n: f"Decision {n}")
    kind = factory.SubFactory(DecisionKindFactory, district=SAME_DISTRICT)
    responsibility = factory.SubFactory(ResponsibilityFactory, district=SAME_DISTRICT)
    product = factory.Sequence(lambda n: f"Product {n}")


class ReviewFactory(DjangoModelFactory):
    """A pending key of a decision in its first round of review."""

    class Meta:
        model = Review

    district = factory.SubFactory(DistrictFactory)
    decision = factory.SubFactory(
        DecisionFactory,
        district=SAME_DISTRICT,
        state=DecisionState.IN_REVIEW,
        round=1,
        submitted_at=factory.LazyFunction(timezone.now),
    )
    round = 1
    role = factory.SubFactory(RoleFactory, district=SAME_DISTRICT)
    requested_at = factory.LazyFunction(timezone.now)


class ReviewCheckFactory(DjangoModelFactory):
    class Meta:
        model = ReviewCheck

    district = factory.SubFactory(DistrictFactory)
    review = factory.SubFactory(ReviewFactory, district=SAME_DISTRICT)
    text = factory.Sequence(lambda n: f"Check {n}")


class TransitionFactory(DjangoModelFactory):
    class Meta:
        model = Transition

    district = factory.SubFactory(DistrictFactory)
    decision = factory.SubFactory(DecisionFactory, district=SAME_DISTRICT)
    to_state = DecisionState.DRAFT
    at = factory.LazyFunction(timezone.now)

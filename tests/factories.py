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
    Principal,
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
    ResponsibilityLink,
    Rollup,
    Scope,
    Target,
)
from publishing.models import (
    Packet,
    PacketRender,
    Publication,
    PublishedGoal,
    PublishedMetric,
    Schedule,
)
from publishing.packets import content_hash
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
from routines.models import (
    ActionItem,
    Meeting,
    MeetingDecision,
    MeetingSeries,
    NonNegotiable,
    Partnership,
    PartnershipRole,
    SeriesMember,
    SeriesScope,
    TheoryLink,
    TheoryStatement,
)
from tiers.models import (
    Allocation,
    AssignmentSource,
    Support,
    SupportKind,
    Tier,
    TierAssignment,
    TierPlan,
    TierRule,
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


class ResponsibilityLinkFactory(DjangoModelFactory):
    class Meta:
        model = ResponsibilityLink

    district = factory.SubFactory(DistrictFactory)
    responsibility = factory.SubFactory(ResponsibilityFactory, district=SAME_DISTRICT)
    metric = factory.SubFactory(MetricFactory, district=SAME_DISTRICT)


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


class PrincipalFactory(DjangoModelFactory):
    class Meta:
        model = Principal

    district = factory.SubFactory(DistrictFactory)
    school = factory.SubFactory(SchoolFactory, district=SAME_DISTRICT)
    person = factory.SubFactory(PersonFactory, district=SAME_DISTRICT)
    starts_on = datetime.date(2016, 7, 1)


class TierFactory(DjangoModelFactory):
    class Meta:
        model = Tier

    district = factory.SubFactory(DistrictFactory)
    level = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda t: f"Tier {t.level}")


class TierPlanFactory(DjangoModelFactory):
    class Meta:
        model = TierPlan

    district = factory.SubFactory(DistrictFactory)
    school_year = factory.Sequence(lambda n: f"{2000 + n}-{(2001 + n) % 100:02d}")
    default_tier = factory.SubFactory(TierFactory, district=SAME_DISTRICT)


class TierRuleFactory(DjangoModelFactory):
    class Meta:
        model = TierRule

    district = factory.SubFactory(DistrictFactory)
    plan = factory.SubFactory(TierPlanFactory, district=SAME_DISTRICT)
    position = factory.Sequence(lambda n: n + 1)
    tier = factory.SubFactory(TierFactory, district=SAME_DISTRICT)
    min_off_track = 3


class TierAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = TierAssignment

    district = factory.SubFactory(DistrictFactory)
    school = factory.SubFactory(SchoolFactory, district=SAME_DISTRICT)
    school_year = "2017-18"
    tier = factory.SubFactory(TierFactory, district=SAME_DISTRICT)
    source = AssignmentSource.DEFAULT


class SupportFactory(DjangoModelFactory):
    class Meta:
        model = Support

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Support {n}")
    kind = SupportKind.COACH
    capacity = 10


class AllocationFactory(DjangoModelFactory):
    class Meta:
        model = Allocation

    district = factory.SubFactory(DistrictFactory)
    support = factory.SubFactory(SupportFactory, district=SAME_DISTRICT)
    school = factory.SubFactory(SchoolFactory, district=SAME_DISTRICT)
    starts_on = datetime.date(2017, 9, 1)
    ends_on = datetime.date(2018, 6, 15)
    reason = "Tier 3 school"


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Partnership {n}")
    vision = "One vision"


class PartnershipRoleFactory(DjangoModelFactory):
    class Meta:
        model = PartnershipRole

    district = factory.SubFactory(DistrictFactory)
    partnership = factory.SubFactory(PartnershipFactory, district=SAME_DISTRICT)
    role = factory.SubFactory(RoleFactory, district=SAME_DISTRICT)


class TheoryStatementFactory(DjangoModelFactory):
    class Meta:
        model = TheoryStatement

    district = factory.SubFactory(DistrictFactory)
    partnership = factory.SubFactory(PartnershipFactory, district=SAME_DISTRICT)
    if_clause = "both offices plan together"
    then_clause = "schools hear one message"


class TheoryLinkFactory(DjangoModelFactory):
    class Meta:
        model = TheoryLink

    district = factory.SubFactory(DistrictFactory)
    statement = factory.SubFactory(TheoryStatementFactory, district=SAME_DISTRICT)
    responsibility = factory.SubFactory(ResponsibilityFactory, district=SAME_DISTRICT)


class NonNegotiableFactory(DjangoModelFactory):
    class Meta:
        model = NonNegotiable

    district = factory.SubFactory(DistrictFactory)
    partnership = factory.SubFactory(PartnershipFactory, district=SAME_DISTRICT)
    statement = "Every school teaches the curriculum"
    owner = factory.SubFactory(RoleFactory, district=SAME_DISTRICT)
    monitoring = "Quarterly walkthroughs"


class MeetingSeriesFactory(DjangoModelFactory):
    class Meta:
        model = MeetingSeries

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Series {n}")
    scope = SeriesScope.DISTRICT


class SeriesMemberFactory(DjangoModelFactory):
    class Meta:
        model = SeriesMember

    district = factory.SubFactory(DistrictFactory)
    series = factory.SubFactory(MeetingSeriesFactory, district=SAME_DISTRICT)
    person = factory.SubFactory(PersonFactory, district=SAME_DISTRICT)


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    district = factory.SubFactory(DistrictFactory)
    series = factory.SubFactory(MeetingSeriesFactory, district=SAME_DISTRICT)
    starts_at = factory.Sequence(
        lambda n: (
            datetime.datetime(2017, 1, 2, 9, tzinfo=datetime.UTC)
            + datetime.timedelta(days=7 * n)
        )
    )


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


class MeetingDecisionFactory(DjangoModelFactory):
    class Meta:
        model = MeetingDecision

    district = factory.SubFactory(DistrictFactory)
    meeting = factory.SubFactory(MeetingFactory, district=SAME_DISTRICT)
    statement = "Which schools get a coach?"


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    district = factory.SubFactory(DistrictFactory)
    series = factory.SubFactory(MeetingSeriesFactory, district=SAME_DISTRICT)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner_person = factory.SubFactory(PersonFactory, district=SAME_DISTRICT)
    due_on = datetime.date(2017, 3, 1)


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


class PublicationFactory(DjangoModelFactory):
    """A district's publication settings: unpublished unless a test says otherwise."""

    class Meta:
        model = Publication
        django_get_or_create = ("district",)  # one per district

    district = factory.SubFactory(DistrictFactory)


class PublishedGoalFactory(DjangoModelFactory):
    class Meta:
        model = PublishedGoal

    district = factory.SubFactory(DistrictFactory)
    goal = factory.SubFactory(GoalFactory, district=SAME_DISTRICT)


class PublishedMetricFactory(DjangoModelFactory):
    class Meta:
        model = PublishedMetric

    district = factory.SubFactory(DistrictFactory)
    metric = factory.SubFactory(MetricFactory, district=SAME_DISTRICT)


def _empty_snapshot(packet) -> dict:
    return {
        "district": {"name": packet.district.name, "slug": packet.district.slug},
        "school_year": "2016-17",
        "as_of": "2017-06-30",
        "public_min_n": packet.district.effective_public_min_n,
        "goals": [],
    }


class PacketFactory(DjangoModelFactory):
    """An issued packet of no goals; real ones come from `publishing.packets.issue_packet`."""

    class Meta:
        model = Packet
        skip_postgeneration_save = True

    district = factory.SubFactory(DistrictFactory)
    title = factory.Sequence(lambda n: f"Packet {n}")
    school_year = "2016-17"
    as_of = datetime.date(2017, 6, 30)
    snapshot = factory.LazyAttribute(_empty_snapshot)
    content_hash = factory.LazyAttribute(lambda p: content_hash(p.snapshot))
    render = factory.RelatedFactory(
        "tests.factories.PacketRenderFactory", factory_related_name="packet"
    )


class PacketRenderFactory(DjangoModelFactory):
    class Meta:
        model = PacketRender

    packet = factory.SubFactory(PacketFactory, render=None)


class ScheduleFactory(DjangoModelFactory):
    class Meta:
        model = Schedule

    district = factory.SubFactory(DistrictFactory)
    goal = factory.SubFactory(GoalFactory, district=SAME_DISTRICT)
    meets_on = datetime.date(2017, 5, 15)
    recipients = "board@example.org"

"""Fixtures of the API tests: tokens, clean throttle counters, one object per resource."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import (
    ActionItemFactory,
    AllocationFactory,
    ClosedPeriodFactory,
    CommentaryFactory,
    DistrictFactory,
    GoalFactory,
    GoalOwnerFactory,
    MeasurementFactory,
    MeetingDecisionFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    MembershipFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    NonNegotiableFactory,
    OwnershipFactory,
    PartnershipFactory,
    PartnershipRoleFactory,
    PersonFactory,
    PrincipalFactory,
    ResponsibilityFactory,
    ResponsibilityLinkFactory,
    RoleAssignmentFactory,
    RoleFactory,
    SchoolFactory,
    SchoolGroupFactory,
    SchoolGroupMemberFactory,
    SeriesMemberFactory,
    SupportFactory,
    TargetFactory,
    TheoryLinkFactory,
    TheoryStatementFactory,
    TierFactory,
    TierPlanFactory,
    TierRuleFactory,
    WorkAreaFactory,
)
from tokens.models import create_token


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_client_for():
    """An API client sending `Authorization: Token <key>` for a new token of `user`."""

    def make(user, scope="write", **kwargs):
        token, key = create_token(user=user, name="test", scope=scope, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        client.token = token
        client.key = key
        return client

    return make


# One new object of each API resource (by router basename) in a given district.
MAKERS = {
    "district": lambda district: DistrictFactory(),
    "person": lambda district: PersonFactory(district=district),
    "network": lambda district: NetworkFactory(district=district),
    "school": lambda district: SchoolFactory(district=district),
    "school-group": lambda district: SchoolGroupFactory(district=district),
    "school-group-member": lambda district: SchoolGroupMemberFactory(district=district),
    "membership": lambda district: MembershipFactory(district=district),
    "role": lambda district: RoleFactory(district=district),
    "role-assignment": lambda district: RoleAssignmentFactory(district=district),
    "work-area": lambda district: WorkAreaFactory(district=district),
    "responsibility": lambda district: ResponsibilityFactory(district=district),
    "ownership": lambda district: OwnershipFactory(district=district),
    "goal": lambda district: GoalFactory(district=district),
    "goal-owner": lambda district: GoalOwnerFactory(district=district),
    "metric": lambda district: MetricFactory(district=district),
    "metric-owner": lambda district: MetricOwnerFactory(district=district),
    "target": lambda district: TargetFactory(district=district),
    "measurement": lambda district: MeasurementFactory(district=district),
    # Acting: two appointed terms of a school may not overlap, acting ones may.
    "principal": lambda district: PrincipalFactory(district=district, is_acting=True),
    "tier": lambda district: TierFactory(district=district),
    "tier-plan": lambda district: TierPlanFactory(district=district),
    "tier-rule": lambda district: TierRuleFactory(district=district),
    "support": lambda district: SupportFactory(district=district),
    "allocation": lambda district: AllocationFactory(district=district),
    "responsibility-link": lambda district: ResponsibilityLinkFactory(
        district=district
    ),
    "partnership": lambda district: PartnershipFactory(district=district),
    "partnership-role": lambda district: PartnershipRoleFactory(district=district),
    "theory-statement": lambda district: TheoryStatementFactory(district=district),
    "theory-link": lambda district: TheoryLinkFactory(district=district),
    "non-negotiable": lambda district: NonNegotiableFactory(district=district),
    "meeting-series": lambda district: MeetingSeriesFactory(district=district),
    "series-member": lambda district: SeriesMemberFactory(district=district),
    "meeting": lambda district: MeetingFactory(district=district),
    "meeting-decision": lambda district: MeetingDecisionFactory(district=district),
    "action-item": lambda district: ActionItemFactory(district=district),
    "commentary": lambda district: CommentaryFactory(district=district),
    "closed-period": lambda district: ClosedPeriodFactory(district=district),
}


def make_object(basename, district):
    """An object of resource `basename` that belongs to `district`.

    For the `district` resource: `district` itself.
    """
    if basename == "district":
        return district
    return MAKERS[basename](district)

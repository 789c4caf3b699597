"""Fixtures of the API tests: tokens, clean throttle counters, one object per resource."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import (
    ClosedPeriodFactory,
    CommentaryFactory,
    DistrictFactory,
    GoalFactory,
    GoalOwnerFactory,
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    OwnershipFactory,
    PersonFactory,
    ResponsibilityFactory,
    RoleAssignmentFactory,
    RoleFactory,
    SchoolFactory,
    SchoolGroupFactory,
    SchoolGroupMemberFactory,
    TargetFactory,
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

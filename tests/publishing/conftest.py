import pytest
from django.core.cache import cache

from district.models import Person
from publishing.models import Publication, PublishedGoal, PublishedMetric
from tests.factories import RoleAssignmentFactory
from tests.goals.district_data import build_district_data


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate counters and cached public pages start afresh in each test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def data(district):
    """The page-test district: its joint goal and attendance published, nothing else."""
    data = build_district_data(district)
    Person.objects.filter(district=district).delete()
    RoleAssignmentFactory(
        district=district,
        role=data.cao,
        person__name="Dana Whitfield",
        person__email="dana.whitfield@lakeside.example.org",
    )
    Publication.objects.create(district=district, is_published=True)
    PublishedGoal.objects.create(district=district, goal=data.joint_goal)
    PublishedMetric.objects.create(district=district, metric=data.attendance)
    # Published, but its goal is not: stays private.
    PublishedMetric.objects.create(district=district, metric=data.uptime)
    return data

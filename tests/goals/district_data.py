"""A district with cabinet roles, shared goals, metrics and school values for page tests.

`build_district_data(district, schools=20)` creates two networks, `schools` schools
split between them, three cabinet roles, two goals (one joint) with three metrics, and
a value per school, metric and school year 2015-16 to 2017-18 (bulk_create: 600 schools
stay cheap, then the stored rollups are computed once). The first school's values
have a small n, so they are suppressed.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from district.models import Network, School
from goals.models import Aggregation, Direction, Measurement, Metric, Scope, Unit
from goals.rollups import refresh_rollups
from tests.factories import (
    GoalFactory,
    GoalOwnerFactory,
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    RoleFactory,
    TargetFactory,
)

YEARS = (
    datetime.date(2016, 6, 30),
    datetime.date(2017, 6, 30),
    datetime.date(2018, 6, 30),
)


@dataclass
class DistrictData:
    district: object
    cao: object
    cso: object
    cto: object
    north: Network
    south: Network
    joint_goal: object
    cto_goal: object
    attendance: Metric
    suspensions: Metric
    uptime: Metric
    small_school: School


def build_district_data(district, *, schools: int = 20) -> DistrictData:
    cao = RoleFactory(district=district, code="CAO", title="Chief Academic Officer")
    cso = RoleFactory(district=district, code="CSO", title="Chief Schools Officer")
    cto = RoleFactory(district=district, code="CTO", title="Chief Technology Officer")
    north = NetworkFactory(district=district, name="North")
    south = NetworkFactory(district=district, name="South")
    created = School.objects.bulk_create(
        School(
            district=district,
            school_id=f"{610000 + i}",
            name=f"School {i:04d}",
            network=north if i % 2 == 0 else south,
            enrollment=300 + (i % 7) * 50,
        )
        for i in range(schools)
    )

    joint_goal = GoalFactory(
        district=district, statement="Every student attends and stays engaged"
    )
    GoalOwnerFactory(district=district, goal=joint_goal, role=cao)
    GoalOwnerFactory(district=district, goal=joint_goal, role=cso)
    cto_goal = GoalFactory(
        district=district, statement="Systems that teachers can count on", sort_order=1
    )
    GoalOwnerFactory(district=district, goal=cto_goal, role=cto)

    attendance = MetricFactory(
        district=district,
        goal=joint_goal,
        code="attendance",
        name="Student attendance",
        unit=Unit.PERCENT,
        aggregation=Aggregation.WEIGHTED_N,
        baseline_value=Decimal("92"),
        baseline_on=datetime.date(2015, 6, 30),
        target_value=Decimal("96"),
        target_on=datetime.date(2019, 6, 30),
        tolerance=Decimal("0.5"),
        min_n=10,
    )
    TargetFactory(
        district=district,
        metric=attendance,
        due_on=datetime.date(2017, 6, 30),
        value=Decimal("94"),
    )
    suspensions = MetricFactory(
        district=district,
        goal=joint_goal,
        code="suspensions",
        name="Suspensions per 100 students",
        unit=Unit.PER_100,
        direction=Direction.LOWER_IS_BETTER,
        aggregation=Aggregation.MEAN,
        baseline_value=Decimal("12"),
        baseline_on=datetime.date(2015, 6, 30),
        target_value=Decimal("6"),
        target_on=datetime.date(2019, 6, 30),
        tolerance=Decimal("1"),
        sort_order=1,
    )
    MetricOwnerFactory(district=district, metric=suspensions, role=cso)
    uptime = MetricFactory(
        district=district,
        goal=cto_goal,
        code="uptime",
        name="Days with every system up",
        unit=Unit.DAYS,
        aggregation=Aggregation.MIN,
        baseline_value=Decimal("150"),
        baseline_on=datetime.date(2015, 6, 30),
        target_value=Decimal("175"),
        target_on=datetime.date(2019, 6, 30),
        tolerance=Decimal("5"),
    )
    MetricOwnerFactory(district=district, metric=uptime, role=cao)

    rows = []
    for index, school in enumerate(created):
        for step, period_end in enumerate(YEARS):
            n = 4 if index == 0 else 200 + index
            rows += [
                Measurement(
                    district=district,
                    metric=attendance,
                    scope=Scope.SCHOOL,
                    school=school,
                    period_end=period_end,
                    value=Decimal("92") + Decimal(step) + Decimal(index % 5) / 2,
                    n=n,
                ),
                Measurement(
                    district=district,
                    metric=suspensions,
                    scope=Scope.SCHOOL,
                    school=school,
                    period_end=period_end,
                    value=Decimal("11") - Decimal(step) + Decimal(index % 3),
                    n=n,
                ),
                Measurement(
                    district=district,
                    metric=uptime,
                    scope=Scope.SCHOOL,
                    school=school,
                    period_end=period_end,
                    value=Decimal("150") + 5 * step + index % 4,
                ),
            ]
    Measurement.objects.bulk_create(rows, batch_size=2000)
    # bulk_create sends no signals: store the rollups as the generator does.
    refresh_rollups(district)
    return DistrictData(
        district=district,
        cao=cao,
        cso=cso,
        cto=cto,
        north=north,
        south=south,
        joint_goal=joint_goal,
        cto_goal=cto_goal,
        attendance=attendance,
        suspensions=suspensions,
        uptime=uptime,
        small_school=created[0],
    )


def add_schools(data: DistrictData, count: int) -> None:
    """Add `count` more schools with values, so a page's query count can be compared."""
    start = School.objects.filter(district=data.district).count()
    schools = School.objects.bulk_create(
        School(
            district=data.district,
            school_id=f"{700000 + start + i}",
            name=f"Added school {i:04d}",
            network=data.north if i % 2 == 0 else data.south,
            enrollment=400,
        )
        for i in range(count)
    )
    Measurement.objects.bulk_create(
        (
            Measurement(
                district=data.district,
                metric=metric,
                scope=Scope.SCHOOL,
                school=school,
                period_end=period_end,
                value=Decimal("93"),
                n=150,
            )
            for school in schools
            for metric in (data.attendance, data.suspensions, data.uptime)
            for period_end in YEARS
        ),
        batch_size=2000,
    )
    refresh_rollups(data.district)

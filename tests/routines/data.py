"""A small district whose brief can be computed by hand.

Network North has three schools, South one. One yearly metric, higher is better, mean
of schools: baseline 80 on 2016-06-30, target 90 on 2018-06-30, tolerance 2. On
2017-06-30 the trajectory expects 85.0.

2016-06-30 values: A 78, B 80, C 85 (North mean 81.0), D 95.
2017-06-30 values: A 80 (-5: off track), B 84 (-1: at risk), C 90 (on track), D 95.
North mean 84.666..: 84.7%, at risk (-0.33); district mean 87.25: 87.2% (rounded half
to even, as the display rounds). North moved from 81.0% to 84.7%: +3.7.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from district.models import Network, Person, School
from goals.models import Measurement, Metric, Scope
from routines.models import Meeting, MeetingSeries, SeriesScope
from tests.factories import (
    GoalFactory,
    MeasurementFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    MetricFactory,
    NetworkFactory,
    PersonFactory,
    SchoolFactory,
)

LAST_MEETING = datetime.datetime(2016, 7, 11, 15, tzinfo=datetime.UTC)
MEETING = datetime.datetime(2017, 7, 10, 15, tzinfo=datetime.UTC)
TODAY = datetime.date(2017, 7, 10)


@dataclass
class BriefData:
    north: Network
    south: Network
    schools: dict[str, School]
    metric: Metric
    series: MeetingSeries
    last: Meeting
    meeting: Meeting
    chief: Person


def build_brief_data(district, *, extra_schools: int = 0) -> BriefData:
    chief = PersonFactory(district=district, name="Nora North")
    north = NetworkFactory(district=district, name="North", chief=chief)
    south = NetworkFactory(district=district, name="South")
    goal = GoalFactory(district=district, statement="Every student attends")
    metric = MetricFactory(
        district=district,
        goal=goal,
        code="attendance",
        name="Attendance",
        baseline_value=Decimal("80"),
        baseline_on=datetime.date(2016, 6, 30),
        target_value=Decimal("90"),
        target_on=datetime.date(2018, 6, 30),
        tolerance=Decimal("2"),
        min_n=None,
    )
    values = {
        "A": (78, 80),
        "B": (80, 84),
        "C": (85, 90),
        **{f"X{i}": (86, 90) for i in range(extra_schools)},
    }
    schools = {}
    for name, (before, after) in values.items():
        school = SchoolFactory(district=district, name=f"School {name}", network=north)
        schools[name] = school
        for day, value in ((datetime.date(2016, 6, 30), before), (TODAY_YEAR, after)):
            MeasurementFactory(
                district=district,
                metric=metric,
                school=school,
                scope=Scope.SCHOOL,
                period_end=day,
                value=Decimal(value),
                n=None,
            )
    school_d = SchoolFactory(district=district, name="School D", network=south)
    schools["D"] = school_d
    for day in (datetime.date(2016, 6, 30), TODAY_YEAR):
        MeasurementFactory(
            district=district,
            metric=metric,
            school=school_d,
            scope=Scope.SCHOOL,
            period_end=day,
            value=Decimal(95),
            n=None,
        )
    series = MeetingSeriesFactory(
        district=district,
        name="North coaching",
        scope=SeriesScope.NETWORK,
        network=north,
    )
    last = MeetingFactory(district=district, series=series, starts_at=LAST_MEETING)
    meeting = MeetingFactory(district=district, series=series, starts_at=MEETING)
    assert Measurement.objects.filter(metric=metric).exists()
    return BriefData(
        north=north,
        south=south,
        schools=schools,
        metric=metric,
        series=series,
        last=last,
        meeting=meeting,
        chief=chief,
    )


TODAY_YEAR = datetime.date(2017, 6, 30)

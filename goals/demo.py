"""The demo district's shared goals, metrics, targets and measurements (see `district.demo`).

The metrics are the seven of data/cps/measurements.csv, with their CSV codes. Each
baseline is the district value of the first school year with data (2014-15; 2015-16
for graduation, which the file starts a year later), computed in SQL by the same
rollup the dashboards use; targets improve it by a stated amount by 30 June 2019,
with interim targets on the straight line to it each 30 June between.

One network has a student attendance target of its own (`NETWORK_TARGET`): the
geographic network whose attendance started lowest is asked for twice the district's
improvement, from its own baseline, so a network judged against its own target can be
seen on its scorecard and the metric page.
"""

import datetime
import hashlib
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from district.demo import DATA_DIR, ensure
from district.models import District, Network, NetworkKind, Person, SchoolCategory
from roles.models import Responsibility, Role

from .importers import UpsertResult, read_measurements_csv, upsert_measurements
from .models import (
    Aggregation,
    Direction,
    Frequency,
    Goal,
    GoalOwner,
    Measurement,
    Metric,
    MetricOwner,
    Population,
    ResponsibilityLink,
    Scope,
    Target,
    TargetKind,
    Unit,
)
from .periods import WEEK_ENDS_ON
from .rollups import district_series, network_series

GOALS_START = datetime.date(2015, 7, 1)
TARGET_ON = datetime.date(2019, 6, 30)
SOURCE = "CPS School Progress Reports (City of Chicago Data Portal)"


# The metric one network has a target of its own for, and the points it must add.
NETWORK_TARGET = ("student_attendance_pct", Decimal("3.0"))


@dataclass(frozen=True)
class MetricPlan:
    """How a demo metric is defined, and the improvement its target asks for."""

    code: str
    name: str
    unit: Unit
    direction: Direction
    aggregation: Aggregation
    owners: tuple[str, ...]
    change: Decimal  # points added to the baseline, or a share of it (`is_share`)
    tolerance: Decimal
    min_n: int | None
    description: str
    is_share: bool = False
    population: tuple[str, str, str] = (
        Population.ALL,
        "",
        "",
    )  # kind, category, network kind
    coverage_threshold: int | None = None


# Attendance is weighted by enrollment: the district rate is the share of all
# student-days attended, so a school of 2,000 counts for more than one of 200 (for
# teacher attendance, enrollment stands in for staff size). The other rates describe
# one cohort (freshmen, graduates, dropouts) whose size the file does not give, and
# enrollment counts every grade, so weighting by it would misweigh them: they are the
# plain mean of schools.
HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
BY_ENROLLMENT, MEAN = Aggregation.WEIGHTED_ENROLLMENT, Aggregation.MEAN
# Populations: the CSO answers for district-run schools, so the attendance and
# suspension metrics leave charter, contract and options schools out (those schools
# publish no teacher attendance or suspensions either); the cohort outcomes are about
# high schools. Some options and charter high schools publish no freshmen-on-track or
# graduation rate (71-78 % of high schools report in the years of the file), so those
# two metrics count a year as complete from 70 %, not the district's 80 %.
DISTRICT_RUN = (Population.NETWORK_KIND, "", NetworkKind.DISTRICT_RUN)
HIGH_SCHOOLS = (Population.CATEGORY, SchoolCategory.HIGH, "")
# fmt: off
GOALS = [
    (
        "Every student in school, every day",
        "Attendance of students and of the teachers in front of them.",
        ("CSO",),
        [
            MetricPlan("student_attendance_pct", "Student attendance", Unit.PERCENT, HIGHER, BY_ENROLLMENT, ("CSO",), Decimal("1.5"), Decimal("0.5"), 10, "Average daily attendance of students.", population=DISTRICT_RUN),
            MetricPlan("teacher_attendance_pct", "Teacher attendance", Unit.PERCENT, HIGHER, BY_ENROLLMENT, ("CSO",), Decimal("1.0"), Decimal("0.5"), 5, "Average daily attendance of teachers.", population=DISTRICT_RUN),
        ],
    ),
    (
        "Every student graduates ready for college and career",
        "The student outcomes the CAO and CSO answer for together.",
        ("CAO", "CSO"),
        [
            MetricPlan("freshmen_on_track_pct", "Freshmen on track", Unit.PERCENT, HIGHER, MEAN, ("CAO", "CSO"), Decimal("5.0"), Decimal("2.0"), 10, "Ninth graders on track to graduate.", population=HIGH_SCHOOLS, coverage_threshold=70),
            MetricPlan("graduation_4yr_pct", "4-year graduation", Unit.PERCENT, HIGHER, MEAN, ("CAO", "CSO"), Decimal("6.0"), Decimal("2.0"), 10, "Four-year cohort graduation rate.", population=HIGH_SCHOOLS, coverage_threshold=70),
            MetricPlan("college_enrollment_pct", "College enrollment", Unit.PERCENT, HIGHER, MEAN, ("CAO", "CSO"), Decimal("5.0"), Decimal("2.0"), 10, "Graduates enrolling in college.", population=HIGH_SCHOOLS),
            MetricPlan("one_year_dropout_pct", "One-year dropout", Unit.PERCENT, LOWER, MEAN, ("CSO", "CAO"), Decimal("-2.0"), Decimal("0.5"), 10, "Students who drop out within the school year.", population=HIGH_SCHOOLS),
        ],
    ),
    (
        "Safe and supportive schools",
        "Fewer students sent out of school.",
        ("CSO", "CEDO"),
        [
            MetricPlan("suspensions_per_100", "Suspensions per 100 students", Unit.PER_100, LOWER, MEAN, ("CSO",), Decimal("-0.25"), Decimal("1.0"), 10, "Out-of-school suspensions per 100 students.", is_share=True, population=DISTRICT_RUN),
        ],
    ),
]
# fmt: on


# Matrix rows and the goals (by statement) or metrics (by code) they serve.
LINKS = [
    (
        "Student outcomes",
        "goal",
        "Every student graduates ready for college and career",
    ),
    ("District goals and targets", "goal", "Every student in school, every day"),
    (
        "District goals and targets",
        "goal",
        "Every student graduates ready for college and career",
    ),
    ("District goals and targets", "goal", "Safe and supportive schools"),
    ("Curriculum and scope and sequence", "metric", "freshmen_on_track_pct"),
    ("Fidelity to the instructional vision", "metric", "freshmen_on_track_pct"),
    (
        "Weekly coaching conversations with network chiefs",
        "metric",
        "student_attendance_pct",
    ),
    (
        "Weekly coaching conversations with network chiefs",
        "metric",
        "student_attendance_weekly_sim",
    ),
    ("Supervising network chiefs", "goal", "Every student in school, every day"),
    ("Allocating supports to schools by need", "metric", "suspensions_per_100"),
    ("Principal evaluation", "metric", "graduation_4yr_pct"),
]


def build_links(district: District, acting_user) -> None:
    """Link matrix rows to the goals and metrics they serve (`LINKS`)."""
    for row_name, kind, name in LINKS:
        responsibility = Responsibility.objects.get(district=district, name=row_name)
        goal = (
            Goal.objects.get(district=district, statement=name)
            if kind == "goal"
            else None
        )
        metric = (
            Metric.objects.filter(district=district, code=name).first()
            if kind == "metric"
            else None
        )
        if goal is None and metric is None:
            continue
        ensure(
            ResponsibilityLink,
            acting_user=acting_user,
            district=district,
            responsibility=responsibility,
            goal=goal,
            metric=metric,
        )


def build_goals(
    district: District, roles: dict[str, Role], acting_user
) -> UpsertResult:
    """The goals and metrics, the measurements of data/cps, then baselines and targets."""
    metrics = {}
    for goal_order, (statement, description, owners, plans) in enumerate(GOALS, 1):
        goal = ensure(
            Goal,
            acting_user=acting_user,
            district=district,
            statement=statement,
            defaults={
                "description": description,
                "starts_on": GOALS_START,
                "ends_on": TARGET_ON,
                "sort_order": goal_order,
            },
        )
        for code in owners:
            ensure(
                GoalOwner,
                acting_user=acting_user,
                district=district,
                goal=goal,
                role=roles[code],
            )
        for metric_order, plan in enumerate(plans, 1):
            metrics[plan.code] = _ensure_metric(
                district, goal, plan, metric_order, roles, acting_user
            )

    result = upsert_measurements(
        district=district,
        rows=read_measurements_csv(DATA_DIR / "measurements.csv"),
        acting_user=acting_user,
        skip_invalid=True,
        source=SOURCE,
    )
    series = district_series(
        district=district, metric_ids=[m.pk for m in metrics.values()]
    )
    for plan in (plan for _s, _d, _o, plans in GOALS for plan in plans):
        _set_targets(
            metrics[plan.code], plan, series.get(metrics[plan.code].pk, ()), acting_user
        )
    metric_code, change = NETWORK_TARGET
    _set_network_target(district, metrics[metric_code], change, acting_user)
    return result


def _ensure_metric(
    district, goal, plan: MetricPlan, sort_order: int, roles, acting_user
) -> Metric:
    metric = ensure(
        Metric,
        acting_user=acting_user,
        district=district,
        code=plan.code,
        defaults={
            "goal": goal,
            "name": plan.name,
            "description": plan.description,
            "unit": plan.unit,
            "decimals": 1,
            "direction": plan.direction,
            "aggregation": plan.aggregation,
            "frequency": Frequency.YEARLY,
            "tolerance": plan.tolerance,
            "min_n": plan.min_n,
            "population": plan.population[0],
            "population_category": plan.population[1],
            "population_network_kind": plan.population[2],
            "coverage_threshold": plan.coverage_threshold,
            "source": SOURCE,
            "sort_order": sort_order,
        },
        # Until the measurements are in, the baseline cannot be computed.
        create_only={
            "baseline_value": Decimal(0),
            "baseline_on": datetime.date(2015, 6, 30),
            "target_value": Decimal(0),
            "target_on": TARGET_ON,
        },
    )
    for code in plan.owners:
        ensure(
            MetricOwner,
            acting_user=acting_user,
            district=district,
            metric=metric,
            role=roles[code],
        )
    return metric


def _set_targets(metric: Metric, plan: MetricPlan, values, acting_user) -> None:
    """Baseline from the first district value; final and interim targets from it."""
    first = next((value for value in values if value.value is not None), None)
    if first is None:
        raise ValueError(f"No district value of {metric.code} to set a baseline from.")
    places = Decimal(1).scaleb(-metric.decimals)
    baseline = first.value.quantize(places, rounding=ROUND_HALF_UP)
    change = baseline * plan.change if plan.is_share else plan.change
    target = (baseline + change).quantize(places, rounding=ROUND_HALF_UP)
    metric = ensure(
        Metric,
        acting_user=acting_user,
        pk=metric.pk,
        defaults={
            "baseline_value": baseline,
            "baseline_on": first.period_end,
            "target_value": target,
            "target_on": TARGET_ON,
            # Replaces the placeholder of zero, which may look like an easing.
            "target_change_reason": "Computed from the first reported year.",
        },
    )
    for due_on, value in _trajectory_points(baseline, target, first.period_end, places):
        ensure(
            Target,
            acting_user=acting_user,
            district_id=metric.district_id,
            metric=metric,
            network=None,
            school_group=None,
            due_on=due_on,
            defaults={"value": value},
        )


def _trajectory_points(
    baseline: Decimal, target: Decimal, start: datetime.date, places: Decimal
) -> list[tuple[datetime.date, Decimal]]:
    """Each 30 June after `start` and before the target date, on the straight line."""
    years = TARGET_ON.year - start.year
    return [
        (
            datetime.date(start.year + step, 6, 30),
            (baseline + (target - baseline) * step / years).quantize(
                places, rounding=ROUND_HALF_UP
            ),
        )
        for step in range(1, years)
    ]


def _set_network_target(
    district: District, metric: Metric, change: Decimal, acting_user
) -> Target:
    """The network whose first value of `metric` is lowest gets its own target.

    Its baseline is its own first value; its final target adds `change` to it by the
    metric's target date, with interim targets on the straight line. Returns the
    final target.
    """
    networks = {
        n.pk: n for n in Network.objects.filter(district=district, is_geographic=True)
    }
    series = network_series(
        district=district, metric_ids=[metric.pk], network_ids=list(networks)
    )
    firsts = []
    for network_id, network in networks.items():
        values = series.get((metric.pk, network_id), ())
        first = values[0] if values else None
        if first is not None and first.value is not None:
            if first.period_end == metric.baseline_on:
                firsts.append((first.value, network.name, network_id))
    value, _name, network_id = min(firsts)
    network = networks[network_id]
    start = metric.baseline_on
    places = Decimal(1).scaleb(-metric.decimals)
    baseline = value.quantize(places, rounding=ROUND_HALF_UP)
    target = baseline + change
    common = {"acting_user": acting_user, "district": district, "metric": metric}
    ensure(
        Target,
        **common,
        network=network,
        kind=TargetKind.BASELINE,
        defaults={"due_on": start, "value": baseline},
    )
    for due_on, value in _trajectory_points(baseline, target, start, places):
        ensure(
            Target,
            **common,
            network=network,
            kind=TargetKind.INTERIM,
            due_on=due_on,
            defaults={"value": value},
        )
    return ensure(
        Target,
        **common,
        network=network,
        kind=TargetKind.FINAL,
        defaults={"due_on": TARGET_ON, "value": target},
    )


# --- The live school year: a simulated weekly attendance series ---
#
# The real data ends in 2017-18, so nothing in it is current. To try the weekly routine
# (this week's status, today), the demo adds the school year running today with a
# weekly student attendance series for every school, up to the last week that has
# ended. Each value is the school's real 2017-18 attendance rate, plus a seasonal dip
# (deepest at the end of January, none in summer) and a week-to-week wiggle computed
# from the school id and the week: the same inputs always give the same values, so
# loading the demo again on the same day changes nothing.

WEEKLY = MetricPlan(
    "student_attendance_weekly_sim",
    "Student attendance, weekly (simulated)",
    Unit.PERCENT,
    HIGHER,
    BY_ENROLLMENT,
    ("CSO",),
    Decimal("0.5"),
    Decimal("1.0"),
    10,
    "Simulated, not real data: each school's real 2017-18 attendance rate with a "
    "winter dip and a week-to-week wiggle, for the school year running today, so "
    "that this week's status can be tried.",
    population=DISTRICT_RUN,
)
WEEKLY_SOURCE = "Simulated from 2017-18 school attendance (CPS School Progress Reports)"
REAL_YEAR_END = datetime.date(2018, 6, 30)
SEASONAL_DIP = 1.0  # points below the yearly rate at the end of January
WIGGLE = 1.0  # points above or below, week to week


def school_year_start(today: datetime.date) -> datetime.date:
    """1 July of the school year `today` falls in."""
    return datetime.date(today.year if today.month >= 7 else today.year - 1, 7, 1)


def weeks_ended(today: datetime.date) -> list[datetime.date]:
    """The Fridays ending a week of today's school year, before today, oldest first."""
    start = school_year_start(today)
    first = start + datetime.timedelta(days=(WEEK_ENDS_ON - start.weekday()) % 7)
    last = today - datetime.timedelta(days=(today.weekday() - WEEK_ENDS_ON) % 7 or 7)
    return [
        first + datetime.timedelta(weeks=week)
        for week in range((last - first).days // 7 + 1)
    ]


def simulated_rate(rate: Decimal, school_id: str, week_end: datetime.date) -> Decimal:
    """A school's simulated attendance for one week, from its real yearly `rate`."""
    winter = datetime.date(
        week_end.year if week_end.month < 7 else week_end.year + 1, 1, 31
    )
    phase = 2 * math.pi * (week_end - winter).days / 365
    seasonal = -SEASONAL_DIP * (1 + math.cos(phase)) / 2
    digest = hashlib.sha256(f"{school_id}:{week_end.isoformat()}".encode()).digest()
    wiggle = WIGGLE * (int.from_bytes(digest[:4], "big") / 0xFFFFFFFF * 2 - 1)
    value = Decimal(rate) + Decimal(f"{seasonal + wiggle:.4f}")
    return min(max(value, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"))


def build_live_year(
    district: District,
    roles: dict[str, Role],
    acting_user,
    *,
    today,
    update_owner: Person | None = None,
) -> UpsertResult:
    """The simulated weekly attendance of today's school year, up to last week.

    A metric of the attendance goal (after `build_goals`). Its baseline is the real
    2017-18 district attendance, set on 1 July; its target improves it by half a point
    by 30 June. `update_owner` owes its weekly values and commentary (My updates):
    the values of the last week that has ended are left for them to enter.
    """
    start = school_year_start(today)
    goal = Goal.objects.get(district=district, statement=GOALS[0][0])
    metric = ensure(
        Metric,
        acting_user=acting_user,
        district=district,
        code=WEEKLY.code,
        defaults={
            "goal": goal,
            "name": WEEKLY.name,
            "description": WEEKLY.description,
            "unit": WEEKLY.unit,
            "decimals": 1,
            "direction": WEEKLY.direction,
            "aggregation": WEEKLY.aggregation,
            "frequency": Frequency.WEEKLY,
            "tolerance": WEEKLY.tolerance,
            "min_n": WEEKLY.min_n,
            # The same schools as the real attendance its baseline comes from.
            "population": WEEKLY.population[0],
            "population_category": WEEKLY.population[1],
            "population_network_kind": WEEKLY.population[2],
            "source": WEEKLY_SOURCE,
            "is_simulated": True,
            "sort_order": len(GOALS[0][3]) + 1,
            "update_owner": update_owner,
        },
        create_only={
            "baseline_value": Decimal(0),
            "baseline_on": start,
            "target_value": Decimal(0),
            "target_on": datetime.date(start.year + 1, 6, 30),
        },
    )
    for code in WEEKLY.owners:
        ensure(
            MetricOwner,
            acting_user=acting_user,
            district=district,
            metric=metric,
            role=roles[code],
        )
    real = Metric.objects.get(district=district, code=GOALS[0][3][0].code)
    yearly = district_series(
        district=district, metric_ids=[real.pk], period_end=REAL_YEAR_END
    )[real.pk][0]
    if yearly.value is None:
        raise ValueError("No 2017-18 district attendance to simulate weeks from.")
    baseline = yearly.value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    ensure(
        Metric,
        acting_user=acting_user,
        pk=metric.pk,
        defaults={
            "baseline_value": baseline,
            "baseline_on": start,
            "target_value": baseline + WEEKLY.change,
            "target_on": datetime.date(start.year + 1, 6, 30),
            # The target moves to the next 30 June when a new school year begins.
            "target_change_reason": f"The live school year {start.year}-"
            f"{str(start.year + 1)[2:]} began.",
        },
    )
    rates = (
        Measurement.objects.filter(
            metric=real, scope=Scope.SCHOOL, period_end=REAL_YEAR_END
        )
        .order_by("school__school_id")
        .values_list("school__school_id", "value")
    )
    weeks = weeks_ended(today)
    if update_owner is not None:
        # The last week that has ended is left for its update owner to enter, from
        # My updates: it is due on the Monday after.
        weeks = weeks[:-1]
    return upsert_measurements(
        district=district,
        rows=(
            {
                "metric": metric.code,
                "school_id": school_id,
                "period_end": week_end,
                "value": simulated_rate(rate, school_id, week_end),
            }
            for school_id, rate in rates
            for week_end in weeks
        ),
        acting_user=acting_user,
        source=WEEKLY_SOURCE,
    )

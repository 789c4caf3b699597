"""Synthetic districts at real scale: schools, a cabinet matrix, goals and years of values.

`generate_district()` builds a district of a given size in one transaction: networks and
schools, cabinet roles and the people holding them, work areas and responsibilities with
RACI ownerships (mostly distinct rows, some declared joint rows, some gaps and some
conflicts), goals, weekly metrics with baselines, interim and final targets, and one value
per school, metric and week. Values follow a mean-reverting random walk per school around a
school-specific level that drifts toward (or short of) the metric's target, so dashboards
show a realistic mix of on-track, at-risk and off-track metrics. The same seed builds the
same district.

It exists for benchmarks and load tests: a large district (600 schools, 50 weekly metrics,
five years) holds about 8 million measurements. Rows go in by bulk insert; measurements go
through PostgreSQL's COPY in chunks, which is an order of magnitude faster than INSERTs.

History rows are deliberately not written. The data is synthetic load data: no person made
these changes, so an audit trail of them would be false, and writing one history row per
measurement would double the size and time of the load for nothing. Every database
constraint holds, and every row passes its model's validation.
"""

import datetime
import io
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from district.models import District, Network, Person, School, SchoolCategory
from roles.models import (
    Ownership,
    RaciLevel,
    Responsibility,
    Role,
    RoleAssignment,
    RoleKind,
    WorkArea,
)

from .models import (
    Aggregation,
    Direction,
    Frequency,
    Goal,
    GoalOwner,
    Measurement,
    Metric,
    MetricOwner,
    Rollup,
    Scope,
    Target,
    Unit,
)
from .rollups import refresh_rollups

# Rows sent to PostgreSQL per COPY statement, and per bulk_create batch elsewhere.
COPY_CHUNK_ROWS = 200_000
BULK_BATCH_ROWS = 2_000
# Measurements are written one school year (52 weeks) at a time.
WEEKS_PER_BLOCK = 52
SOURCE = "generate_district"


@dataclass(frozen=True)
class DistrictSize:
    """How big a generated district is."""

    schools: int
    metrics: int
    weeks: int
    networks: int = 18
    responsibilities: int = 200
    roles: int = 12

    def __post_init__(self):
        for name in ("schools", "metrics", "weeks", "networks", "responsibilities"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1.")
        if self.roles < 1:
            raise ValueError("roles must be at least 1.")

    @property
    def measurements(self) -> int:
        return self.schools * self.metrics * self.weeks


@dataclass(frozen=True)
class GeneratedDistrict:
    """What `generate_district` built: the district, row counts and the seconds it took."""

    district: District
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class MetricKind:
    """A kind of weekly indicator: unit, direction, rollup, typical level and spread."""

    code: str
    name: str
    unit: str
    direction: str
    aggregation: str
    level: float  # district-wide typical value
    spread: float  # standard deviation of school levels around it
    step: float  # week-to-week noise of one school
    decimals: int
    improvement: float  # planned change over the target period, in the better direction


P, H, L = Unit.PERCENT, Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
METRIC_KINDS = [
    MetricKind("attendance", "Student attendance", P, H, Aggregation.WEIGHTED_N, 93, 3, 0.5, 1, 2),
    MetricKind("chronic-absence", "Chronically absent students", P, L, Aggregation.WEIGHTED_N, 25, 8, 1.0, 1, 6),
    MetricKind("teacher-attendance", "Teacher attendance", P, H, Aggregation.MEAN, 96, 1.5, 0.4, 1, 1),
    MetricKind("freshmen-on-track", "Freshmen on track", P, H, Aggregation.WEIGHTED_N, 85, 7, 0.8, 1, 5),
    MetricKind("course-failures", "Students failing a core course", P, L, Aggregation.WEIGHTED_N, 12, 5, 0.7, 1, 4),
    MetricKind("suspensions", "Out-of-school suspensions per 100 students", Unit.PER_100, L, Aggregation.WEIGHTED_ENROLLMENT, 4, 2.5, 0.4, 2, 1.5),
    MetricKind("a-b-grades", "Students with A or B grades", P, H, Aggregation.WEIGHTED_N, 60, 10, 1.0, 1, 6),
    MetricKind("reading-growth", "Reading growth (scale points)", Unit.SCORE, H, Aggregation.MEAN, 5, 2, 0.4, 2, 2),
    MetricKind("days-lost", "Instructional days lost to suspensions", Unit.DAYS, L, Aggregation.SUM, 10, 6, 1.5, 0, 4),
    MetricKind("walkthroughs", "Classroom walkthroughs completed", Unit.COUNT, H, Aggregation.SUM, 12, 5, 2, 0, 4),
    MetricKind("families-reached", "Families reached by outreach", P, H, Aggregation.MEAN, 70, 12, 1.5, 1, 10),
    MetricKind("retention", "Students still enrolled since fall", P, H, Aggregation.WEIGHTED_N, 97, 2, 0.3, 1, 1),
    MetricKind("lowest-grade-attendance", "Lowest grade-level attendance", P, H, Aggregation.MIN, 88, 4, 0.7, 1, 3),
    MetricKind("largest-class", "Largest class size", Unit.COUNT, L, Aggregation.MAX, 30, 4, 0.6, 0, 2),
]  # fmt: skip

CABINET = [
    ("SUPT", "Superintendent"),
    ("CEDO", "Chief Education Officer"),
    ("CAO", "Chief Academic Officer"),
    ("CSO", "Chief Schools Officer"),
    ("CTO", "Chief Technology Officer"),
    ("COO", "Chief Operating Officer"),
    ("CFO", "Chief Financial Officer"),
    ("CTAL", "Chief Talent Officer"),
    ("CCO", "Chief Communications Officer"),
    ("CFCE", "Chief of Family and Community Engagement"),
    ("CEQ", "Chief Equity Officer"),
    ("CPO", "Chief Portfolio Officer"),
]

WORK_AREAS = {
    "Planning and strategy": ["Yearly priorities", "District goals", "Theory of action"],
    "Curriculum and instruction": ["Scope and sequence", "Instructional materials adoption", "Content-area experts"],
    "Assessment": ["Benchmark assessments", "Assessment calendar", "Adaptive assessment pilots"],
    "School supervision": ["Weekly coaching of network chiefs", "School escalations", "Tiered support allocation"],
    "Principal talent": ["Principal recruitment", "Principal evaluation", "Principal succession"],
    "Teacher development": ["Professional learning on content", "New teacher induction", "Teacher leader pipeline"],
    "Systems and data": ["Student information system", "Data warehouse feeds", "Interoperability standards"],
    "Digital content": ["Standards review of digital content", "Data privacy review of vendors", "Device refresh"],
    "Operations": ["Transportation", "Facilities requests", "Compliance liaison"],
    "Family and community": ["Family communications", "Community partnerships", "Board liaison"],
    "Finance": ["School budgets", "Grant compliance", "Procurement decisions"],
    "Communications": ["Public reporting", "Stakeholder briefings", "Crisis communications"],
}  # fmt: skip

GOAL_STATEMENTS = [
    "Every student attends school every day",
    "Every freshman finishes the year on track to graduate",
    "Every student reads and computes at grade level",
    "Every school is a safe and supportive place to learn",
    "Every family is a partner in learning",
    "Every classroom has a strong, supported teacher",
]

SCHOOL_NAMES = [
    "Lincoln", "Douglass", "Addams", "King", "Clemente", "Curie", "Hubbard", "Lane",
    "Whitney", "Brooks", "Kelly", "Juarez", "Mather", "Senn", "Taft", "Morgan Park",
    "Bogan", "Hyde Park", "Kenwood", "Payton", "Jones", "Dunbar", "Harlan", "Foreman",
]  # fmt: skip


def generate_district(
    *,
    slug: str,
    size: DistrictSize,
    seed: int = 0,
    replace: bool = False,
    last_period: datetime.date | None = None,
    name: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> GeneratedDistrict:
    """Build a synthetic district of `size` under `slug`; replace it when `replace` is set.

    Raises ValueError when the slug is taken and `replace` is not set. The weekly periods
    end on Fridays, the last on `last_period` (default: the latest Friday up to today).
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    rng = random.Random(seed)
    last = _friday_on_or_before(last_period or timezone.localdate())
    periods = [
        last - datetime.timedelta(weeks=size.weeks - 1 - i) for i in range(size.weeks)
    ]

    with transaction.atomic():
        existing = District.objects.filter(slug=slug).first()
        if existing is not None:
            if not replace:
                raise ValueError(
                    f"A district with slug {slug!r} exists; use replace to rebuild it."
                )
            say(f"Deleting the existing district {slug!r}")
            delete_district(existing)
        district = District.objects.create(
            slug=slug, name=name or f"Synthetic District ({size.schools} schools)"
        )
        roles = _create_roles(district, size, periods[0])
        networks, schools = _create_schools(district, size, rng, periods[0])
        say(f"{len(networks)} networks, {len(schools)} schools, {len(roles)} roles")
        ownerships = _create_matrix(district, size, roles, rng)
        say(f"{size.responsibilities} responsibilities, {ownerships} ownerships")
        metrics, plans = _create_goals_and_metrics(district, size, roles, rng, periods)
        say(f"{len(metrics)} metrics; writing {size.measurements:,} measurements")
        written = _write_measurements(district, schools, plans, periods, rng, say)
        if connection.vendor == "postgresql":
            # Statistics for the refresh's plan: without them PostgreSQL takes a
            # district's 600 schools for one row and probes every metric and school.
            tables = (Measurement, School, Network, Metric, District)
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE " + ", ".join(model._meta.db_table for model in tables)
                )
        # Rows went in without signals: the stored rollups are computed once, here.
        refreshing = time.monotonic()
        rollups = refresh_rollups(district)
        rollup_seconds = time.monotonic() - refreshing
        say(f"{rollups:,} rollups stored in {rollup_seconds:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Rollup._meta.db_table}")

    counts = {
        "networks": len(networks),
        "schools": len(schools),
        "roles": len(roles),
        "responsibilities": size.responsibilities,
        "ownerships": ownerships,
        "metrics": len(metrics),
        "measurements": written,
        "rollups": rollups,
    }
    return GeneratedDistrict(
        district=district, counts=counts, seconds=time.monotonic() - started
    )


def delete_district(district: District) -> None:
    """Delete a district and everything in it, fast, without writing history rows.

    Measurements go first in one SQL DELETE: the ORM would load every row to send
    signals. Responsibilities go before their work areas, which they protect.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Measurement._meta.db_table} WHERE district_id = %s",
            [district.pk],
        )
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        Responsibility.objects.filter(district=district).delete()
        district.delete()


def _friday_on_or_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


def _june_30_after(day: datetime.date) -> datetime.date:
    end = datetime.date(day.year, 6, 30)
    return end if end > day else datetime.date(day.year + 1, 6, 30)


def _create_roles(district, size, start) -> list[Role]:
    roles = []
    for i in range(size.roles):
        code, title = CABINET[i] if i < len(CABINET) else (f"R{i + 1}", f"Role {i + 1}")
        kind = RoleKind.CABINET if i < len(CABINET) else RoleKind.OTHER
        roles.append(
            Role(district=district, code=code, title=title, kind=kind, sort_order=i)
        )
    roles = Role.objects.bulk_create(roles)
    for role in roles[1:]:
        role.reports_to = roles[0]
    Role.objects.bulk_update(roles[1:], ["reports_to"])
    people = Person.objects.bulk_create(
        Person(
            district=district, name=f"{role.title} {district.slug}", title=role.title
        )
        for role in roles
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            district=district,
            role=role,
            person=person,
            started_on=start,
            is_acting=(i % 7 == 6),
        )
        for i, (role, person) in enumerate(zip(roles, people, strict=True))
    )
    return roles


def _create_schools(district, size, rng, start):
    network_count = min(size.networks, size.schools)
    chiefs = Person.objects.bulk_create(
        Person(district=district, name=f"Network Chief {k + 1}", title="Network chief")
        for k in range(network_count)
    )
    networks = Network.objects.bulk_create(
        Network(
            district=district,
            name=f"Network {k + 1}",
            is_geographic=k < max(1, network_count - 2),
            chief=chiefs[k],
        )
        for k in range(network_count)
    )
    categories = [SchoolCategory.ELEMENTARY] * 7 + [
        SchoolCategory.MIDDLE,
        SchoolCategory.HIGH,
        SchoolCategory.HIGH,
    ]
    schools = []
    for i in range(size.schools):
        category = rng.choice(categories)
        if rng.random() < 0.03:
            enrollment = rng.randint(6, 14)  # small programmes: values get suppressed
        else:
            typical = 1200 if category == SchoolCategory.HIGH else 450
            enrollment = max(40, int(rng.lognormvariate(math.log(typical), 0.45)))
        base = SCHOOL_NAMES[i % len(SCHOOL_NAMES)]
        schools.append(
            School(
                district=district,
                school_id=str(600000 + i),
                name=f"{base} {category.label} {i + 1}",
                short_name=f"{base} {i + 1}",
                category=category,
                enrollment=enrollment,
                network=networks[i % network_count],
            )
        )
    schools = School.objects.bulk_create(schools, batch_size=BULK_BATCH_ROWS)
    return networks, schools


def _row_levels(rng: random.Random, role_count: int) -> tuple[bool, list[str]]:
    """One matrix row: whether it is declared joint, and a level (or "") per role."""
    levels = [""] * role_count
    # Roles early in the cabinet list own more rows: some overload shows in the matrix.
    weights = [1.0 / (1 + 0.3 * k) for k in range(role_count)]
    order = []
    pool = list(range(role_count))
    while pool:
        pick = rng.choices(range(len(pool)), weights=[weights[p] for p in pool])[0]
        order.append(pool.pop(pick))
    kind = rng.random()
    is_joint = False
    if kind < 0.12 and role_count >= 2:
        is_joint = True
        accountable = rng.randint(2, min(3, role_count))
    elif kind < 0.21:
        accountable = 0  # a gap: nobody accountable
    elif kind < 0.30 and role_count >= 2:
        accountable = 2  # a conflict: two accountable roles, no joint agreement
    else:
        accountable = 1
    rest = order[accountable:]
    for k in order[:accountable]:
        levels[k] = RaciLevel.ACCOUNTABLE
    for level, count in (
        (RaciLevel.RESPONSIBLE, rng.randint(1, 2)),
        (RaciLevel.CONSULTED, rng.randint(1, 3)),
        (RaciLevel.INFORMED, rng.randint(0, 3)),
    ):
        for k in rest[:count]:
            levels[k] = level
        rest = rest[count:]
    return is_joint, levels


def _create_matrix(district, size, roles, rng) -> int:
    area_names = list(WORK_AREAS)
    area_count = max(1, min(len(area_names), math.ceil(size.responsibilities / 17)))
    areas = WorkArea.objects.bulk_create(
        WorkArea(district=district, name=area_names[k], sort_order=k)
        for k in range(area_count)
    )
    rows, levels_per_row = [], []
    for i in range(size.responsibilities):
        area = areas[i % area_count]
        phrases = WORK_AREAS[area.name]
        nth = i // area_count
        phrase = phrases[nth % len(phrases)]
        label = (
            phrase if nth < len(phrases) else f"{phrase} ({nth // len(phrases) + 1})"
        )
        is_joint, levels = _row_levels(rng, len(roles))
        rows.append(
            Responsibility(
                district=district,
                work_area=area,
                name=label,
                is_joint=is_joint,
                sort_order=nth,
            )
        )
        levels_per_row.append(levels)
    rows = Responsibility.objects.bulk_create(rows, batch_size=BULK_BATCH_ROWS)
    ownerships = [
        Ownership(district=district, responsibility=row, role=role, level=level)
        for row, levels in zip(rows, levels_per_row, strict=True)
        for role, level in zip(roles, levels, strict=True)
        if level
    ]
    Ownership.objects.bulk_create(ownerships, batch_size=BULK_BATCH_ROWS)
    return len(ownerships)


@dataclass
class _MetricPlan:
    """How one metric's values evolve: kind, start level, weekly drift."""

    metric: Metric
    kind: MetricKind
    drift: float  # change of every school's level per week
    low: float
    high: float


def _clamp_range(unit: str) -> tuple[float, float]:
    if unit == Unit.PERCENT:
        return 0.0, 100.0
    if unit == Unit.SCORE:
        return -1e9, 1e9
    return 0.0, 1e9


def _create_goals_and_metrics(district, size, roles, rng, periods):
    goal_count = max(1, math.ceil(size.metrics / 5))
    baseline_on = periods[0]
    target_on = _june_30_after(periods[-1] + datetime.timedelta(days=365))
    goals = Goal.objects.bulk_create(
        Goal(
            district=district,
            statement=GOAL_STATEMENTS[g % len(GOAL_STATEMENTS)]
            + (
                ""
                if g < len(GOAL_STATEMENTS)
                else f" ({g // len(GOAL_STATEMENTS) + 1})"
            ),
            starts_on=baseline_on,
            ends_on=target_on,
            sort_order=g,
        )
        for g in range(goal_count)
    )
    GoalOwner.objects.bulk_create(
        GoalOwner(district=district, goal=goal, role=role)
        for g, goal in enumerate(goals)
        for role in {roles[g % len(roles)], roles[(g + 2) % len(roles)]}
    )
    total_weeks = max(1, (target_on - baseline_on).days / 7)
    metrics, plans = [], []
    for m in range(size.metrics):
        kind = METRIC_KINDS[m % len(METRIC_KINDS)]
        round_ = m // len(METRIC_KINDS)
        sign = 1 if kind.direction == Direction.HIGHER_IS_BETTER else -1
        low, high = _clamp_range(kind.unit)
        baseline = min(high, max(low, kind.level))
        target = min(high, max(low, kind.level + sign * kind.improvement))
        # Most metrics improve at about the planned pace; some lag, a few slip back.
        pace = rng.choice([1.1, 1.0, 0.9, 0.7, 0.4, 0.0, -0.3])
        drift = (target - baseline) / total_weeks * pace
        metric = Metric(
            district=district,
            goal=goals[m % goal_count],
            code=kind.code if round_ == 0 else f"{kind.code}-{round_ + 1}",
            name=kind.name if round_ == 0 else f"{kind.name} ({round_ + 1})",
            unit=kind.unit,
            decimals=kind.decimals,
            direction=kind.direction,
            aggregation=kind.aggregation,
            frequency=Frequency.WEEKLY,
            baseline_value=_decimal(baseline, kind.decimals),
            baseline_on=baseline_on,
            target_value=_decimal(target, kind.decimals),
            target_on=target_on,
            tolerance=_decimal(kind.improvement / 4, kind.decimals + 1),
            source="Weekly extract from the student information system",
            sort_order=m,
        )
        metrics.append(metric)
        plans.append(_MetricPlan(metric, kind, drift, low, high))
    metrics = Metric.objects.bulk_create(metrics, batch_size=BULK_BATCH_ROWS)
    MetricOwner.objects.bulk_create(
        MetricOwner(district=district, metric=metric, role=roles[m % len(roles)])
        for m, metric in enumerate(metrics)
    )
    targets = []
    for plan in plans:
        metric = plan.metric
        due = _june_30_after(metric.baseline_on)
        while due < metric.target_on:
            share = (due - metric.baseline_on).days / (
                metric.target_on - metric.baseline_on
            ).days
            value = float(metric.baseline_value) + share * float(
                metric.target_value - metric.baseline_value
            )
            targets.append(
                Target(
                    district=district,
                    metric=metric,
                    due_on=due,
                    value=_decimal(value, plan.kind.decimals),
                )
            )
            due = datetime.date(due.year + 1, 6, 30)
    Target.objects.bulk_create(targets, batch_size=BULK_BATCH_ROWS)
    return metrics, plans


def _decimal(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def _write_measurements(district, schools, plans, periods, rng, say) -> int:
    """Write one value per school, metric and week, one school year at a time.

    Within a year, rows go in by metric, school and week, as yearly files are loaded.
    That order keeps every index's insertion points few (one per metric and school for
    the unique index), so the indexes stay cached while millions of rows go in.
    """
    # Each school's own level per metric, and the random walk's current position.
    levels = [
        [rng.gauss(plan.kind.level, plan.kind.spread) for _school in schools]
        for plan in plans
    ]
    current = [list(row) for row in levels]
    now = timezone.now()
    # Values of a week are entered three days after it ends.
    stamps = [
        min(
            now,
            datetime.datetime.combine(
                period + datetime.timedelta(days=3), datetime.time(6), datetime.UTC
            ),
        )
        for period in periods
    ]
    sink = (
        _CopySink(district, schools, plans, periods, stamps)
        if connection.vendor == "postgresql"
        else _BulkCreateSink(district, schools, plans, periods)
    )
    if connection.vendor == "postgresql":
        # Check foreign keys at the end of each COPY chunk rather than at commit, so the
        # queue of pending checks stays one chunk long instead of millions of rows.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    gauss, written = rng.gauss, 0
    for start in range(0, len(periods), WEEKS_PER_BLOCK):
        weeks = range(start, min(start + WEEKS_PER_BLOCK, len(periods)))
        for m, plan in enumerate(plans):
            step, low, high, drift = plan.kind.step, plan.low, plan.high, plan.drift
            level_row, row = levels[m], current[m]
            for s in range(len(schools)):
                x, level, values = row[s], level_row[s], []
                for week in weeks:
                    # Mean-reverting walk around the school's drifting level.
                    x += 0.3 * (level + drift * week - x) + gauss(0.0, step)
                    x = low if x < low else high if x > high else x
                    values.append(x)
                row[s] = x
                sink.add(m, s, weeks, values)
                written += len(values)
        sink.flush()
        say(f"  {written:,} measurements ({weeks.stop} of {len(periods)} weeks)")
    return written


class _CopySink:
    """Streams measurements into PostgreSQL with COPY, one in-memory CSV chunk at a time."""

    columns = (
        "district_id, metric_id, period_end, scope, school_id, network_id, value, n, "
        "source, entered_by_id, entered_at, updated_at, version"
    )

    def __init__(self, district, schools, plans, periods, stamps):
        self.sql = (
            f"COPY {Measurement._meta.db_table} ({self.columns}) "
            "FROM STDIN WITH (FORMAT csv)"
        )
        # No generated field holds a comma or a quote, so no CSV quoting is needed.
        self.prefixes = [f"{district.pk},{plan.metric.pk}," for plan in plans]
        self.school_parts = [f",{Scope.SCHOOL},{school.pk},," for school in schools]
        self.n_parts = [f",{school.enrollment or ''}," for school in schools]
        self.formats = [f"{{:.{plan.kind.decimals}f}}" for plan in plans]
        self.with_n = [plan.kind.unit in (Unit.PERCENT, Unit.PER_100) for plan in plans]
        self.periods = [period.isoformat() for period in periods]
        self.suffixes = [
            f"{SOURCE},,{t.isoformat()},{t.isoformat()},1\n" for t in stamps
        ]
        self.lines: list[str] = []

    def add(self, m, s, weeks, values):
        head = self.prefixes[m]
        school = self.school_parts[s]
        n_part = self.n_parts[s] if self.with_n[m] else ",,"
        fmt, periods, suffixes = self.formats[m].format, self.periods, self.suffixes
        self.lines.extend(
            f"{head}{periods[week]}{school}{fmt(value)}{n_part}{suffixes[week]}"
            for week, value in zip(weeks, values, strict=True)
        )
        if len(self.lines) >= COPY_CHUNK_ROWS:
            self.flush()

    def flush(self):
        if not self.lines:
            return
        stream = io.StringIO("".join(self.lines))
        self.lines = []
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(self.sql, stream, size=1 << 20)
            else:  # psycopg 3
                with raw.copy(self.sql) as copy:
                    copy.write(stream.getvalue())


class _BulkCreateSink:
    """Writes measurements with bulk_create in batches, for databases without COPY."""

    def __init__(self, district, schools, plans, periods):
        self.district, self.schools, self.plans = district, schools, plans
        self.periods = periods
        self.rows: list[Measurement] = []

    def add(self, m, s, weeks, values):
        plan, school = self.plans[m], self.schools[s]
        with_n = plan.kind.unit in (Unit.PERCENT, Unit.PER_100)
        for week, value in zip(weeks, values, strict=True):
            self.rows.append(
                Measurement(
                    district=self.district,
                    metric=plan.metric,
                    period_end=self.periods[week],
                    scope=Scope.SCHOOL,
                    school=school,
                    value=_decimal(value, plan.kind.decimals),
                    n=school.enrollment if with_n else None,
                    source=SOURCE,
                )
            )
        if len(self.rows) >= BULK_BATCH_ROWS * 10:
            self.flush()

    def flush(self):
        if self.rows:
            Measurement.objects.bulk_create(self.rows, batch_size=BULK_BATCH_ROWS)
            self.rows = []

"""manage.py load_demo: the Chicago Public Schools demo district, built twice the same."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from district.models import AccessLevel, District, Membership, Network, Person, School
from goals.models import Direction, Measurement, Metric, Target
from goals.rollups import district_series, network_series
from roles.matrix import Classification, build_matrix
from roles.models import Ownership, Responsibility, Role, RoleAssignment
from tiers.evaluation import evaluate_plan
from tiers.models import Support, TierPlan

PASSWORD = "demo-password-for-tests"

EXPECTED_COUNTS = {
    "networks": 22,
    "schools": 660,
    "roles": 9,
    "people": 26,
    "role assignments": 26,
    "work areas": 6,
    "responsibilities": 36,
    "ownerships": 152,
    "goals": 3,
    "metrics": 8,
    "targets": 25,
    # 8,933 real values, and 644 schools × 21 simulated weeks (3 July to 20 November).
    "measurements": 8933 + 644 * 21,
    "members": 6,
}


def history_rows() -> int:
    """History records of every model, all apps together."""
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


def printed_counts(output: str) -> dict[str, int]:
    """The totals the command printed, by label ("  schools   660  (660 new)")."""
    return {
        match["label"]: int(match["total"])
        for match in re.finditer(
            r"^  (?P<label>\S.*?) +(?P<total>\d+)  \(\d+ new\)$", output, re.MULTILINE
        )
    }


# The demo's live school year depends on today: the tests load it on a fixed day.
TODAY = datetime.date(2026, 12, 3)


def on_day(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC),
        tick=False,
    )


def load_demo(*, today=TODAY, **options) -> str:
    out = StringIO()
    with on_day(today):
        call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_builds_the_district_once_and_a_second_run_changes_nothing(
    monkeypatch,
):
    first = load_demo(password=PASSWORD)
    history = history_rows()
    versions = sorted(Measurement.objects.values_list("pk", "version"))
    monkeypatch.setenv("LANES_DEMO_PASSWORD", PASSWORD)
    second = load_demo()

    assert printed_counts(first) == EXPECTED_COUNTS
    assert printed_counts(second) == EXPECTED_COUNTS
    assert "(0 new)" not in first
    assert second.count("(0 new)") == len(EXPECTED_COUNTS)
    assert history_rows() == history
    assert sorted(Measurement.objects.values_list("pk", "version")) == versions
    assert "skipped rows          55  (measurements: 55 for school_id)" in first
    assert "simulated weeks    13524" in first
    assert "simulated weeks        0" in second
    assert "Log in at http://127.0.0.1:8000/accounts/login/" in first
    assert "password from --password" in first
    assert "password from LANES_DEMO_PASSWORD" in second

    district = District.objects.get(slug="cps")
    assert district.name == "Chicago Public Schools"
    check_structure(district)
    check_matrix(district)
    check_goals(district)
    check_live_year(district)
    check_logins(district)
    check_tiers(district)
    check_decisions(district)

    # A week later, the week ending 27 November is added (the one ending 4 December is
    # left to its update owner), and nothing else changes.
    week_later = load_demo(today=TODAY + datetime.timedelta(days=7))
    assert "simulated weeks      644" in week_later
    assert printed_counts(week_later) == {
        **EXPECTED_COUNTS,
        "measurements": 8933 + 644 * 22,
    }
    assert Measurement.objects.filter(
        period_end=datetime.date(2026, 11, 27)
    ).count() == (644)
    assert not Measurement.objects.filter(
        period_end=datetime.date(2026, 12, 4)
    ).exists()


def check_structure(district):
    networks = Network.objects.filter(district=district)
    assert networks.filter(is_geographic=True).count() == 17
    assert set(networks.filter(is_geographic=False).values_list("name", flat=True)) == {
        "ISP",
        "Options",
        "Charter",
        "AUSL",
        "Contract",
    }
    # One chief per geographic network, holding the network chief role.
    chiefs = networks.filter(is_geographic=True).values_list("chief", flat=True)
    assert None not in chiefs and len(set(chiefs)) == 17
    nc = Role.objects.get(district=district, code="NC")
    assert nc.kind == "network_chief" and nc.reports_to.code == "CSO"
    assert set(
        RoleAssignment.objects.filter(role=nc).values_list("person", flat=True)
    ) == set(chiefs)
    assert Role.objects.get(district=district, code="CAO").reports_to.code == "CEDO"
    acting = RoleAssignment.objects.get(district=district, is_acting=True)
    assert acting.role.code == "CTO"
    assert School.objects.filter(district=district, network__isnull=True).count() == 6
    assert School.objects.get(district=district, school_id="400009").network.name == (
        "Charter"
    )


def check_matrix(district):
    matrix = build_matrix(district)
    summary = matrix.summary
    assert (summary.rows, summary.joint, summary.distinct) == (36, 7, 27)
    assert (summary.gaps, summary.conflicts, summary.with_warnings) == (1, 1, 0)
    by_name = {row.name: row for row in matrix.rows()}
    gap = by_name["Selecting digital content"]
    assert gap.health.classification == Classification.GAP
    assert {cell.role.code: cell.level for cell in gap.cells if cell.level} == {
        "CAO": "R",
        "CTO": "R",
        "CIO": "C",
        "CSO": "C",
        "CTL": "C",
    }
    conflict = by_name["School data dashboards"]
    assert conflict.health.classification == Classification.CONFLICT
    assert not conflict.is_joint
    joint = by_name["Student outcomes"]
    assert joint.health.classification == Classification.JOINT
    accountable = {
        load.role.code: load.accountable
        for load in summary.role_loads
        if load.accountable
    }
    assert accountable == {
        "SUPT": 5,
        "CEDO": 5,
        "CAO": 14,
        "CSO": 17,
        "CTO": 4,
        "CIO": 4,
    }
    overloaded = Role.objects.get(pk__in=summary.overload.overloaded)
    assert overloaded.code == "CSO"
    assert Ownership.objects.filter(district=district).count() == 152
    assert Responsibility.objects.filter(district=district, is_joint=True).count() == 7


def check_goals(district):
    metrics = {
        metric.code: metric for metric in Metric.objects.filter(district=district)
    }
    assert {metric.name for metric in metrics.values()} == {
        "Student attendance",
        "Teacher attendance",
        "Freshmen on track",
        "4-year graduation",
        "College enrollment",
        "One-year dropout",
        "Suspensions per 100 students",
        "Student attendance, weekly (simulated)",
    }
    assert [m.code for m in metrics.values() if m.is_simulated] == [
        "student_attendance_weekly_sim"
    ]
    lower = {
        code for code, m in metrics.items() if m.direction == Direction.LOWER_IS_BETTER
    }
    assert lower == {"one_year_dropout_pct", "suspensions_per_100"}
    series = district_series(
        district=district, metric_ids=[m.pk for m in metrics.values()]
    )
    for metric in metrics.values():
        if metric.is_simulated:
            continue  # check_live_year
        first = series[metric.pk][0]
        expected = first.value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert (metric.baseline_value, metric.baseline_on) == (
            expected,
            first.period_end,
        )
        assert metric.target_on == datetime.date(2019, 6, 30)
    assert metrics["student_attendance_pct"].baseline_on == datetime.date(2015, 6, 30)
    assert metrics["graduation_4yr_pct"].baseline_on == datetime.date(2016, 6, 30)
    assert metrics["student_attendance_pct"].aggregation == "weighted_enrollment"
    dropout = metrics["one_year_dropout_pct"]
    assert dropout.target_value < dropout.baseline_value
    assert list(
        Target.objects.filter(
            metric=metrics["student_attendance_pct"], network=None
        ).values_list("due_on", flat=True)
    ) == [
        datetime.date(2016, 6, 30),
        datetime.date(2017, 6, 30),
        datetime.date(2018, 6, 30),
    ]
    check_network_target(district, metrics["student_attendance_pct"])
    owners = {
        metric.code: set(metric.owner_roles.values_list("code", flat=True))
        for metric in metrics.values()
    }
    assert owners["student_attendance_pct"] == {"CSO"}
    assert owners["freshmen_on_track_pct"] == {"CAO", "CSO"}


def check_network_target(district, attendance):
    """The geographic network whose attendance started lowest has its own target:
    its own 2014-15 value, plus 3 points by 30 June 2019, straight line between."""
    geographic = Network.objects.filter(district=district, is_geographic=True)
    series = network_series(
        district=district,
        metric_ids=[attendance.pk],
        network_ids=[n.pk for n in geographic],
    )
    first = {
        network_id: values[0].value
        for (_metric, network_id), values in series.items()
        if values[0].period_end == datetime.date(2015, 6, 30)
    }
    lowest = min(first, key=first.get)
    baseline = first[lowest].quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    targets = Target.objects.filter(metric=attendance, network__isnull=False)
    assert set(targets.values_list("network", flat=True)) == {lowest}
    points = [(t.kind, t.due_on, t.value) for t in targets.order_by("due_on")]
    step = Decimal(3) / 4
    assert points == [
        ("baseline", datetime.date(2015, 6, 30), baseline),
        *(
            (
                "interim",
                datetime.date(2015 + year, 6, 30),
                (baseline + step * year).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                ),
            )
            for year in (1, 2, 3)
        ),
        ("final", datetime.date(2019, 6, 30), baseline + 3),
    ]


def check_tiers(district):
    """The 2017-18 rules, ready to adopt, and what they give on the real data."""
    plan = TierPlan.objects.get(district=district, school_year="2017-18")
    assert plan.adopted_at is None and plan.rules.count() == 3
    evaluation = evaluate_plan(plan)
    counts = {c.tier.name: c.schools for c in evaluation.counts}
    assert counts == {
        "Tier 1: autonomy": 97,
        "Tier 2: support": 477,
        "Tier 3: intensive": 86,
    }
    in_network_11 = [
        p
        for p in evaluation.placements
        if p.tier.level == 3 and p.school.network.name == "Network 11"
    ]
    assert len(in_network_11) == 6
    assert Support.objects.get(district=district, name="Literacy coach").capacity == 12


def check_decisions(district):
    """The demo's two-key decisions: one approved with the CTO's condition and in the
    register, one declined by the CTO, one waiting for the CTO past the target."""
    from decisions.models import Decision
    from decisions.register import approved_tools

    states = dict(
        Decision.objects.filter(district=district).values_list("product", "state")
    )
    assert states == {
        "LeafLine Reader": "approved_with_conditions",
        "QuizBlitz": "declined",
        "SoundSteps Phonics": "in_review",
    }
    (tool,) = approved_tools(district)
    assert tool.product == "LeafLine Reader"
    assert tool.conditions.startswith("CTO: Students sign in through")
    quiz = Decision.objects.get(district=district, product="QuizBlitz")
    assert (
        quiz.transitions.order_by("-at")
        .first()
        .reason.startswith("CTO declined: The vendor will not sign")
    )
    keys = {
        review.role.code: review.reviewer_name
        for review in Decision.objects.get(
            district=district, product="LeafLine Reader"
        ).reviews.select_related("role")
    }
    assert keys == {"CAO": "Priya Pemberton", "CTO": "Lena Lockwood"}


def check_logins(district):
    users = {user.username: user for user in get_user_model().objects.all()}
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["editor"].is_staff and not users["editor"].is_superuser
    assert not users["viewer"].is_staff
    levels = dict(
        Membership.objects.filter(district=district).values_list(
            "user__username", "access_level"
        )
    )
    assert levels == {
        "admin": AccessLevel.ADMIN,
        "editor": AccessLevel.EDITOR,
        "viewer": AccessLevel.VIEWER,
        "chief": AccessLevel.EDITOR,
        "cao": AccessLevel.EDITOR,
        "cto": AccessLevel.EDITOR,
    }
    assert Person.objects.get(district=district, user=users["chief"]).name == (
        "Keisha Kettleburn"
    )
    assert Person.objects.get(district=district, user=users["editor"]).name == (
        "Nadia Northrup"
    )
    assert Person.objects.get(district=district, user=users["cto"]).name == (
        "Lena Lockwood"
    )
    for username in ("admin", "editor", "viewer", "cao", "cto", "chief"):
        assert Client().login(username=username, password=PASSWORD)
    assert not Client().login(username="viewer", password="wrong")


def test_load_demo_refuses_to_run_without_a_password(monkeypatch):
    monkeypatch.delenv("LANES_DEMO_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="--password P, or set LANES_DEMO_PASSWORD"):
        load_demo()


def check_live_year(district):
    """The simulated weekly attendance of 2026-27, derived from real 2017-18 rates."""
    weekly = Metric.objects.get(district=district, code="student_attendance_weekly_sim")
    real = Metric.objects.get(district=district, code="student_attendance_pct")
    assert weekly.is_simulated and not real.is_simulated
    assert weekly.frequency == "weekly"
    assert "Simulated, not real data" in weekly.description
    assert weekly.goal == real.goal
    assert set(weekly.owner_roles.values_list("code", flat=True)) == {"CSO"}
    # Baseline: the real 2017-18 attendance of the district-run schools (93.9%), the
    # same population, on 1 July; target +0.5.
    assert weekly.population == real.population
    assert (weekly.baseline_value, weekly.baseline_on) == (
        Decimal("93.9"),
        datetime.date(2026, 7, 1),
    )
    assert (weekly.target_value, weekly.target_on) == (
        Decimal("94.4"),
        datetime.date(2027, 6, 30),
    )
    weeks = sorted(
        set(
            Measurement.objects.filter(metric=weekly).values_list(
                "period_end", flat=True
            )
        )
    )
    assert weeks[0] == datetime.date(2026, 7, 3)
    # Up to the week before last, seen on 3 December: the week ending 27 November is
    # left to the update owner, the chief of staff (the editor login).
    assert weeks[-1] == datetime.date(2026, 11, 20)
    assert len(weeks) == 21 and {week.weekday() for week in weeks} == {4}
    assert weekly.update_owner.user.username == "editor"
    # Each school's value stays within two points of its real 2017-18 rate (a dip of
    # at most 1 and a wiggle of at most 1).
    rates = dict(
        Measurement.objects.filter(
            metric=real, period_end=datetime.date(2018, 6, 30), scope="school"
        ).values_list("school_id", "value")
    )
    simulated = list(
        Measurement.objects.filter(metric=weekly).values_list("school_id", "value")
    )
    assert len({school for school, _value in simulated}) == len(rates) == 644
    assert all(abs(value - rates[school]) <= 2 for school, value in simulated)
    # The real yearly values stay as they are.
    assert not Measurement.objects.filter(
        metric=real, period_end__gt=datetime.date(2018, 6, 30)
    ).exists()

"""Tier rules evaluated in SQL, checked by hand on a small district."""

import datetime
from decimal import Decimal

import pytest

from district.models import School
from goals.models import Direction, Frequency, Measurement, Scope
from goals.scorecards import build_network_scorecard
from tests.factories import (
    MeasurementFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
    SchoolGroupFactory,
    SchoolGroupMemberFactory,
    TargetFactory,
    TierFactory,
    TierPlanFactory,
    TierRuleFactory,
    UserFactory,
)
from tiers.evaluation import evaluate_plan
from tiers.models import Comparison

YEAR_END = datetime.date(2018, 6, 30)


@pytest.fixture
def small(district):
    """Three flat metrics (expected 90 attendance, 90 teacher attendance, 5
    suspensions, tolerance 2), tiers 1 to 3, and the plan of 2017-18."""
    attendance = MetricFactory(
        district=district,
        name="Attendance",
        baseline_value=Decimal("90"),
        target_value=Decimal("90"),
    )
    teachers = MetricFactory(
        district=district,
        name="Teachers",
        baseline_value=Decimal("90"),
        target_value=Decimal("90"),
    )
    suspensions = MetricFactory(
        district=district,
        name="Suspensions",
        direction=Direction.LOWER_IS_BETTER,
        baseline_value=Decimal("5"),
        target_value=Decimal("5"),
    )
    tiers = {level: TierFactory(district=district, level=level) for level in (1, 2, 3)}
    plan = TierPlanFactory(
        district=district, school_year="2017-18", default_tier=tiers[2]
    )
    network = NetworkFactory(district=district)
    return {
        "attendance": attendance,
        "teachers": teachers,
        "suspensions": suspensions,
        "tiers": tiers,
        "plan": plan,
        "network": network,
    }


def school_with(district, network, name, values):
    school = SchoolFactory(district=district, network=network, name=name)
    for metric, value, *period in values:
        MeasurementFactory(
            district=district,
            metric=metric,
            school=school,
            value=Decimal(value),
            period_end=period[0] if period else YEAR_END,
        )
    return school


def standard_rules(small):
    """Tier 1: attendance at least 95 and nothing off track; Tier 3: 2+ off track."""
    TierRuleFactory(
        district=small["plan"].district,
        plan=small["plan"],
        position=1,
        tier=small["tiers"][1],
        metric=small["attendance"],
        comparison=Comparison.AT_LEAST,
        threshold=Decimal("95"),
        min_off_track=None,
        max_off_track=0,
    )
    TierRuleFactory(
        district=small["plan"].district,
        plan=small["plan"],
        position=2,
        tier=small["tiers"][3],
        min_off_track=2,
    )


def placements(plan):
    return {p.school.name: p for p in evaluate_plan(plan).placements}


def test_rules_place_schools_as_worked_out_by_hand(district, small):
    standard_rules(small)
    a, t, s, n = (
        small["attendance"],
        small["teachers"],
        small["suspensions"],
        small["network"],
    )
    school_with(district, n, "Strong", [(a, "96"), (t, "91"), (s, "3")])
    # Exactly at the threshold: "at least 95" holds.
    school_with(district, n, "At threshold", [(a, "95"), (t, "91"), (s, "4")])
    # 87.9 is worse than 90 by more than the tolerance of 2: off track; so is 7.5
    # suspensions (lower is better). Two off track: tier 3.
    school_with(district, n, "Struggling", [(a, "87.9"), (t, "91"), (s, "7.5")])
    # 88 is exactly the tolerance away: at risk, not off track; one metric off.
    school_with(district, n, "At risk", [(a, "88"), (t, "80"), (s, "5")])

    placed = placements(small["plan"])

    assert placed["Strong"].tier == small["tiers"][1]
    assert placed["Strong"].rule.position == 1
    assert placed["At threshold"].tier == small["tiers"][1]
    assert placed["Struggling"].tier == small["tiers"][3]
    assert placed["Struggling"].off_track == 2
    assert placed["At risk"].off_track == 1
    assert placed["At risk"].tier == small["tiers"][2]
    assert placed["At risk"].rule is None


def test_the_first_matching_rule_wins_a_tie(district, small):
    # Both rules match a school with 2 metrics off track and low attendance.
    TierRuleFactory(
        district=district,
        plan=small["plan"],
        position=1,
        tier=small["tiers"][3],
        min_off_track=2,
    )
    TierRuleFactory(
        district=district,
        plan=small["plan"],
        position=2,
        tier=small["tiers"][2],
        metric=small["attendance"],
        comparison=Comparison.AT_MOST,
        threshold=Decimal("89"),
        min_off_track=None,
    )
    school_with(
        district,
        small["network"],
        "Both",
        [(small["attendance"], "80"), (small["suspensions"], "9")],
    )

    placed = placements(small["plan"])["Both"]

    assert placed.rule.position == 1
    assert placed.tier == small["tiers"][3]


def test_missing_and_stale_values_never_match_a_metric_rule_nor_count_off_track(
    district, small
):
    standard_rules(small)
    n = small["network"]
    # No attendance value at all: rule 1 cannot match, whatever else holds.
    school_with(district, n, "No attendance", [(small["teachers"], "91")])
    # Attendance only from three years before: stale for a yearly metric.
    school_with(
        district,
        n,
        "Stale",
        [
            (small["attendance"], "50", datetime.date(2015, 6, 30)),
            (small["suspensions"], "20", datetime.date(2015, 6, 30)),
        ],
    )
    school_with(district, n, "Nothing", [])

    placed = placements(small["plan"])

    for name in ("No attendance", "Stale", "Nothing"):
        assert placed[name].tier == small["tiers"][2], name
        assert placed[name].off_track == 0, name
        assert placed[name].rule is None
    assert "no current value" in placed["Stale"].explanation


def test_the_latest_value_decides_and_values_after_the_year_are_ignored(
    district, small
):
    standard_rules(small)
    school_with(
        district,
        small["network"],
        "Recovered",
        [
            (small["attendance"], "80", datetime.date(2017, 6, 30)),
            (small["attendance"], "97", YEAR_END),
            (small["attendance"], "60", datetime.date(2019, 6, 30)),
        ],
    )

    placed = placements(small["plan"])["Recovered"]

    assert placed.tier == small["tiers"][1]
    assert placed.readings[0].value == Decimal("97")


def test_the_explanation_names_the_rule_and_the_values(district, small):
    standard_rules(small)
    school_with(
        district,
        small["network"],
        "Struggling",
        [(small["attendance"], "80"), (small["suspensions"], "9")],
    )

    explanation = placements(small["plan"])["Struggling"].explanation

    assert explanation.startswith("Rule 2 matched (2 or more metrics off track).")
    assert "2 metrics off track (Attendance 80.0%, Suspensions 9.0" in explanation


def test_counts_per_tier_add_up_to_every_school(district, small):
    standard_rules(small)
    n, a = small["network"], small["attendance"]
    school_with(district, n, "One", [(a, "99")])
    school_with(district, n, "Two", [(a, "91")])
    school_with(district, n, "Three", [(a, "91")])

    counts = {c.tier.level: c.schools for c in evaluate_plan(small["plan"]).counts}

    assert counts == {1: 1, 2: 2, 3: 0}


def test_a_network_or_school_group_target_judges_its_schools(district, small):
    """choose_target's order: a school group's target, then the network's."""
    TierRuleFactory(
        district=district,
        plan=small["plan"],
        position=1,
        tier=small["tiers"][3],
        min_off_track=1,
    )
    a = small["attendance"]
    strict = NetworkFactory(district=district)
    TargetFactory(
        district=district,
        metric=a,
        network=strict,
        kind="final",
        due_on=datetime.date(2019, 6, 30),
        value=Decimal("99"),
    )
    TargetFactory(
        district=district,
        metric=a,
        network=strict,
        kind="baseline",
        due_on=datetime.date(2015, 6, 30),
        value=Decimal("99"),
    )
    in_strict = school_with(district, strict, "In strict network", [(a, "92")])
    grouped = school_with(district, strict, "In lenient group", [(a, "92")])
    group = SchoolGroupFactory(district=district, name="Lenient")
    SchoolGroupMemberFactory(district=district, group=group, school=grouped)
    TargetFactory(
        district=district,
        metric=a,
        school_group=group,
        kind="final",
        due_on=datetime.date(2019, 6, 30),
        value=Decimal("80"),
    )
    school_with(district, small["network"], "Elsewhere", [(a, "92")])

    placed = placements(small["plan"])

    assert placed["In strict network"].off_track == 1
    assert placed["In lenient group"].off_track == 0
    assert placed["Elsewhere"].off_track == 0
    assert in_strict.network == strict


def test_off_track_counts_agree_with_the_scorecards_statuses(district, small):
    """The SQL off-track count equals the scorecard's (goals.status in Python)."""
    a, t, s = small["attendance"], small["teachers"], small["suspensions"]
    weekly = MetricFactory(
        district=district,
        name="Weekly",
        frequency=Frequency.WEEKLY,
        baseline_value=Decimal("80"),
        baseline_on=datetime.date(2017, 7, 1),
        target_value=Decimal("95"),
        target_on=datetime.date(2018, 6, 30),
        tolerance=Decimal("1"),
    )
    n = small["network"]
    rows = [
        [(a, "87.99"), (t, "88"), (s, "7")],
        [(a, "95"), (s, "7.0001")],
        [(t, "70"), (weekly, "90", datetime.date(2018, 6, 22))],
        [(weekly, "93.5", datetime.date(2018, 6, 29))],
        [(weekly, "50", datetime.date(2018, 5, 1))],  # stale for a weekly metric
    ]
    for i, values in enumerate(rows):
        school_with(district, n, f"School {i}", values)
    user = UserFactory(is_superuser=True)

    scorecard = build_network_scorecard(
        district=district,
        user=user,
        network=n,
        as_of=YEAR_END,
        can_see_suppressed=True,
    )
    placed = placements(small["plan"])

    expected = {r.school.name: r.off_track for r in scorecard.schools}
    assert {name: placed[name].off_track for name in expected} == expected
    assert sorted(expected.values()) == [0, 1, 1, 1, 2]


def many_schools(district, network, metrics, count):
    schools = School.objects.bulk_create(
        School(
            district=district,
            network=network,
            school_id=f"S{i}",
            name=f"Bulk school {i}",
        )
        for i in range(count)
    )
    Measurement.objects.bulk_create(
        Measurement(
            district=district,
            metric=metric,
            scope=Scope.SCHOOL,
            school=school,
            period_end=YEAR_END,
            value=Decimal(80 + (i * 7 + j * 3) % 20),
        )
        for i, school in enumerate(schools)
        for j, metric in enumerate(metrics)
    )


@pytest.mark.parametrize("count", [20, 600])
def test_evaluating_a_plan_takes_the_same_queries_for_20_or_600_schools(
    district, small, count, django_assert_max_num_queries
):
    standard_rules(small)
    metrics = [small["attendance"], small["teachers"], small["suspensions"]]
    many_schools(district, small["network"], metrics, count)

    with django_assert_max_num_queries(10):
        evaluation = evaluate_plan(small["plan"])

    assert sum(c.schools for c in evaluation.counts) == count
    assert len(evaluation.placements) == count

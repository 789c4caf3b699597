"""Adopting tier rules, overriding a school's tier, and the tier history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from district.models import AccessLevel
from roles.models import RoleKind
from tests.factories import (
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    NetworkFactory,
    PersonFactory,
    RoleAssignmentFactory,
    RoleFactory,
    SchoolFactory,
    TierFactory,
    TierPlanFactory,
    TierRuleFactory,
    UserFactory,
)
from tiers.assignments import (
    adopt_plan,
    is_network_chief_only,
    override_tier,
    schools_in_charge,
)
from tiers.models import AssignmentSource, TierAssignment


@pytest.fixture
def setup(district):
    metric = MetricFactory(
        district=district, baseline_value=Decimal("90"), target_value=Decimal("90")
    )
    tiers = {level: TierFactory(district=district, level=level) for level in (1, 2, 3)}
    plan = TierPlanFactory(
        district=district, school_year="2017-18", default_tier=tiers[2]
    )
    TierRuleFactory(
        district=district, plan=plan, position=1, tier=tiers[3], min_off_track=1
    )
    home, away = NetworkFactory(district=district), NetworkFactory(district=district)
    low = SchoolFactory(district=district, network=home, name="Low")
    fine = SchoolFactory(district=district, network=away, name="Fine")
    for school, value in ((low, "70"), (fine, "95")):
        MeasurementFactory(
            district=district,
            metric=metric,
            school=school,
            value=Decimal(value),
            period_end=datetime.date(2018, 6, 30),
        )
    return {"tiers": tiers, "plan": plan, "home": home, "low": low, "fine": fine}


def chief_of(district, network, username="chief"):
    user = UserFactory(username=username)
    MembershipFactory(district=district, user=user, access_level=AccessLevel.EDITOR)
    person = PersonFactory(district=district, user=user)
    network.chief = person
    network.save()
    return user


def test_adopting_records_every_schools_tier_with_why(setup, editor):
    counts = adopt_plan(plan=setup["plan"], acting_user=editor)

    current = {
        a.school.name: a
        for a in TierAssignment.objects.filter(is_current=True).select_related("school")
    }
    assert counts == {
        setup["tiers"][1].pk: 0,
        setup["tiers"][2].pk: 1,
        setup["tiers"][3].pk: 1,
    }
    assert current["Low"].tier == setup["tiers"][3]
    assert current["Low"].source == AssignmentSource.RULE
    assert current["Low"].explanation.startswith("Rule 1 matched")
    assert current["Low"].assigned_by == editor
    assert current["Fine"].source == AssignmentSource.DEFAULT
    assert current["Low"].history.get().history_user == editor
    setup["plan"].refresh_from_db()
    assert setup["plan"].adopted_by == editor


def test_adopting_again_keeps_the_earlier_tiers_as_history(setup, editor):
    adopt_plan(plan=setup["plan"], acting_user=editor)
    adopt_plan(plan=setup["plan"], acting_user=editor)

    rows = TierAssignment.objects.filter(school=setup["low"])
    assert rows.count() == 2
    assert rows.filter(is_current=True).count() == 1


def test_an_override_needs_a_reason_and_keeps_the_rule_tier_in_history(setup, editor):
    adopt_plan(plan=setup["plan"], acting_user=editor)

    with pytest.raises(ValidationError, match="Say why"):
        override_tier(
            school=setup["low"],
            school_year="2017-18",
            tier=setup["tiers"][2],
            reason="  ",
            acting_user=editor,
        )
    assignment = override_tier(
        school=setup["low"],
        school_year="2017-18",
        tier=setup["tiers"][2],
        reason="New principal with a strong plan",
        acting_user=editor,
    )

    history = list(TierAssignment.objects.filter(school=setup["low"]))
    assert [(a.tier.level, a.source, a.is_current) for a in history] == [
        (2, AssignmentSource.OVERRIDE, True),
        (3, AssignmentSource.RULE, False),
    ]
    assert assignment.reason == "New principal with a strong plan"


def test_a_network_chief_overrides_only_the_schools_of_their_network(setup, district):
    chief = chief_of(district, setup["home"])

    override_tier(
        school=setup["low"],
        school_year="2017-18",
        tier=setup["tiers"][2],
        reason="Visited weekly; improving",
        acting_user=chief,
    )
    with pytest.raises(ValidationError, match="your own networks"):
        override_tier(
            school=setup["fine"],
            school_year="2017-18",
            tier=setup["tiers"][1],
            reason="Not mine",
            acting_user=chief,
        )
    assert not TierAssignment.objects.filter(school=setup["fine"]).exists()


def test_a_chief_who_holds_a_cabinet_role_decides_for_every_school(setup, district):
    chief = chief_of(district, setup["home"])
    RoleAssignmentFactory(
        district=district,
        person=chief.people.get(),
        role=RoleFactory(district=district, code="CSO", kind=RoleKind.CABINET),
        started_on=datetime.date(2015, 7, 1),
    )

    assert not is_network_chief_only(district=district, user=chief)
    assert schools_in_charge(district=district, user=chief).count() == 2


def test_a_chief_may_not_adopt_the_districts_rules(setup, district):
    chief = chief_of(district, setup["home"])

    with pytest.raises(ValidationError, match="whole district"):
        adopt_plan(plan=setup["plan"], acting_user=chief)


def test_a_viewer_overrides_nothing(setup, viewer):
    with pytest.raises(ValidationError):
        override_tier(
            school=setup["low"],
            school_year="2017-18",
            tier=setup["tiers"][1],
            reason="Because",
            acting_user=viewer,
        )


def test_an_override_stands_when_the_rules_are_adopted_again(setup, editor):
    adopt_plan(plan=setup["plan"], acting_user=editor)
    override_tier(
        school=setup["low"],
        school_year="2017-18",
        tier=setup["tiers"][1],
        reason="Turnaround plan approved",
        acting_user=editor,
    )

    counts = adopt_plan(plan=setup["plan"], acting_user=editor)

    current = TierAssignment.objects.get(school=setup["low"], is_current=True)
    assert current.source == AssignmentSource.OVERRIDE
    assert counts[setup["tiers"][1].pk] == 1
    assert counts[setup["tiers"][3].pk] == 0

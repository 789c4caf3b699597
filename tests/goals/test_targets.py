"""Targets per scope: a network or school group judged against its own target.

Hand-computed: the metric's (district's) trajectory runs from 80 on 2015-06-30 to 90
on 2019-06-30 (1,461 days), tolerance 2. Network North has its own target: 70 on
2015-06-30 to 78 on 2019-06-30. Values are for the period ending 2017-06-30, 731 days
after the baselines, which is also the as-of date of school year 2016-17.

- District expected: 80 + 10 × 731 / 1461 = 85.0034
- North expected: 70 + 8 × 731 / 1461 = 74.0027
- Tier 1 (a school group with only a final target, 72 by 2019-06-30, so the
  metric's baseline): 80 − 8 × 731 / 1461 = 75.9973
"""

import datetime
from decimal import Decimal

import pytest

from district.models import SchoolGroupMember
from goals.models import Target, TargetKind
from goals.status import Status, build_trajectory
from goals.targets import (
    AppliedTarget,
    MetricTargets,
    TargetScope,
    choose_target,
)
from tests.factories import (
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
    SchoolGroupFactory,
    SchoolGroupMemberFactory,
    TargetFactory,
)

D = datetime.date
PERIOD = D(2017, 6, 30)
YEAR = "2016-17"
DISTRICT_EXPECTED = Decimal(80) + Decimal(10) * 731 / 1461
NORTH_EXPECTED = Decimal(70) + Decimal(8) * 731 / 1461
GROUP_EXPECTED = Decimal(80) - Decimal(8) * 731 / 1461


def four_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"))


@pytest.fixture
def world(district):
    """North (own target) and South (none); one school in group Tier 1 (own target)."""
    metric = MetricFactory(district=district, name="Attendance", code="attendance")
    north = NetworkFactory(district=district, name="North")
    south = NetworkFactory(district=district, name="South")
    TargetFactory(
        district=district,
        metric=metric,
        network=north,
        kind=TargetKind.BASELINE,
        due_on=D(2015, 6, 30),
        value=Decimal(70),
    )
    TargetFactory(
        district=district,
        metric=metric,
        network=north,
        kind=TargetKind.FINAL,
        due_on=D(2019, 6, 30),
        value=Decimal(78),
    )
    tier = SchoolGroupFactory(district=district, name="Tier 1")
    TargetFactory(
        district=district,
        metric=metric,
        school_group=tier,
        kind=TargetKind.FINAL,
        due_on=D(2019, 6, 30),
        value=Decimal(72),
    )
    schools = {
        "north grouped": SchoolFactory(district=district, network=north, name="N1"),
        "north": SchoolFactory(district=district, network=north, name="N2"),
        "south": SchoolFactory(district=district, network=south, name="S1"),
    }
    SchoolGroupMemberFactory(
        district=district, group=tier, school=schools["north grouped"]
    )
    for school in schools.values():
        MeasurementFactory(
            district=district,
            metric=metric,
            school=school,
            period_end=PERIOD,
            value=Decimal(75),
        )
    return {
        "metric": metric,
        "north": north,
        "south": south,
        "tier": tier,
        "schools": schools,
    }


def metric_url(district, world, network=None):
    base = f"/districts/{district.slug}/metrics/{world['metric'].pk}/"
    if network is not None:
        base += f"networks/{network.pk}/"
    return f"{base}?year={YEAR}"


def test_a_network_with_its_own_target_is_judged_against_it(
    client_for, viewer, district, world
):
    response = client_for(viewer).get(metric_url(district, world))
    rows = {row.place.name: row for row in response.context["detail"].networks}

    north, south = rows["North"], rows["South"]
    assert four_places(north.status.expected) == Decimal("74.0027")
    assert four_places(north.status.expected) == four_places(NORTH_EXPECTED)
    assert north.status.status == Status.ON_TRACK  # 75 against 74.0
    assert north.applied_target.scope == TargetScope.NETWORK
    assert four_places(south.status.expected) == four_places(DISTRICT_EXPECTED)
    assert south.status.status == Status.OFF_TRACK  # 75 against 85.0, tolerance 2
    assert south.applied_target.scope == TargetScope.DISTRICT
    body = response.content.decode()
    assert "<td>Network target</td>" in body
    assert "<td>District target</td>" in body
    assert '<td class="numeric">74.0%</td>' in body


def test_the_network_scorecard_judges_the_network_against_its_target(
    client_for, viewer, district, world
):
    url = f"/districts/{district.slug}/networks/{world['north'].pk}/?year={YEAR}"
    response = client_for(viewer).get(url)
    item = response.context["scorecard"].metrics[0]

    assert item.card.status.status == Status.ON_TRACK
    assert item.card.expected == "74.0%"
    assert item.card.target == "78.0% by 2019-06-30"
    assert item.card.applied_target.description == "Network target (North)"
    # The district's own value (mean of 75s) against the district's target.
    assert item.district_status.status == Status.OFF_TRACK
    assert "Network target (North)" in response.content.decode()


def test_a_school_takes_its_groups_target_before_its_networks(
    client_for, viewer, district, world
):
    response = client_for(viewer).get(metric_url(district, world, world["north"]))
    rows = {row.place.name: row for row in response.context["detail"].schools}

    grouped = rows["N1"]
    assert grouped.applied_target.scope == TargetScope.SCHOOL_GROUP
    assert grouped.applied_target.description == "School group target (Tier 1)"
    assert four_places(grouped.status.expected) == four_places(GROUP_EXPECTED)
    assert grouped.status.status == Status.AT_RISK  # 75 against 76.0, tolerance 2
    assert rows["N2"].applied_target.scope == TargetScope.NETWORK
    assert rows["N2"].status.status == Status.ON_TRACK
    body = response.content.decode()
    assert "School group target (Tier 1)" in body


def test_a_school_outside_groups_and_network_targets_takes_the_districts(
    client_for, viewer, district, world
):
    response = client_for(viewer).get(metric_url(district, world, world["south"]))
    (row,) = response.context["detail"].schools
    assert row.applied_target.scope == TargetScope.DISTRICT
    assert row.status.status == Status.OFF_TRACK


def test_the_scorecards_school_table_names_a_group_target(
    client_for, viewer, district, world
):
    url = f"/districts/{district.slug}/networks/{world['north'].pk}/?year={YEAR}"
    scorecard = client_for(viewer).get(url).context["scorecard"]
    cells = {ranked.school.name: ranked.cells[0] for ranked in scorecard.schools}

    assert cells["N1"].status.status == Status.AT_RISK
    assert cells["N1"].applied_target.scope == TargetScope.SCHOOL_GROUP
    assert cells["N2"].status.status == Status.ON_TRACK


def test_the_network_dashboard_and_role_scorecard_say_which_target(
    client_for, viewer, district, world
):
    c = client_for(viewer)
    board = c.get(
        f"/districts/{district.slug}/dashboard/?network={world['north'].pk}&year={YEAR}"
    )
    (card,) = board.context["dashboard"].goals[0].metrics
    assert card.status.status == Status.ON_TRACK
    assert card.target_label == "Network target"
    assert "Network target (North)" in board.content.decode()

    district_board = c.get(f"/districts/{district.slug}/dashboard/?year={YEAR}")
    (card,) = district_board.context["dashboard"].goals[0].metrics
    assert card.target_label == "District target"
    assert "District target" in district_board.content.decode()


def applied(scope, scope_id=None, name=""):
    trajectory = build_trajectory(
        baseline_on=D(2015, 6, 30),
        baseline_value=Decimal(1),
        target_on=D(2019, 6, 30),
        target_value=Decimal(2),
    )
    return AppliedTarget(
        scope=scope, trajectory=trajectory, name=name, scope_id=scope_id
    )


def test_a_school_in_two_groups_with_targets_takes_the_first_by_name():
    targets = MetricTargets(
        district=applied(TargetScope.DISTRICT),
        networks={7: applied(TargetScope.NETWORK, 7, "North")},
        school_groups={
            1: applied(TargetScope.SCHOOL_GROUP, 1, "Zeta"),
            2: applied(TargetScope.SCHOOL_GROUP, 2, "Alpha"),
        },
    )
    chosen = choose_target(targets, network_id=7, school_group_ids=(1, 2))
    assert chosen.name == "Alpha"
    # A group without a target of this metric does not count.
    assert choose_target(targets, network_id=7, school_group_ids=(3,)).name == "North"
    assert choose_target(targets, network_id=8).scope == TargetScope.DISTRICT
    assert choose_target(targets).scope == TargetScope.DISTRICT


def test_the_districts_trajectory_ignores_scoped_targets(district, world):
    from goals.status import trajectory_of

    points = trajectory_of(world["metric"]).points
    assert [(p.on, p.value) for p in points] == [
        (D(2015, 6, 30), Decimal(80)),
        (D(2019, 6, 30), Decimal(90)),
    ]


# --- Validation: every write path refuses another district's network or group ---


@pytest.fixture
def editor_of_both(editor, other_district):
    """An editor of both districts: sees both, so only the cross-district rule refuses."""
    MembershipFactory(district=other_district, user=editor, access_level="editor")
    return editor


def test_api_creates_a_network_target_with_history(
    api_client_for, editor, district, world
):
    response = api_client_for(editor).post(
        "/api/v1/targets/",
        {
            "district": district.slug,
            "metric": world["metric"].pk,
            "network": world["south"].pk,
            "kind": "interim",
            "due_on": "2017-06-30",
            "value": "83",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["network"]["display"] == "South"
    assert data["school_group"] is None
    assert data["kind"] == "interim"
    target = Target.objects.get(pk=data["id"])
    assert target.history.get().history_user == editor


@pytest.mark.parametrize("field", ["network", "school_group"])
def test_api_refuses_a_target_for_another_districts_scope(
    api_client_for, editor_of_both, district, other_district, world, field
):
    foreign = (
        NetworkFactory(district=other_district)
        if field == "network"
        else SchoolGroupFactory(district=other_district)
    )
    response = api_client_for(editor_of_both).post(
        "/api/v1/targets/",
        {
            "district": district.slug,
            "metric": world["metric"].pk,
            field: foreign.pk,
            "kind": "final",
            "due_on": "2019-06-30",
            "value": "88",
        },
        format="json",
    )
    assert response.status_code == 400
    label = "Network" if field == "network" else "School group"
    assert response.json()[field] == [f"{label} must belong to the target's district."]
    assert not Target.objects.filter(district=district, **{field: foreign}).exists()


def test_api_refuses_a_target_for_a_scope_the_caller_cannot_see(
    api_client_for, editor, district, other_district, world
):
    foreign = NetworkFactory(district=other_district)
    response = api_client_for(editor).post(
        "/api/v1/targets/",
        {
            "district": district.slug,
            "metric": world["metric"].pk,
            "network": foreign.pk,
            "kind": "final",
            "due_on": "2019-06-30",
            "value": "88",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "network" in response.json()


def test_api_moving_a_target_to_another_districts_network_is_refused(
    api_client_for, editor_of_both, district, other_district, world
):
    target = Target.objects.get(network=world["north"], kind=TargetKind.FINAL)
    foreign = NetworkFactory(district=other_district)
    response = api_client_for(editor_of_both).patch(
        f"/api/v1/targets/{target.pk}/", {"network": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["network"] == [
        "Network must belong to the target's district."
    ]
    target.refresh_from_db()
    assert target.network == world["north"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"network": "north", "school_group": "tier"},
            "non_field_errors",
            "A target belongs to the district, one network or one school group.",
        ),
        (
            {"kind": "baseline", "due_on": "2015-06-30"},
            "non_field_errors",
            "The district's baseline and final target are set on the metric; "
            "a district target row is an interim target.",
        ),
        (
            {"network": "north", "kind": "final", "due_on": "2019-06-30"},
            "non_field_errors",
            "This network already has a target of this kind for this metric.",
        ),
        (
            {"network": "north", "kind": "interim", "due_on": "2020-06-30"},
            "due_on",
            "An interim target falls between the baseline and final target dates.",
        ),
        (
            {"network": "south", "kind": "final", "due_on": "2014-06-30"},
            "due_on",
            "A final target's date must come after its baseline's.",
        ),
        ({"value": "120"}, "value", "A percent lies between 0 and 100."),
    ],
)
def test_api_answers_a_bad_target_with_a_clear_400(
    api_client_for, editor, district, world, body, field, message
):
    names = {"north": world["north"].pk, "south": world["south"].pk}
    names["tier"] = world["tier"].pk
    payload = {
        "district": district.slug,
        "metric": world["metric"].pk,
        "kind": "interim",
        "due_on": "2017-06-30",
        "value": "83",
    } | {key: names.get(value, value) for key, value in body.items()}
    before = Target.objects.count()
    response = api_client_for(editor).post("/api/v1/targets/", payload, format="json")
    assert response.status_code == 400
    assert message in response.json()[field]
    assert Target.objects.count() == before


def test_api_filters_targets_by_network(api_client_for, viewer, district, world):
    response = api_client_for(viewer).get(
        f"/api/v1/targets/?network={world['north'].pk}"
    )
    assert response.status_code == 200
    kinds = sorted(row["kind"] for row in response.json()["results"])
    assert kinds == ["baseline", "final"]


def test_api_refuses_a_group_member_from_another_district(
    api_client_for, editor_of_both, district, other_district, world
):
    foreign_school = SchoolFactory(district=other_district)
    response = api_client_for(editor_of_both).post(
        "/api/v1/school-group-members/",
        {
            "district": district.slug,
            "group": world["tier"].pk,
            "school": foreign_school.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["school"] == [
        "School must belong to the school group member's district."
    ]
    assert not SchoolGroupMember.objects.filter(school=foreign_school).exists()


def test_api_status_says_which_target_judges_each_network(
    api_client_for, viewer, district, world
):
    response = api_client_for(viewer).get(
        f"/api/v1/metrics/{world['metric'].pk}/status/?as_of=2017-06-30"
    )
    assert response.status_code == 200
    data = response.json()
    networks = {row["network"]["display"]: row for row in data["networks"]}
    assert data["district"]["target_scope"] == "district"
    assert networks["North"]["target_scope"] == "network"
    assert networks["North"]["status"] == "on_track"
    assert Decimal(networks["North"]["expected"]) == four_places(NORTH_EXPECTED)
    assert networks["South"]["target_scope"] == "district"
    assert networks["South"]["status"] == "off_track"

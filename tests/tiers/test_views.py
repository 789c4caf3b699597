"""The tier and support pages: four visitors, bad input, the CSO's and a network
chief's way through, and query counts that do not grow with the schools."""

import datetime
from decimal import Decimal

import pytest

from district.models import AccessLevel, School
from goals.models import Measurement, Scope
from tests.factories import (
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    NetworkFactory,
    PersonFactory,
    PrincipalFactory,
    SchoolFactory,
    SupportFactory,
    TierFactory,
    TierPlanFactory,
    TierRuleFactory,
    UserFactory,
)
from tiers.models import (
    Allocation,
    AssignmentSource,
    Comparison,
    TierAssignment,
    TierRule,
)

YEAR_END = datetime.date(2018, 6, 30)


@pytest.fixture
def demo(district):
    """Tiers 1-3, the 2017-18 plan (no rules yet), a network with a chief, schools."""
    attendance = MetricFactory(
        district=district,
        name="Student attendance",
        baseline_value=Decimal("90"),
        target_value=Decimal("90"),
    )
    teachers = MetricFactory(
        district=district, baseline_value=Decimal("90"), target_value=Decimal("90")
    )
    third = MetricFactory(
        district=district, baseline_value=Decimal("90"), target_value=Decimal("90")
    )
    tiers = {level: TierFactory(district=district, level=level) for level in (1, 2, 3)}
    plan = TierPlanFactory(
        district=district, school_year="2017-18", default_tier=tiers[2]
    )
    network = NetworkFactory(district=district, name="North network")
    chief = UserFactory(username="chief")
    MembershipFactory(district=district, user=chief, access_level=AccessLevel.EDITOR)
    network.chief = PersonFactory(district=district, user=chief, name="Chief One")
    network.save()
    values = {
        "Top": ("97", "95", "95"),
        "Middle": ("92", "80", "95"),
        "Low A": ("70", "70", "70"),
        "Low B": ("71", "71", "71"),
        "Low C": ("72", "72", "72"),
    }
    schools = {}
    for name, row in values.items():
        schools[name] = SchoolFactory(district=district, network=network, name=name)
        for metric, value in zip((attendance, teachers, third), row, strict=True):
            MeasurementFactory(
                district=district,
                metric=metric,
                school=schools[name],
                value=Decimal(value),
                period_end=YEAR_END,
            )
    elsewhere = SchoolFactory(district=district, name="Elsewhere")
    return {
        "attendance": attendance,
        "tiers": tiers,
        "plan": plan,
        "network": network,
        "chief": chief,
        "schools": schools,
        "elsewhere": elsewhere,
    }


def plan_url(district, plan):
    return f"/districts/{district.slug}/tiers/rules/{plan.pk}/"


def test_the_cso_adopts_rules_sees_counts_and_why_then_overrides(
    district, demo, client_for, editor
):
    """The done-when, by hand: rules, preview, adopt, why tier 3, override."""
    client = client_for(editor)
    url = plan_url(district, demo["plan"])
    tiers = demo["tiers"]
    for form in (
        {
            "tier": tiers[1].pk,
            "metric": demo["attendance"].pk,
            "comparison": Comparison.AT_LEAST,
            "threshold": "95",
            "max_off_track": "0",
        },
        {"tier": tiers[3].pk, "min_off_track": "3"},
        {
            "tier": tiers[2].pk,
            "metric": demo["attendance"].pk,
            "comparison": Comparison.AT_MOST,
            "threshold": "100",
        },
    ):
        assert client.post(url, form).status_code == 302
    assert list(TierRule.objects.values_list("position", flat=True)) == [1, 2, 3]

    preview = client.get(url).content.decode()
    assert "Preview: schools per tier before adopting" in preview
    assert not TierAssignment.objects.exists()

    response = client.post(url + "adopt/", follow=True)
    page = response.content.decode()
    assert "Tier rules for 2017-18 adopted. Tier 1: 1, Tier 2: 2, Tier 3: 3." in page

    low = demo["schools"]["Low A"]
    school_page = client.get(
        f"/districts/{district.slug}/schools/{low.pk}/?year=2017-18"
    )
    text = school_page.content.decode()
    assert "Tier 3" in text
    assert "Rule 2 matched (3 or more metrics off track). 3 metrics off track" in text

    client.post(
        f"/districts/{district.slug}/schools/{low.pk}/?year=2017-18",
        {"tier": tiers[2].pk, "reason": "New principal since January"},
    )
    current = TierAssignment.objects.get(school=low, is_current=True)
    assert current.source == AssignmentSource.OVERRIDE
    assert current.reason == "New principal since January"
    assert TierAssignment.objects.filter(school=low).count() == 2


def test_a_network_chief_allocates_a_coach_to_three_tier_3_schools(
    district, demo, client_for, editor
):
    TierRuleFactory(
        district=district,
        plan=demo["plan"],
        position=1,
        tier=demo["tiers"][3],
        min_off_track=3,
    )
    client_for(editor).post(plan_url(district, demo["plan"]) + "adopt/")
    coach = SupportFactory(district=district, name="Literacy coach", capacity=3)
    client = client_for(demo["chief"])
    url = (
        f"/districts/{district.slug}/tiers/networks/{demo['network'].pk}/?year=2017-18"
    )

    page = client.get(url + f"&tier={demo['tiers'][3].pk}").content.decode()
    assert "Low A" in page and "Top" not in page

    lows = [demo["schools"][name].pk for name in ("Low A", "Low B", "Low C")]
    response = client.post(
        url,
        {
            "support": coach.pk,
            "schools": lows,
            "starts_on": "2017-09-01",
            "ends_on": "2018-06-15",
            "reason": "Tier 3: literacy",
        },
        follow=True,
    )

    assert "Literacy coach allocated to 3 schools." in response.content.decode()
    assert set(Allocation.objects.values_list("school_id", flat=True)) == set(lows)
    # Now full: a fourth is refused with the reason, and nothing is saved.
    refused = client.post(
        url,
        {
            "support": coach.pk,
            "schools": [demo["schools"]["Top"].pk],
            "starts_on": "2017-09-01",
            "ends_on": "2018-06-15",
            "reason": "More",
        },
    )
    assert refused.status_code == 400
    assert "capacity of 3 schools" in refused.content.decode()
    assert Allocation.objects.count() == 3


def test_a_chief_cannot_allocate_to_a_school_outside_their_network(
    district, demo, client_for
):
    coach = SupportFactory(district=district, capacity=9)
    url = f"/districts/{district.slug}/tiers/networks/{demo['network'].pk}/"

    response = client_for(demo["chief"]).post(
        url,
        {
            "support": coach.pk,
            "schools": [demo["elsewhere"].pk],
            "starts_on": "2017-09-01",
            "ends_on": "2018-06-15",
            "reason": "Not mine",
        },
    )

    assert response.status_code == 400
    assert not Allocation.objects.exists()


def test_a_rule_without_a_condition_is_refused_and_nothing_saved(
    district, demo, client_for, editor
):
    response = client_for(editor).post(
        plan_url(district, demo["plan"]), {"tier": demo["tiers"][1].pk}
    )

    assert response.status_code == 400
    assert "A rule needs a condition" in response.content.decode()
    assert not TierRule.objects.exists()


def test_a_metric_condition_without_a_threshold_is_refused(
    district, demo, client_for, editor
):
    response = client_for(editor).post(
        plan_url(district, demo["plan"]),
        {
            "tier": demo["tiers"][1].pk,
            "metric": demo["attendance"].pk,
            "comparison": Comparison.AT_LEAST,
            "threshold": "lots",
        },
    )

    assert response.status_code == 400
    assert not TierRule.objects.exists()


def test_an_override_without_a_reason_is_refused(district, demo, client_for, editor):
    school = demo["schools"]["Top"]

    response = client_for(editor).post(
        f"/districts/{district.slug}/schools/{school.pk}/?year=2017-18",
        {"tier": demo["tiers"][3].pk, "reason": ""},
    )

    assert response.status_code == 400
    assert not TierAssignment.objects.exists()


def test_a_bad_school_year_is_a_400_with_a_message(district, demo, client_for, viewer):
    school = demo["schools"]["Top"]

    response = client_for(viewer).get(
        f"/districts/{district.slug}/schools/{school.pk}/?year=2017-19"
    )

    assert response.status_code == 400
    assert "Write the school year as" in response.content.decode()


def test_the_school_page_shows_its_principals_over_time(
    district, demo, client_for, viewer
):
    school = demo["schools"]["Top"]
    PrincipalFactory(
        district=district,
        school=school,
        person=PersonFactory(district=district, name="Former Head"),
        starts_on=datetime.date(2012, 7, 1),
        ends_on=datetime.date(2017, 6, 30),
    )
    PrincipalFactory(
        district=district,
        school=school,
        person=PersonFactory(district=district, name="Current Head"),
        starts_on=datetime.date(2017, 7, 1),
    )

    page = client_for(viewer).get(f"/districts/{district.slug}/schools/{school.pk}/")
    network_page = client_for(viewer).get(
        f"/districts/{district.slug}/tiers/networks/{demo['network'].pk}/?year=2017-18"
    )

    text = page.content.decode()
    assert text.index("Current Head") < text.index("Former Head")
    assert "Current Head" in network_page.content.decode()
    assert "Former Head" not in network_page.content.decode()


@pytest.mark.parametrize("persona", ["viewer", "editor", "outsider", None])
def test_four_visitors_on_the_tier_pages(district, demo, client_for, request, persona):
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)
    school = demo["schools"]["Top"]
    urls = [
        f"/districts/{district.slug}/tiers/",
        plan_url(district, demo["plan"]),
        f"/districts/{district.slug}/schools/{school.pk}/",
        f"/districts/{district.slug}/tiers/networks/{demo['network'].pk}/",
    ]
    expected = {"viewer": 200, "editor": 200, "outsider": 404, None: 302}[persona]

    assert [client.get(url).status_code for url in urls] == [expected] * 4


@pytest.mark.parametrize("persona", ["viewer", "outsider", None])
def test_only_editors_change_tiers(district, demo, client_for, request, persona):
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)
    school = demo["schools"]["Top"]

    responses = [
        client.post(plan_url(district, demo["plan"]) + "adopt/"),
        client.post(
            f"/districts/{district.slug}/schools/{school.pk}/",
            {"tier": demo["tiers"][1].pk, "reason": "x"},
        ),
        client.post(
            plan_url(district, demo["plan"]),
            {"tier": demo["tiers"][1].pk, "min_off_track": "1"},
        ),
    ]

    expected = {"viewer": 403, "outsider": 404, None: 302}[persona]
    assert [r.status_code for r in responses] == [expected] * 3
    assert not TierAssignment.objects.exists()
    assert not TierRule.objects.exists()


def add_schools(district, network, metric, count):
    schools = School.objects.bulk_create(
        School(district=district, network=network, school_id=f"X{i}", name=f"X {i}")
        for i in range(count)
    )
    Measurement.objects.bulk_create(
        Measurement(
            district=district,
            metric=metric,
            scope=Scope.SCHOOL,
            school=school,
            period_end=YEAR_END,
            value=Decimal(70 + i % 30),
        )
        for i, school in enumerate(schools)
    )


@pytest.mark.parametrize("extra", [0, 40])
def test_page_queries_do_not_grow_with_schools(
    district, demo, client_for, editor, extra, django_assert_max_num_queries
):
    TierRuleFactory(
        district=district,
        plan=demo["plan"],
        position=1,
        tier=demo["tiers"][1],
        metric=demo["attendance"],
        comparison=Comparison.AT_LEAST,
        threshold=Decimal("95"),
        min_off_track=None,
    )
    add_schools(district, demo["network"], demo["attendance"], extra)
    client = client_for(editor)
    client.post(plan_url(district, demo["plan"]) + "adopt/")
    SupportFactory(district=district)

    with django_assert_max_num_queries(30):
        assert client.get(plan_url(district, demo["plan"])).status_code == 200
    with django_assert_max_num_queries(30):
        url = f"/districts/{district.slug}/tiers/networks/{demo['network'].pk}/"
        assert client.get(url).status_code == 200


def test_the_network_scorecard_shows_one_tiers_schools(
    district, demo, client_for, editor, viewer
):
    TierRuleFactory(
        district=district,
        plan=demo["plan"],
        position=1,
        tier=demo["tiers"][3],
        min_off_track=3,
    )
    client_for(editor).post(plan_url(district, demo["plan"]) + "adopt/")
    url = f"/districts/{district.slug}/networks/{demo['network'].pk}/?year=2017-18"

    page = client_for(viewer).get(f"{url}&schools=tier:{demo['tiers'][3].pk}")
    unknown = client_for(viewer).get(f"{url}&schools=tier:nothing")

    ranked = [r.school.name for r in page.context["scorecard"].schools]
    assert sorted(ranked) == ["Low A", "Low B", "Low C"]
    assert unknown.status_code == 400
    assert len(unknown.context["scorecard"].schools) == 5

"""The API of tiers: preview and adoption, the tier history and overrides."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import (
    MeasurementFactory,
    MetricFactory,
    SchoolFactory,
    TierAssignmentFactory,
    TierFactory,
    TierPlanFactory,
    TierRuleFactory,
)
from tiers.models import AssignmentSource, TierAssignment


@pytest.fixture
def plan(district):
    metric = MetricFactory(
        district=district, baseline_value=Decimal("90"), target_value=Decimal("90")
    )
    tiers = [TierFactory(district=district, level=level) for level in (1, 2, 3)]
    plan = TierPlanFactory(
        district=district, school_year="2017-18", default_tier=tiers[1]
    )
    TierRuleFactory(
        district=district, plan=plan, position=1, tier=tiers[2], min_off_track=1
    )
    school = SchoolFactory(district=district, name="Low")
    MeasurementFactory(
        district=district,
        metric=metric,
        school=school,
        value=Decimal("60"),
        period_end=datetime.date(2018, 6, 30),
    )
    SchoolFactory(district=district, name="No data")
    return plan


def test_preview_counts_and_explains_without_recording(plan, api_client_for, viewer):
    response = api_client_for(viewer).get(f"/api/v1/tier-plans/{plan.pk}/preview/")

    body = response.json()
    assert response.status_code == 200
    assert [(c["tier"]["level"], c["schools"]) for c in body["counts"]] == [
        (1, 0),
        (2, 1),
        (3, 1),
    ]
    low = next(p for p in body["placements"] if p["school"]["display"] == "Low")
    assert low["explanation"].startswith("Rule 1 matched (1 or more metrics off track)")
    assert not TierAssignment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 403), ("editor", 200), ("outsider", 404), (None, 401)],
)
def test_adopting_through_the_api(plan, api_client_for, request, persona, status):
    user = request.getfixturevalue(persona) if persona else None

    response = api_client_for(user).post(f"/api/v1/tier-plans/{plan.pk}/adopt/")

    assert response.status_code == status, response.content
    assert TierAssignment.objects.count() == (2 if status == 200 else 0)


def test_an_override_through_the_api_is_recorded_with_its_reason(
    plan, api_client_for, editor
):
    school = SchoolFactory(district=plan.district)
    tier = plan.default_tier

    response = api_client_for(editor).post(
        "/api/v1/tier-assignments/",
        {
            "school": school.pk,
            "school_year": "2017-18",
            "tier": tier.pk,
            "reason": "Visited: strong plan",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["source"] == AssignmentSource.OVERRIDE
    assert response.json()["assigned_by"] == "editor"
    history = api_client_for(editor).get(
        f"/api/v1/tier-assignments/?school={school.pk}"
    )
    assert [row["reason"] for row in history.json()["results"]] == [
        "Visited: strong plan"
    ]


@pytest.mark.parametrize(
    "change",
    [{"tier": None}, {"school_year": "2017-19"}, {"reason": ""}, {"school": 999999}],
)
def test_a_bad_override_is_a_400_and_records_nothing(
    plan, api_client_for, editor, change
):
    school = SchoolFactory(district=plan.district)
    body = {
        "school": school.pk,
        "school_year": "2017-18",
        "tier": plan.default_tier.pk,
        "reason": "Because",
    }

    response = api_client_for(editor).post(
        "/api/v1/tier-assignments/", body | change, format="json"
    )

    assert response.status_code == 400
    assert set(change) <= set(response.json())
    assert not TierAssignment.objects.exists()


def test_an_override_in_another_district_is_refused(
    plan, api_client_for, outsider, other_district
):
    school = SchoolFactory(district=plan.district)

    response = api_client_for(outsider).post(
        "/api/v1/tier-assignments/",
        {
            "school": school.pk,
            "school_year": "2017-18",
            "tier": plan.default_tier.pk,
            "reason": "Not mine",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "school" in response.json()
    assert not TierAssignment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 200), ("editor", 200), ("outsider", 404), (None, 401)],
)
def test_the_tier_history_is_readable_by_members_only(
    district, api_client_for, request, persona, status
):
    row = TierAssignmentFactory(district=district)
    user = request.getfixturevalue(persona) if persona else None

    response = api_client_for(user).get(f"/api/v1/tier-assignments/{row.pk}/")

    assert response.status_code == status


def test_the_tier_history_is_not_edited_or_deleted(district, api_client_for, editor):
    row = TierAssignmentFactory(district=district)
    client = api_client_for(editor)
    url = f"/api/v1/tier-assignments/{row.pk}/"

    assert client.patch(url, {"reason": "changed"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert TierAssignment.objects.filter(pk=row.pk).exists()

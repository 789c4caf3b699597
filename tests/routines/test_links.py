"""Links between matrix rows and goals or metrics: both pages, both API directions."""

import pytest
from django.urls import reverse

from goals.links import rows_behind_metric, rows_of_role
from goals.models import ResponsibilityLink
from roles.models import RaciLevel
from tests.factories import (
    GoalFactory,
    MetricFactory,
    OwnershipFactory,
    ResponsibilityFactory,
    ResponsibilityLinkFactory,
    RoleFactory,
)


@pytest.fixture
def linked(district):
    cso = RoleFactory(district=district, code="CSO")
    goal = GoalFactory(district=district, statement="Every student attends")
    metric = MetricFactory(district=district, goal=goal, name="Attendance")
    other = MetricFactory(district=district, name="Suspensions")
    coaching = ResponsibilityFactory(district=district, name="Coaching conversations")
    planning = ResponsibilityFactory(district=district, name="Goal setting")
    unlinked = ResponsibilityFactory(district=district, name="Devices")
    OwnershipFactory(
        district=district,
        responsibility=coaching,
        role=cso,
        level=RaciLevel.ACCOUNTABLE,
    )
    OwnershipFactory(
        district=district, responsibility=planning, role=cso, level=RaciLevel.CONSULTED
    )
    OwnershipFactory(
        district=district, responsibility=unlinked, role=cso, level=RaciLevel.INFORMED
    )
    ResponsibilityLinkFactory(district=district, responsibility=coaching, metric=metric)
    ResponsibilityLinkFactory(
        district=district, responsibility=planning, metric=None, goal=goal
    )
    return cso, goal, metric, other, coaching, planning


def test_a_metric_lists_the_rows_linked_to_it_or_to_its_goal(linked, editor):
    cso, _goal, metric, other, _coaching, _planning = linked
    rows = rows_behind_metric(metric, user=editor)
    assert [(row.name, row.accountable) for row in rows] == [
        ("Coaching conversations", ("CSO",)),
        ("Goal setting", ()),
    ]
    assert rows_behind_metric(other, user=editor) == ()


def test_a_role_lists_its_rows_by_level_with_what_they_serve(linked, editor):
    cso, *_ = linked
    groups = rows_of_role(cso, user=editor)
    assert [
        (group.level, [(row.name, row.serves) for row in group.rows])
        for group in groups
    ] == [
        ("A", [("Coaching conversations", ("Attendance",))]),
        ("C", [("Goal setting", ("Every student attends",))]),
        ("I", [("Devices", ())]),
    ]


def test_pages_show_the_links_both_ways(linked, district, client_for, viewer):
    cso, _goal, metric, *_ = linked
    client = client_for(viewer)
    role_page = client.get(
        reverse("goals:role-scorecard", args=[district.slug, cso.pk])
    ).content.decode()
    assert "Coaching conversations" in role_page
    assert "serves Attendance" in role_page
    metric_page = client.get(
        reverse("goals:metric-detail", args=[district.slug, metric.pk])
    ).content.decode()
    assert "Rows of the matrix behind it" in metric_page
    assert "Coaching conversations" in metric_page and "Goal setting" in metric_page


def test_the_api_filters_links_from_either_side(
    linked, district, api_client_for, viewer, outsider
):
    _cso, goal, metric, _other, coaching, _planning = linked
    client = api_client_for(viewer)
    by_metric = client.get("/api/v1/responsibility-links/", {"metric": metric.pk})
    assert [row["responsibility"]["id"] for row in by_metric.json()["results"]] == [
        coaching.pk
    ]
    by_row = client.get(
        "/api/v1/responsibility-links/", {"responsibility": coaching.pk}
    )
    assert [row["metric"]["id"] for row in by_row.json()["results"]] == [metric.pk]
    by_goal = client.get("/api/v1/responsibility-links/", {"goal": goal.pk})
    assert len(by_goal.json()["results"]) == 1
    assert (
        api_client_for(outsider).get("/api/v1/responsibility-links/").json()["results"]
        == []
    )


def test_a_link_names_a_goal_or_a_metric_not_both_nor_neither(
    linked, district, api_client_for, editor
):
    _cso, goal, metric, _other, coaching, _planning = linked
    client = api_client_for(editor)
    base = {"district": district.slug, "responsibility": coaching.pk}
    before = ResponsibilityLink.objects.count()
    for body in (
        {**base, "goal": goal.pk, "metric": metric.pk},
        base,
        {**base, "metric": metric.pk},  # already linked
    ):
        response = client.post("/api/v1/responsibility-links/", body, format="json")
        assert response.status_code == 400, response.json()
    assert ResponsibilityLink.objects.count() == before
    created = client.post(
        "/api/v1/responsibility-links/", {**base, "goal": goal.pk}, format="json"
    )
    assert created.status_code == 201, created.json()

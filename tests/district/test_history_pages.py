"""History pages: who created, changed and deleted a metric, goal, network or role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import GoalFactory, MetricFactory, NetworkFactory, RoleFactory


def saved_by(obj, user, **changes):
    """Change `obj` as `user` would through a page: the history names them."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()
    return obj


@pytest.fixture
def metric(district, editor):
    metric = MetricFactory(district=district, name="Student attendance")
    return saved_by(metric, editor, name="Student attendance rate")


def history_url(district, name, pk):
    return reverse(f"goals:{name}-history", args=[district.slug, pk])


def test_viewer_reads_who_changed_what_and_when(client_for, viewer, district, metric):
    response = client_for(viewer).get(history_url(district, "metric", metric.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "History of the metric “Student attendance rate”" in text
    assert "Changed" in text and "Created" in text
    assert "editor" in text
    assert "Student attendance → Student attendance rate" in text


def test_a_deleted_objects_history_stays_readable(
    client_for, viewer, editor, district, metric
):
    pk = metric.pk
    metric._history_user = editor
    metric.delete()
    response = client_for(viewer).get(history_url(district, "metric", pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Deleted" in text
    assert "It has been deleted." in text


def test_a_related_object_is_shown_by_its_name(
    client_for, viewer, editor, district, metric
):
    other_goal = GoalFactory(district=district, statement="Every student graduates")
    saved_by(metric, editor, goal=other_goal)
    text = client_for(viewer).get(history_url(district, "metric", metric.pk)).content
    assert "Every student graduates" in text.decode()


@pytest.mark.parametrize(
    "name, factory",
    [("goal", GoalFactory), ("network", NetworkFactory), ("role", RoleFactory)],
)
def test_goals_networks_and_roles_have_history_pages(
    client_for, viewer, editor, district, name, factory
):
    obj = saved_by(factory(district=district), editor)
    response = client_for(viewer).get(history_url(district, name, obj.pk))
    assert response.status_code == 200
    assert "editor" in response.content.decode()


def test_another_districts_object_is_404_like_a_missing_one(
    client_for, outsider, other_district, district, metric
):
    client = client_for(outsider)
    # Through its own district's address and through the other district's.
    assert (
        client.get(history_url(other_district, "metric", metric.pk)).status_code == 404
    )
    assert client.get(history_url(district, "metric", metric.pk)).status_code == 404


def test_missing_object_is_404(client_for, viewer, district):
    assert (
        client_for(viewer).get(history_url(district, "metric", 987654)).status_code
        == 404
    )


def test_anonymous_visitors_are_sent_to_log_in(client_for, district, metric):
    response = client_for(None).get(history_url(district, "metric", metric.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["2", "0", "x", "99999999999999999999", "\x00"])
def test_any_page_number_answers_a_page(client_for, viewer, district, metric, page):
    url = history_url(district, "metric", metric.pk)
    assert client_for(viewer).get(url, {"page": page}).status_code == 200


def test_history_is_only_read(client_for, editor, district, metric):
    url = history_url(district, "metric", metric.pk)
    assert client_for(editor).post(url).status_code == 405


def test_pages_link_to_the_history(client_for, viewer, district, metric):
    url = reverse("goals:metric-detail", args=[district.slug, metric.pk])
    text = client_for(viewer).get(url).content.decode()
    assert history_url(district, "metric", metric.pk) in text


def test_query_count_does_not_grow_with_the_changes(
    client_for, viewer, editor, district
):
    def queries_for(changes):
        metric = MetricFactory(district=district)
        other = GoalFactory(district=district)
        for n in range(changes):
            saved_by(
                metric, editor, name=f"Name {n}", goal=other if n % 2 else metric.goal
            )
        client = client_for(viewer)
        url = history_url(district, "metric", metric.pk)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(30)


@pytest.mark.parametrize("persona", ["viewer", "editor", "district_admin"])
def test_every_member_reads_the_history(client_for, request, persona, district, metric):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(history_url(district, "metric", metric.pk))
    assert response.status_code == 200
    assert "Student attendance rate" in response.content.decode()

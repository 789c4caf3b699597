"""The publishing API: settings, published items, packets and their schedules."""

import datetime
from decimal import Decimal

import pytest

from goals.models import Measurement, Scope
from publishing.models import Packet, Publication, PublishedGoal, Schedule
from tests.factories import (
    GoalFactory,
    PacketFactory,
    PublishedGoalFactory,
    ScheduleFactory,
)

PERSONAS = [None, "viewer", "editor", "district_admin", "outsider"]


def persona(request, name):
    return None if name is None else request.getfixturevalue(name)


def issue_body(data, **overrides) -> dict:
    body = {
        "district": "lakeside",
        "title": "API packet",
        "school_year": "2017-18",
        "goals": [data.joint_goal.pk],
        "commentary": "From the API.",
    }
    return body | overrides


@pytest.mark.parametrize("name", PERSONAS)
def test_reading_packets_by_persona(name, request, api_client_for, data):
    packet = PacketFactory(district=data.district)
    response = api_client_for(persona(request, name)).get(
        f"/api/v1/packets/{packet.pk}/"
    )
    expected = {None: 401, "outsider": 404}.get(name, 200)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["content_hash"] == packet.content_hash
        assert response.json()["status"] == "queued"
        assert response.json()["pdf_url"] is None


@pytest.mark.parametrize("name", PERSONAS)
def test_only_district_admins_issue_packets(
    name, request, api_client_for, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(persona(request, name)).post(
            "/api/v1/packets/", issue_body(data), format="json"
        )
    if name == "district_admin":
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["issued_by"] == "district_admin"
        assert body["snapshot"]["goals"][0]["statement"] == data.joint_goal.statement
        packet = Packet.objects.get()
        pdf = api_client_for(persona(request, name)).get(
            f"/api/v1/packets/{packet.pk}/pdf/"
        )
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF-")
    else:
        assert response.status_code in {401, 403, 400}
        assert Packet.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"goals": []}, "non_field_errors"),
        ({"school_year": "1999-00"}, "school_year"),
        ({"goals": [2_000_000_000]}, "goals"),
        ({"goals": "x"}, "goals"),
        ({"title": ""}, "title"),
        ({"district": "hillview"}, "district"),
    ],
)
def test_bad_packet_requests_answer_400(
    overrides, field, api_client_for, district_admin, data, other_district
):
    response = api_client_for(district_admin).post(
        "/api/v1/packets/", issue_body(data, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Packet.objects.count() == 0


def test_another_districts_goal_is_refused(
    api_client_for, district_admin, data, other_district
):
    foreign = GoalFactory(district=other_district)
    response = api_client_for(district_admin).post(
        "/api/v1/packets/", issue_body(data, goals=[foreign.pk]), format="json"
    )
    assert response.status_code == 400
    assert Packet.objects.count() == 0


def test_packets_never_change(api_client_for, district_admin, data):
    packet = PacketFactory(district=data.district)
    client = api_client_for(district_admin)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/packets/{packet.pk}/", {})
        assert response.status_code == 405


def test_the_changes_since_a_packet_are_listed(
    api_client_for, district_admin, viewer, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client_for(district_admin).post(
            "/api/v1/packets/", issue_body(data), format="json"
        )
    packet = Packet.objects.get()
    url = f"/api/v1/packets/{packet.pk}/changes/"
    assert api_client_for(viewer).get(url).json() == []
    Measurement.objects.create(
        district=data.district,
        metric=data.attendance,
        scope=Scope.NETWORK,
        network=data.north,
        period_end=datetime.date(2018, 6, 30),
        value=Decimal("70.0"),
        n=5000,
    )
    changes = api_client_for(viewer).get(url).json()
    assert {
        "subject": "Student attendance: North",
        "what": "Latest value",
        "before": packet.snapshot["goals"][0]["metrics"][0]["networks"][0]["latest"],
        "after": "70.0%",
    } in changes


def test_an_admin_publishes_through_the_api_with_history(
    api_client_for, district_admin, editor, data
):
    publication = Publication.objects.get(district=data.district)
    client = api_client_for(district_admin)
    response = client.patch(
        f"/api/v1/publications/{publication.pk}/",
        {"shows_staff_names": True},
        format="json",
    )
    assert response.status_code == 200
    assert publication.history.first().history_user == district_admin
    response = client.post(
        "/api/v1/published-goals/",
        {"district": "lakeside", "goal": data.cto_goal.pk},
        format="json",
    )
    assert response.status_code == 201
    refused = api_client_for(editor).post(
        "/api/v1/published-goals/",
        {"district": "lakeside", "goal": data.cto_goal.pk},
        format="json",
    )
    assert refused.status_code in {400, 403}


def test_publishing_a_goal_twice_answers_400(api_client_for, district_admin, data):
    response = api_client_for(district_admin).post(
        "/api/v1/published-goals/",
        {"district": "lakeside", "goal": data.joint_goal.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "This goal is already published." in str(response.json())


def test_a_public_minimum_below_the_internal_one_answers_400(
    api_client_for, superuser, data
):
    response = api_client_for(superuser).patch(
        "/api/v1/districts/lakeside/", {"public_min_n": 3}, format="json"
    )
    assert response.status_code == 400
    assert "public_min_n" in response.json()


def test_schedules_are_made_by_admins_and_record_their_creator(
    api_client_for, district_admin, viewer, data
):
    body = {
        "district": "lakeside",
        "goal": data.joint_goal.pk,
        "meets_on": "2018-09-20",
        "recipients": "board@lakeside.example.org",
    }
    assert (
        api_client_for(viewer)
        .post("/api/v1/packet-schedules/", body, format="json")
        .status_code
        == 403
    )
    response = api_client_for(district_admin).post(
        "/api/v1/packet-schedules/", body, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["created_by"] == "district_admin"
    bad = api_client_for(district_admin).post(
        "/api/v1/packet-schedules/",
        body | {"recipients": "nobody"},
        format="json",
    )
    assert bad.status_code == 400
    assert "recipients" in bad.json()
    assert Schedule.objects.count() == 1


@pytest.mark.parametrize(
    "route, factory",
    [
        ("packets", PacketFactory),
        ("packet-schedules", ScheduleFactory),
        ("published-goals", PublishedGoalFactory),
    ],
)
def test_lists_show_only_the_callers_district_in_constant_queries(
    route,
    factory,
    api_client_for,
    viewer,
    data,
    other_district,
    django_assert_max_num_queries,
):
    factory(district=other_district)
    factory.create_batch(2, district=data.district)
    client = api_client_for(viewer)
    client.get(f"/api/v1/{route}/")
    with django_assert_max_num_queries(20) as few:
        first = client.get(f"/api/v1/{route}/")
    districts = {row["district"]["slug"] for row in first.json()["results"]}
    assert districts == {"lakeside"}
    factory.create_batch(10, district=data.district)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/api/v1/{route}/")


def test_published_rows_of_another_district_are_404(
    api_client_for, editor, other_district, data
):
    foreign = PublishedGoalFactory(district=other_district)
    response = api_client_for(editor).get(f"/api/v1/published-goals/{foreign.pk}/")
    assert response.status_code == 404
    assert PublishedGoal.objects.filter(pk=foreign.pk).exists()

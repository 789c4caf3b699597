"""The routines API: action items, starting a meeting, and bad input."""

import time_machine

from routines.models import ActionItem
from tests.factories import ActionItemFactory, RoleFactory

from .data import MEETING, build_brief_data


def test_meeting_start_freezes_the_brief_for_editors_only(
    district, api_client_for, viewer, editor, outsider, client
):
    data = build_brief_data(district)
    url = f"/api/v1/meetings/{data.meeting.pk}/start/"
    with time_machine.travel(MEETING, tick=False):
        assert api_client_for(viewer).post(url).status_code == 403
        assert api_client_for(outsider).post(url).status_code == 404
        assert client.post(url).status_code in (401, 403)
        started = api_client_for(editor).post(url)
    assert started.status_code == 200
    body = started.json()
    assert body["started_at"] is not None
    assert [s["name"] for s in body["brief"]["schools"]] == ["School A", "School B"]
    data.meeting.refresh_from_db()
    started_record = data.meeting.history.get(started_at__isnull=False)
    assert started_record.history_user == editor
    read = api_client_for(viewer).get(f"/api/v1/meetings/{data.meeting.pk}/").json()
    assert read["brief"] == body["brief"]


def test_action_items_are_created_listed_and_carried_through_the_api(
    district, api_client_for, editor, outsider
):
    data = build_brief_data(district)
    client = api_client_for(editor)
    created = client.post(
        "/api/v1/action-items/",
        {
            "district": district.slug,
            "series": data.series.pk,
            "raised_in": data.last.pk,
            "title": "Visit School A",
            "owner_person": data.chief.pk,
            "due_on": "2017-07-20",
            "school": data.schools["A"].pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    item = ActionItem.objects.get(pk=created.json()["id"])
    assert item.history.first().history_user == editor
    open_items = client.get(
        "/api/v1/action-items/", {"series": data.series.pk, "is_open": "true"}
    ).json()["results"]
    assert [row["title"] for row in open_items] == ["Visit School A"]
    assert api_client_for(outsider).get("/api/v1/action-items/").json()["results"] == []


def test_bad_action_items_answer_400_and_save_nothing(
    district, other_district, api_client_for, editor
):
    data = build_brief_data(district)
    role = RoleFactory(district=district)
    foreign_item = ActionItemFactory(district=other_district)
    base = {
        "district": district.slug,
        "series": data.series.pk,
        "title": "Call",
        "due_on": "2017-07-20",
    }
    client = api_client_for(editor)
    for body in (
        {**base, "owner_person": data.chief.pk, "owner_role": role.pk},
        base,
        {**base, "owner_person": data.chief.pk, "due_on": "tomorrow"},
        {**base, "owner_person": data.chief.pk, "raised_in": 10**9},
        {**base, "owner_person": foreign_item.owner_person_id},
        {**base, "owner_person": data.chief.pk, "title": ""},
    ):
        response = client.post("/api/v1/action-items/", body, format="json")
        assert response.status_code == 400, (body, response.json())
    assert ActionItem.objects.filter(district=district).count() == 0

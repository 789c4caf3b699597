"""A meeting's brief: computed from known data, frozen at the start, bounded in queries."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from district import due
from district.due import DueItem
from goals.models import Measurement
from routines.briefs import build_brief, start_meeting
from tests.factories import (
    ActionItemFactory,
    MeetingDecisionFactory,
    PersonFactory,
    SeriesMemberFactory,
)

from .data import MEETING, TODAY, TODAY_YEAR, build_brief_data


@pytest.fixture
def data(district):
    return build_brief_data(district)


@pytest.fixture
def other_source(monkeypatch):
    """A source of owed updates, as another app would register one."""
    items: list[DueItem] = []

    def source(*, district_id, today, owner_ids):
        return [
            item
            for item in items
            if item.district_id == district_id
            and (owner_ids is None or item.owner_id in owner_ids)
        ]

    monkeypatch.setattr(due, "_sources", [*due._sources, source])
    return items


def brief_of(data, user):
    with time_machine.travel(MEETING, tick=False):
        return build_brief(meeting=data.meeting, user=user, now=MEETING)


def test_brief_lists_network_metrics_schools_and_movement_computed_by_hand(
    data, editor
):
    brief = brief_of(data, editor)

    assert brief["scope"] == "network"
    assert brief["scope_label"] == "North"
    assert brief["as_of"] == "2017-07-10"
    assert brief["since"] == "2016-07-11"
    [metric] = brief["metrics"]
    assert (metric["name"], metric["status"], metric["value"]) == (
        "Attendance",
        "at_risk",
        "84.7%",
    )
    assert metric["district_value"] == "87.2%"
    assert metric["expected"] == "85.0%"
    # Off track first, then at risk; the school on track is left out.
    assert [(s["name"], s["off_track"], s["at_risk"]) for s in brief["schools"]] == [
        ("School A", 1, 0),
        ("School B", 0, 1),
    ]
    assert brief["schools"][0]["off_track_metrics"] == ["Attendance"]
    assert brief["changes"] == [
        {
            "metric_id": data.metric.pk,
            "name": "Attendance",
            "was": "81.0%",
            "now": "84.7%",
            "change": "+3.7",
            "is_better": True,
        }
    ]


def test_brief_lists_open_items_waiting_decisions_and_members_overdue_updates(
    data, editor, other_source, district
):
    member = PersonFactory(district=district, user=editor)
    SeriesMemberFactory(district=district, series=data.series, person=member)
    stranger = PersonFactory(district=district)
    other_source.extend(
        [
            DueItem(
                key="value:1",
                kind="value",
                district_id=district.pk,
                owner_id=editor.pk,
                title="Attendance for North, June",
                due=TODAY - datetime.timedelta(days=3),
                url="/somewhere/",
            ),
            DueItem(
                key="value:2",
                kind="value",
                district_id=district.pk,
                owner_id=editor.pk,
                title="Due next week",
                due=TODAY + datetime.timedelta(days=7),
                url="/somewhere/",
            ),
        ]
    )
    late = ActionItemFactory(
        district=district,
        series=data.series,
        raised_in=data.last,
        owner_person=data.chief,
        title="Visit School A",
        due_on=TODAY - datetime.timedelta(days=1),
    )
    ActionItemFactory(
        district=district,
        series=data.series,
        owner_person=stranger,
        title="Done already",
        done_on=TODAY - datetime.timedelta(days=10),
    )
    MeetingDecisionFactory(
        district=district, meeting=data.last, statement="Add a coach?"
    )
    MeetingDecisionFactory(
        district=district,
        meeting=data.last,
        statement="Taken",
        outcome="Yes",
        decided_on=TODAY,
    )

    brief = brief_of(data, editor)

    assert [item["title"] for item in brief["overdue"]] == [
        "Attendance for North, June"
    ]
    assert brief["action_items"] == [
        {
            "id": late.pk,
            "title": "Visit School A",
            "owner": "Nora North",
            "due": "2017-07-09",
            "is_overdue": True,
        }
    ]
    assert [d["statement"] for d in brief["decisions"]] == ["Add a coach?"]


def test_a_started_meetings_brief_does_not_change_when_the_data_do(
    data, editor, district, client_for
):
    with time_machine.travel(MEETING, tick=False):
        start_meeting(meeting=data.meeting, acting_user=editor)
    data.meeting.refresh_from_db()
    frozen = data.meeting.brief
    assert frozen["metrics"][0]["value"] == "84.7%"

    # School A's value is corrected, and an item is added after the start.
    measurement = Measurement.objects.get(
        school=data.schools["A"], period_end=TODAY_YEAR
    )
    measurement.value = Decimal(95)
    measurement.save()
    ActionItemFactory(district=district, series=data.series, raised_in=data.meeting)
    with time_machine.travel(MEETING, tick=False):
        live = build_brief(meeting=data.meeting, user=editor, now=MEETING)
        # Starting again keeps the first brief.
        start_meeting(meeting=data.meeting, acting_user=editor)

    assert live["metrics"][0]["value"] == "89.7%"  # (95 + 84 + 90) / 3
    data.meeting.refresh_from_db()
    assert data.meeting.brief == frozen
    page = client_for(editor).get(data.meeting.get_absolute_url())
    assert "84.7%" in page.content.decode()
    assert "89.7%" not in page.content.decode()


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


def test_brief_queries_do_not_grow_with_schools_items_or_decisions(
    district, other_district, superuser
):
    small = build_brief_data(district)
    big = build_brief_data(other_district, extra_schools=12)
    for data, items in ((small, 1), (big, 8)):
        for i in range(items):
            ActionItemFactory(
                district=data.series.district,
                series=data.series,
                owner_person=data.chief,
                title=f"Item {i}",
            )
            MeetingDecisionFactory(district=data.series.district, meeting=data.last)
    with time_machine.travel(MEETING, tick=False):
        few = count_queries(
            lambda: build_brief(meeting=small.meeting, user=superuser, now=MEETING)
        )
        many = count_queries(
            lambda: build_brief(meeting=big.meeting, user=superuser, now=MEETING)
        )
    assert few == many

"""The routines pages: four visitors, bad input, the calendar feeds, the coaching pack."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from routines.calendar import feed_token, fold
from routines.models import ActionItem, Meeting, MeetingDecision
from tests.factories import (
    ActionItemFactory,
    MeetingDecisionFactory,
    MeetingFactory,
    PartnershipFactory,
    PersonFactory,
    SeriesMemberFactory,
)

from .data import MEETING, build_brief_data


@pytest.fixture
def data(district):
    return build_brief_data(district)


def read_urls(data, district):
    partnership = PartnershipFactory(district=district)
    slug = district.slug
    return [
        reverse("routines:partnership-list", args=[slug]),
        partnership.get_absolute_url(),
        reverse("routines:partnership-history", args=[slug, partnership.pk]),
        reverse("routines:series-list", args=[slug]),
        data.series.get_absolute_url(),
        data.meeting.get_absolute_url(),
        reverse("routines:coaching-pack", args=[slug, data.north.pk]),
    ]


def write_requests(data, district):
    slug = district.slug
    item = ActionItemFactory(district=district, series=data.series, raised_in=data.last)
    decision = MeetingDecisionFactory(district=district, meeting=data.last)
    return [
        (reverse("routines:meeting-start", args=[slug, data.meeting.pk]), {}),
        (
            reverse("routines:meeting-notes", args=[slug, data.meeting.pk]),
            {"notes": "n"},
        ),
        (
            reverse("routines:meeting-decision", args=[slug, data.meeting.pk]),
            {"statement": "Decide?"},
        ),
        (
            reverse("routines:meeting-action-item", args=[slug, data.meeting.pk]),
            {
                "title": "Call",
                "owner_person": data.chief.pk,
                "due_on": "2017-07-20",
            },
        ),
        (reverse("routines:action-item-done", args=[slug, item.pk]), {}),
        (
            reverse("routines:decision-take", args=[slug, decision.pk]),
            {"outcome": "Yes"},
        ),
        (reverse("routines:series-schedule", args=[slug, data.series.pk]), {}),
    ]


def test_members_read_every_page_others_do_not(
    data, district, client, client_for, viewer, editor, outsider
):
    with time_machine.travel(MEETING, tick=False):
        for url in read_urls(data, district):
            assert client_for(viewer).get(url).status_code == 200, url
            assert client_for(editor).get(url).status_code == 200, url
            assert client_for(outsider).get(url).status_code == 404, url
            anonymous = client.get(url)
            assert anonymous.status_code == 302, url
            assert anonymous["Location"].startswith("/accounts/login/"), url


def test_only_editors_write_and_others_change_nothing(
    data, district, client, client_for, viewer, editor, outsider
):
    with time_machine.travel(MEETING, tick=False):
        requests = write_requests(data, district)
        counts = (
            Meeting.objects.filter(started_at__isnull=False).count(),
            ActionItem.objects.count(),
            MeetingDecision.objects.count(),
        )
        for url, body in requests:
            assert client_for(viewer).post(url, body).status_code == 403, url
            assert client_for(outsider).post(url, body).status_code == 404, url
            assert client.post(url, body).status_code == 302, url
        assert counts == (
            Meeting.objects.filter(started_at__isnull=False).count(),
            ActionItem.objects.count(),
            MeetingDecision.objects.count(),
        )
        for url, body in requests:
            assert client_for(editor).post(url, body).status_code == 302, url
    data.meeting.refresh_from_db()
    assert data.meeting.brief is not None and data.meeting.notes == "n"
    assert ActionItem.objects.filter(title="Call", raised_in=data.meeting).exists()
    assert Meeting.objects.filter(series=data.series).count() == 3


def test_a_bad_action_item_is_refused_with_a_message_and_nothing_saved(
    data, district, client_for, editor
):
    url = reverse("routines:meeting-action-item", args=[district.slug, data.meeting.pk])
    role_and_person = {
        "title": "Call",
        "owner_person": data.chief.pk,
        "owner_role": "",
        "due_on": "not a date",
    }
    foreign_school = {
        "title": "Call",
        "owner_person": data.chief.pk,
        "due_on": "2017-07-20",
        "school": 999999,
    }
    with time_machine.travel(MEETING, tick=False):
        for body in (
            {},
            role_and_person,
            foreign_school,
            {"title": "No owner", "due_on": "2017-07-20"},
        ):
            response = client_for(editor).post(url, body)
            assert response.status_code == 400, body
            assert 'role="alert"' in response.content.decode()
    assert ActionItem.objects.count() == 0


def test_bad_weeks_and_outcomes_are_refused(data, district, client_for, editor):
    pack = reverse("routines:coaching-pack", args=[district.slug, data.north.pk])
    with time_machine.travel(MEETING, tick=False):
        for week in ("2017-W60", "W12", "2017-12", "0000-W01", "99999-W01"):
            assert client_for(editor).get(pack, {"week": week}).status_code == 400
        decision = MeetingDecisionFactory(district=district, meeting=data.last)
        url = reverse("routines:decision-take", args=[district.slug, decision.pk])
        client_for(editor).post(url, {"outcome": "   "})
    decision.refresh_from_db()
    assert decision.decided_on is None


def test_coaching_pack_shows_schools_off_track_commitments_and_last_notes(
    data, district, client_for, viewer
):
    data.last.notes = "Visit School A before Friday."
    data.last.save()
    ActionItemFactory(
        district=district,
        series=data.series,
        raised_in=data.last,
        owner_person=data.chief,
        title="Visit School A",
        due_on=datetime.date(2017, 7, 14),
    )
    url = reverse("routines:coaching-pack", args=[district.slug, data.north.pk])
    with time_machine.travel(MEETING, tick=False):
        page = client_for(viewer).get(url, {"week": "2017-W28"}).content.decode()
    assert "week of 10 July 2017" in page
    assert page.index("School A") < page.index("School B")
    commitments = page[page.index("Open commitments") :]
    assert "Visit School A" in commitments and "Nora North" in commitments
    assert "Visit School A before Friday." in page
    assert "81.0% then, 84.7% now" in page
    scorecard = client_for(viewer).get(
        reverse("goals:network-scorecard", args=[district.slug, data.north.pk])
    )
    assert url in scorecard.content.decode()


def test_calendar_feeds_need_a_valid_signature_and_no_login(data, district, client):
    person = PersonFactory(district=district, name="Nora Member")
    SeriesMemberFactory(district=district, series=data.series, person=person)
    series_url = reverse(
        "routines:calendar-feed", args=[feed_token("series", data.series.pk)]
    )
    person_url = reverse(
        "routines:calendar-feed", args=[feed_token("person", person.pk)]
    )

    feed = client.get(series_url)
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    text = feed.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20170710T150000Z" in text
    assert "SUMMARY:North coaching" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert client.get(person_url).content.decode().count("BEGIN:VEVENT") == 2

    tampered = series_url.replace(str(data.series.pk), str(data.series.pk + 1), 1)
    for url in (tampered, "/calendar/series.1.ics", "/calendar/nonsense.ics"):
        assert client.get(url).status_code == 404, url
    other = MeetingFactory(district=district).series
    assert client.get(series_url).content.decode().count(other.name) == 0


def test_long_calendar_lines_fold_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(parts) == line


def test_meeting_page_and_pack_queries_do_not_grow_with_schools_or_items(
    district, other_district, superuser, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = build_brief_data(district)
    big = build_brief_data(other_district, extra_schools=12)
    for data, count in ((small, 1), (big, 8)):
        for i in range(count):
            ActionItemFactory(
                district=data.series.district,
                series=data.series,
                raised_in=data.last,
                owner_person=data.chief,
                title=f"Item {i}",
            )
            MeetingDecisionFactory(district=data.series.district, meeting=data.meeting)
    client = client_for(superuser)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    with time_machine.travel(MEETING, tick=False):
        for name in ("meeting", "pack"):
            urls = [
                data.meeting.get_absolute_url()
                if name == "meeting"
                else reverse(
                    "routines:coaching-pack",
                    args=[data.series.district.slug, data.north.pk],
                )
                for data in (small, big)
            ]
            queries(urls[0])  # warm the session and caches
            assert queries(urls[0]) == queries(urls[1]), name

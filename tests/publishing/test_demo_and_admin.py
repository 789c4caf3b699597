"""The demo's publishing rows, and issuing a packet from the admin."""

import datetime

from district import demo as district_demo
from publishing.demo import ATTENDANCE_GOAL, build_publishing, next_board_meeting
from publishing.models import Packet, Publication, Schedule
from tests.admin_pages import staff, url
from tests.factories import GoalFactory


def test_the_next_board_meeting_is_the_fourth_wednesday_of_next_month():
    assert next_board_meeting(datetime.date(2026, 12, 3)) == datetime.date(2027, 1, 27)
    assert next_board_meeting(datetime.date(2027, 1, 31)) == datetime.date(2027, 2, 24)


def test_the_demo_step_is_registered_and_writes_once(district, superuser):
    assert build_publishing in district_demo._demo_steps
    GoalFactory(district=district, statement=ATTENDANCE_GOAL)
    for day in (datetime.date(2026, 12, 3), datetime.date(2027, 1, 5)):
        build_publishing(district=district, users={}, acting_user=superuser, today=day)
    publication = Publication.objects.get(district=district)
    assert not publication.is_published  # the new user publishes it
    schedule = Schedule.objects.get(district=district)
    assert schedule.meets_on == datetime.date(2027, 1, 27)
    assert schedule.recipient_list() == [
        "board-members@example.org",
        "board-clerk@example.org",
    ]
    assert publication.history.count() == schedule.history.count() == 1


def test_an_admin_issues_a_packet_in_the_admin(
    client_for, district_admin, data, django_capture_on_commit_callbacks
):
    client = client_for(staff(district_admin))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(Packet, "add"),
            {
                "district": data.district.pk,
                "title": "From the admin",
                "school_year": "2017-18",
                "goals": [data.joint_goal.pk],
                "commentary": "",
            },
        )
    assert response.status_code == 302
    packet = Packet.objects.get()
    assert packet.issued_by == district_admin
    assert packet.snapshot["goals"][0]["id"] == data.joint_goal.pk
    assert packet.render.status == "ready"


def test_the_admin_refuses_a_year_without_values_and_saves_nothing(
    client_for, district_admin, data
):
    client = client_for(staff(district_admin))
    response = client.post(
        url(Packet, "add"),
        {
            "district": data.district.pk,
            "title": "Bad year",
            "school_year": "1990-91",
            "goals": [data.joint_goal.pk],
        },
        follow=True,
    )
    assert "Choose one of the school years with values" in response.content.decode()
    assert Packet.objects.count() == 0

"""Packets scheduled before board meetings: issued and mailed once, on their day."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from publishing.models import Packet, Schedule
from publishing.schedules import send_due_packets
from tests.factories import GoalFactory, ScheduleFactory

MEETING = datetime.date(2018, 9, 20)


@pytest.fixture
def schedule(data, district_admin):
    return ScheduleFactory(
        district=data.district,
        goal=data.joint_goal,
        meets_on=MEETING,
        days_before=7,
        recipients="board@lakeside.example.org\nclerk@lakeside.example.org\n",
        commentary="For the September meeting.",
        created_by=district_admin,
    )


@time_machine.travel(datetime.datetime(2018, 9, 12, 6, 0, tzinfo=datetime.UTC))
def test_nothing_is_sent_before_the_day(schedule):
    assert send_due_packets() == (0, 0)
    assert mail.outbox == []
    assert Packet.objects.count() == 0


@time_machine.travel(datetime.datetime(2018, 9, 13, 6, 0, tzinfo=datetime.UTC))
def test_on_its_day_the_packet_is_issued_rendered_and_mailed_once(
    schedule, district_admin
):
    call_command("send_board_packets")

    packet = Packet.objects.get()
    assert packet.issued_by == district_admin
    assert packet.commentary == "For the September meeting."
    assert packet.title.startswith("Board meeting on 2018-09-20")
    [message] = mail.outbox
    assert message.to == ["board@lakeside.example.org", "clerk@lakeside.example.org"]
    assert packet.content_hash in message.body
    [(name, content, kind)] = message.attachments
    assert (name, kind) == (f"lakeside-packet-{packet.pk}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    schedule.refresh_from_db()
    assert schedule.packet == packet
    assert schedule.sent_at is not None

    call_command("send_board_packets")  # run again: nothing more
    assert len(mail.outbox) == 1
    assert Packet.objects.count() == 1


def test_a_catch_up_run_names_its_date_and_skips_past_meetings(schedule):
    send_due_packets(datetime.date(2018, 9, 21))
    assert mail.outbox == []
    send_due_packets(datetime.date(2018, 9, 19))
    assert len(mail.outbox) == 1


def test_a_goal_area_schedule_sends_the_subgoals_too(schedule, data):
    sub = GoalFactory(district=data.district, parent=data.joint_goal, statement="Sub")
    send_due_packets(datetime.date(2018, 9, 15))
    statements = {g["statement"] for g in Packet.objects.get().snapshot["goals"]}
    assert statements == {data.joint_goal.statement, sub.statement}


def test_a_mail_failure_leaves_the_schedule_for_the_next_run(schedule, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(CommandError):
        call_command("send_board_packets", "--date=2018-09-15")
    schedule.refresh_from_db()
    assert schedule.sent_at is None
    assert Packet.objects.count() == 0
    monkeypatch.undo()
    call_command("send_board_packets", "--date=2018-09-15")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "recipients, days_before, field",
    [
        ("not-an-address", 7, "recipients"),
        ("", 7, "recipients"),
        ("board@example.org", 61, "__all__"),
    ],
)
def test_bad_schedules_are_refused(data, recipients, days_before, field):
    schedule = Schedule(
        district=data.district,
        goal=data.joint_goal,
        meets_on=MEETING,
        recipients=recipients,
        days_before=days_before,
    )
    with pytest.raises(ValidationError) as error:
        schedule.full_clean()
    assert field in error.value.message_dict

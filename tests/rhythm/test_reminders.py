"""Reminder mail through a real SMTP server: escalation, weekly cap, once only, unsubscribe."""

import datetime
import email
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from rhythm.models import Reminder, ReminderKind, ReminderStatus
from rhythm.reminders import claim_reminders, send_reminders
from tests.factories import MetricFactory, PersonFactory

from .conftest import TODAY


def parsed(inbox):
    return [email.message_from_bytes(m.original_content) for m in inbox.messages]


def text_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no plain-text part")


def html_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no html part")


def test_overdue_items_reach_the_owner_with_text_html_and_a_preferences_link(
    rhythm, mail_server
):
    sent = send_reminders(today=TODAY)
    assert {(r.recipient.username, r.kind) for r in sent} == {
        ("editor", ReminderKind.OVERDUE)
    }
    messages = parsed(mail_server)
    assert len(messages) == 2  # last week's values and commentary
    subjects = sorted(" ".join(str(m["Subject"]).split()) for m in messages)
    assert subjects == [
        "Overdue since Mon Nov 30: Weekly attendance: commentary for Nov 21 to Nov 27, 2026",
        "Overdue since Mon Nov 30: Weekly attendance: values for Nov 21 to Nov 27, 2026",
    ]
    body = text_of(messages[0])
    assert "https://lanes.example.org/districts/lakeside/my-updates/" in body
    assert re.search(r"https://lanes.example.org/reminders/preferences/\S+/", body)
    assert "Reminder preferences and unsubscribe" in html_of(messages[0])
    assert (
        messages[0]["List-Unsubscribe"]
        .strip()
        .startswith("<https://lanes.example.org/reminders/preferences/")
    )
    assert all(m["To"] == "editor@lakeside.test" for m in messages)


def test_an_item_is_reminded_due_soon_then_due_then_overdue(
    rhythm, district, mail_server
):
    district.reminders_per_week = 20
    district.save()
    # Thursday 26 November: the week ending Friday 27th is due on Monday 30th.
    week = "values for Nov 21 to Nov 27"
    kinds = {}
    for day in (26, 27, 30, 1):
        today = datetime.date(2026, 11 if day > 1 else 12, day)
        for reminder in send_reminders(today=today):
            if week in reminder.subject:
                kinds[today.isoformat()] = reminder.kind
    assert kinds == {
        "2026-11-27": ReminderKind.DUE_SOON,
        "2026-11-30": ReminderKind.DUE,
        "2026-12-01": ReminderKind.OVERDUE,
    }


def test_long_overdue_items_escalate_to_the_owner_roles_holder(
    rhythm, district, mail_server
):
    district.escalation_days = 3
    district.save()
    sent = send_reminders(today=TODAY)
    kinds = sorted((r.recipient.username, r.kind) for r in sent)
    assert kinds == [
        ("district_admin", ReminderKind.ESCALATION),
        ("district_admin", ReminderKind.ESCALATION),
        ("editor", ReminderKind.OVERDUE),
        ("editor", ReminderKind.OVERDUE),
    ]
    escalation = next(
        m for m in parsed(mail_server) if m["To"] == "admin@lakeside.test"
    )
    assert " ".join(str(escalation["Subject"]).split()).startswith(
        "Overdue 3 days (editor): Weekly attendance"
    )
    assert "An update you are accountable for is overdue" in text_of(escalation)


def test_the_weekly_cap_holds_across_runs_and_days(rhythm, district, mail_server):
    district.reminders_per_week = 1
    district.save()
    assert len(send_reminders(today=TODAY)) == 1
    # The next day the other overdue item is still owed, but the week's one is used.
    assert send_reminders(today=TODAY + datetime.timedelta(days=1)) == []
    assert len(mail_server.messages) == 1


def test_running_again_sends_nothing_twice(rhythm, mail_server):
    call_command("send_reminders", "--date", TODAY.isoformat())
    call_command("send_reminders", "--date", TODAY.isoformat())
    assert len(mail_server.messages) == 2
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 2


def test_a_run_that_claims_second_sends_nothing(rhythm, district, mail_server):
    # Both runs plan the same reminders; the database keeps the first claim only.
    first = claim_reminders(district, today=TODAY, run="first")
    second = claim_reminders(district, today=TODAY, run="second")
    assert len(first) == 2
    assert second == []
    assert set(Reminder.objects.values_list("run", flat=True)) == {"first"}


# The in-memory SQLite test database locks whole tables between threads: the
# PostgreSQL run of the suite runs this test.
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(rhythm, district, mail_server):
    district.escalation_days = 3
    district.save()
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(send_reminders(today=TODAY))
        except Exception as error:  # reported below, with the thread's traceback
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(sent) for sent in results) == 4
    assert len(mail_server.messages) == 4
    keys = [(m["To"], m["Subject"]) for m in parsed(mail_server)]
    assert len(set(keys)) == 4


def test_unsubscribing_through_the_link_stops_the_mail(rhythm, mail_server):
    send_reminders(today=TODAY)
    link = re.search(
        r"https://lanes.example.org(/reminders/preferences/\S+/)",
        text_of(parsed(mail_server)[0]),
    ).group(1)
    anonymous = Client()
    page = anonymous.get(link)
    assert page.status_code == 200
    assert 'name="wants_reminders"' in page.content.decode()
    saved = anonymous.post(link, {})
    assert "you will get no more reminder mail" in saved.content.decode()
    send_reminders(today=TODAY + datetime.timedelta(days=8))
    assert len(mail_server.messages) == 2


def test_a_forged_preferences_link_is_404(db):
    assert (
        Client().get("/reminders/preferences/eyJ1c2VyIjoxfQ:bad:sig/").status_code
        == 404
    )


def test_mail_names_nothing_of_another_district(
    rhythm, other_district, outsider, mail_server
):
    outsider.email = "outsider@hillview.test"
    outsider.save()
    MetricFactory(
        district=other_district,
        name="Hillview attendance",
        frequency="weekly",
        update_owner=PersonFactory(district=other_district, user=outsider),
    )
    send_reminders(today=TODAY)
    for message in parsed(mail_server):
        body = text_of(message) + message["Subject"]
        if message["To"] == "editor@lakeside.test":
            assert "Hillview" not in body and "/districts/hillview/" not in body
        else:
            assert message["To"] == "outsider@hillview.test"
            assert "Weekly attendance" not in body and "lakeside" not in body


def test_the_outbox_is_for_district_admins(
    rhythm, client_for, mail_server, viewer, editor, district_admin, outsider
):
    send_reminders(today=TODAY)
    url = "/districts/lakeside/reminders/"
    page = client_for(district_admin).get(url)
    assert page.status_code == 200
    assert "Overdue since Mon Nov 30: Weekly attendance" in page.content.decode()
    assert client_for(editor).get(url).status_code == 403
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302

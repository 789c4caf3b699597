"""A district whose weekly attendance the editor owes, under a frozen Thursday clock."""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from aiosmtpd.controller import Controller

from district.models import Person
from goals.models import Frequency, Metric
from tests.factories import (
    MetricFactory,
    MetricOwnerFactory,
    NetworkFactory,
    PersonFactory,
    RoleAssignmentFactory,
    RoleFactory,
    SchoolFactory,
)
from tests.test_password_reset import Inbox, free_port

# Thursday 3 December 2026, noon in Chicago: the week ending Friday 27 November was due
# on Monday 30 November; the running week ends on Friday 4 December (due 7 December).
TODAY = datetime.date(2026, 12, 3)
NOON = datetime.datetime(2026, 12, 3, 18, tzinfo=datetime.UTC)
LAST_WEEK = datetime.date(2026, 11, 27)
THIS_WEEK = datetime.date(2026, 12, 4)


@dataclass
class Rhythm:
    metric: Metric
    editor_person: Person
    boss_person: Person
    schools: list


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rhythm(district, editor, district_admin, frozen):
    """The editor owes the weekly metric; the CSO role's holder (the admin) is told."""
    editor.email, district_admin.email = "editor@lakeside.test", "admin@lakeside.test"
    editor.save()
    district_admin.save()
    network = NetworkFactory(district=district, name="North")
    schools = [
        SchoolFactory(district=district, network=network, school_id=f"10{i}")
        for i in range(2)
    ]
    editor_person = PersonFactory(district=district, name="Nadia", user=editor)
    boss_person = PersonFactory(district=district, name="Terry", user=district_admin)
    cso = RoleFactory(district=district, code="CSO")
    RoleAssignmentFactory(
        district=district,
        role=cso,
        person=boss_person,
        started_on=datetime.date(2020, 7, 1),
    )
    metric = MetricFactory(
        district=district,
        code="attendance_weekly",
        name="Weekly attendance",
        frequency=Frequency.WEEKLY,
        baseline_on=datetime.date(2026, 7, 1),
        target_on=datetime.date(2027, 6, 30),
        update_owner=editor_person,
    )
    MetricOwnerFactory(district=district, metric=metric, role=cso)
    return Rhythm(metric, editor_person, boss_person, schools)


@pytest.fixture
def mail_server(settings):
    """A real SMTP server on a loopback port, and Lanes sending to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = "https://lanes.example.org"
    yield inbox
    controller.stop()

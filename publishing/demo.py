"""The demo district's publishing: settings to try, and a board meeting to prepare.

The public dashboard starts unpublished, so a new user can publish the attendance
goal and watch it appear at /public/cps/. A board meeting on the attendance goal is
scheduled for the fourth Wednesday of next month, its packet due a week before.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from district.demo import ensure
from district.models import District
from goals.models import Goal

from .models import Publication, Schedule

ATTENDANCE_GOAL = "Every student in school, every day"
BOARD_LIST = "board-members@example.org\nboard-clerk@example.org"


def next_board_meeting(today: datetime.date) -> datetime.date:
    """The fourth Wednesday of the month after `today`."""
    first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    first_wednesday = first + datetime.timedelta(days=(2 - first.weekday()) % 7)
    return first_wednesday + datetime.timedelta(weeks=3)


def build_publishing(
    *,
    district: District,
    users: dict,
    acting_user,
    today: datetime.date | None = None,
) -> None:
    """The demo's publication settings (unpublished) and one scheduled board meeting."""
    today = today or timezone.localdate()
    ensure(
        Publication,
        acting_user=acting_user,
        district=district,
        create_only={
            "introduction": _(
                "Our goals for every student, and how far we have come. Values from "
                "groups too small to report are withheld."
            )
        },
    )
    goal = Goal.objects.filter(district=district, statement=ATTENDANCE_GOAL).first()
    if goal is None:
        return
    ensure(
        Schedule,
        acting_user=acting_user,
        district=district,
        goal=goal,
        create_only={
            "meets_on": next_board_meeting(today),
            "days_before": 7,
            "recipients": BOARD_LIST,
            "commentary": _("Attendance, for the board's monitoring of goal 1."),
            "created_by": acting_user,
        },
    )

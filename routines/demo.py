"""The demo district's partnership and routines (run by `load_demo` after the goals).

The CAO and CSO partnership states a vision, a theory of action linked to rows of the
demo matrix and to the joint goal, and non-negotiables. Two meeting series: the CAO
and CSO weekly meeting (scope: the partnership) and the Network 14 coaching
conversation between the CSO and Network 14's chief (scope: Network 14). A series'
meetings are added only when it has none, so running the demo again adds nothing: the
first coaching meeting a week before the demo was loaded (started, its brief frozen as
the data stood then, with notes, a decision and action items), the next one on the
day it was loaded, not started.
"""

import datetime

from django.utils import timezone

from district.demo import ensure
from district.models import District, Network, Person
from goals.models import Goal, Metric
from roles.models import Responsibility, Role

from .briefs import start_meeting
from .models import (
    ActionItem,
    Cadence,
    Meeting,
    MeetingDecision,
    MeetingSeries,
    NonNegotiable,
    Partnership,
    PartnershipRole,
    SeriesMember,
    SeriesScope,
    TheoryLink,
    TheoryStatement,
)

PARTNERSHIP = "CAO and CSO"
VISION = (
    "Every classroom teaches the district's curriculum well, every day: the CAO "
    "decides what is taught and how, the CSO makes sure every school does it, and "
    "both answer for the same student outcomes."
)
JOINT_GOAL = "Every student graduates ready for college and career"
# (if, then, rows relied on, goals relied on)
THEORY = [
    (
        "the CAO owns the curriculum, its materials and assessments, and the CSO owns "
        "how schools put them into practice",
        "each school hears one instructional message, and nobody duplicates the work",
        ("Curriculum and scope and sequence", "Fidelity to the instructional vision"),
        (),
    ),
    (
        "network chiefs hold weekly coaching conversations on current data with their "
        "principals' results in front of them",
        "schools that slip off track are seen within a week and supported by need",
        (
            "Weekly coaching conversations with network chiefs",
            "Allocating supports to schools by need",
        ),
        ("Every student in school, every day",),
    ),
    (
        "the CAO and CSO set the district's goals and targets together and review them "
        "every week",
        "more students are on track in ninth grade and graduate ready for college",
        ("District goals and targets", "Student outcomes"),
        (JOINT_GOAL,),
    ),
]
# (statement, owner role, how it is monitored, metric code or "")
NON_NEGOTIABLES = [
    (
        "Every school teaches the adopted curriculum on the district's scope and "
        "sequence.",
        "CAO",
        "Quarterly curriculum walkthroughs in every network; the CAO reports the "
        "share of classrooms on pace at the CAO and CSO weekly meeting.",
        "freshmen_on_track_pct",
    ),
    (
        "Every network chief holds a weekly coaching conversation on the week's data.",
        "CSO",
        "The CSO reviews each network's coaching pack every week; a missed "
        "conversation is raised at the next CAO and CSO meeting.",
        "student_attendance_weekly_sim",
    ),
    (
        "Neither office changes what schools are asked to do without the other.",
        "CSO",
        "Every new request to schools is a decision of the CAO and CSO weekly meeting.",
        "",
    ),
]
COACHING = "Network 14 coaching"
WEEKLY = "CAO and CSO weekly"


def build_routines(*, district: District, users: dict, acting_user) -> None:
    """The partnership, the two series, and the Network 14 coaching meetings."""
    if district.slug != "cps":
        return
    today = timezone.localdate()
    roles = {role.code: role for role in Role.objects.filter(district=district)}
    partnership = ensure(
        Partnership,
        acting_user=acting_user,
        district=district,
        name=PARTNERSHIP,
        defaults={"vision": VISION},
    )
    for code in ("CAO", "CSO"):
        ensure(
            PartnershipRole,
            acting_user=acting_user,
            district=district,
            partnership=partnership,
            role=roles[code],
        )
    for order, (if_clause, then_clause, rows, goals) in enumerate(THEORY, 1):
        statement = ensure(
            TheoryStatement,
            acting_user=acting_user,
            district=district,
            partnership=partnership,
            sort_order=order,
            defaults={"if_clause": if_clause, "then_clause": then_clause},
        )
        for name in rows:
            ensure(
                TheoryLink,
                acting_user=acting_user,
                district=district,
                statement=statement,
                responsibility=Responsibility.objects.get(district=district, name=name),
            )
        for name in goals:
            ensure(
                TheoryLink,
                acting_user=acting_user,
                district=district,
                statement=statement,
                goal=Goal.objects.get(district=district, statement=name),
            )
    for order, (statement, owner, monitoring, code) in enumerate(NON_NEGOTIABLES, 1):
        ensure(
            NonNegotiable,
            acting_user=acting_user,
            district=district,
            partnership=partnership,
            sort_order=order,
            defaults={
                "statement": statement,
                "owner": roles[owner],
                "monitoring": monitoring,
                "metric": Metric.objects.filter(district=district, code=code).first(),
            },
        )

    cao = Person.objects.get(district=district, name="Priya Pemberton")
    cso = Person.objects.get(district=district, name="Terrence Thornbury")
    weekly = ensure(
        MeetingSeries,
        acting_user=acting_user,
        district=district,
        name=WEEKLY,
        defaults={
            "scope": SeriesScope.PARTNERSHIP,
            "partnership": partnership,
            "cadence": Cadence.WEEKLY,
            "duration_minutes": 60,
            "location": "Central office, room 5",
        },
    )
    network = Network.objects.get(district=district, name="Network 14")
    chief = network.chief
    coaching = ensure(
        MeetingSeries,
        acting_user=acting_user,
        district=district,
        name=COACHING,
        defaults={
            "scope": SeriesScope.NETWORK,
            "network": network,
            "cadence": Cadence.WEEKLY,
            "duration_minutes": 45,
            "location": "Network 14 office",
        },
    )
    for series, people in ((weekly, (cao, cso)), (coaching, (cso, chief))):
        for person in people:
            if person is not None:
                ensure(
                    SeriesMember,
                    acting_user=acting_user,
                    district=district,
                    series=series,
                    person=person,
                )
    if not Meeting.objects.filter(series=weekly).exists():
        _meeting(weekly, today, hour=8, acting_user=acting_user)
    if not Meeting.objects.filter(series=coaching).exists():
        _coaching_meetings(coaching, roles, chief, today, acting_user)


def _meeting(series, day: datetime.date, *, hour: int, acting_user) -> Meeting:
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return ensure(
        Meeting,
        acting_user=acting_user,
        district=series.district,
        series=series,
        starts_at=starts_at,
    )


def _coaching_meetings(series, roles, chief, today, acting_user) -> None:
    """Last week's conversation (started, with notes and items) and today's."""
    district = series.district
    last = _meeting(
        series, today - datetime.timedelta(days=7), hour=9, acting_user=acting_user
    )
    start_meeting(meeting=last, acting_user=acting_user, now=last.starts_at)
    ensure(
        Meeting,
        acting_user=acting_user,
        pk=last.pk,
        defaults={
            "notes": "Attendance dipped in the schools listed off track. The chief "
            "will visit the two lowest this week; the CSO's office checks that "
            "attendance teams meet weekly in every school of the network."
        },
    )
    ensure(
        MeetingDecision,
        acting_user=acting_user,
        district=district,
        meeting=last,
        statement="Move a network attendance coordinator to the two lowest schools?",
    )
    attendance = Metric.objects.filter(
        district=district, code="student_attendance_weekly_sim"
    ).first()
    if chief is not None:
        ensure(
            ActionItem,
            acting_user=acting_user,
            district=district,
            series=series,
            raised_in=last,
            title="Visit the two schools furthest off track on attendance",
            defaults={
                "owner_person": chief,
                "due_on": today + datetime.timedelta(days=3),
                "metric": attendance,
                "network": series.network,
            },
        )
    ensure(
        ActionItem,
        acting_user=acting_user,
        district=district,
        series=series,
        raised_in=last,
        title="Confirm every Network 14 school has a weekly attendance team",
        defaults={
            "owner_role": roles["CSO"],
            "due_on": today - datetime.timedelta(days=1),
            "network": series.network,
        },
    )
    _meeting(series, today, hour=15, acting_user=acting_user)

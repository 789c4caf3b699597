"""Completion per person and role, counted by hand under a frozen clock."""

import datetime

import time_machine

from goals.commentary import write_commentary
from goals.importers import upsert_measurements
from goals.models import Frequency
from rhythm.completion import build_completion
from tests.factories import MetricFactory

from .conftest import TODAY

D = datetime.date


def enter(rhythm, editor, week_end, on):
    with time_machine.travel(
        datetime.datetime.combine(on, datetime.time(18), datetime.UTC), tick=False
    ):
        upsert_measurements(
            district=rhythm.metric.district,
            rows=[
                {
                    "metric": "attendance_weekly",
                    "school_id": s.school_id,
                    "period_end": week_end,
                    "value": 93,
                }
                for s in rhythm.schools
            ],
            acting_user=editor,
        )


def comment(rhythm, editor, week_end, on):
    with time_machine.travel(
        datetime.datetime.combine(on, datetime.time(18), datetime.UTC), tick=False
    ):
        write_commentary(
            metric=rhythm.metric,
            period_end=week_end,
            behind_the_number="Flu week.",
            next_steps="",
            acting_user=editor,
        )


def test_counts_on_time_late_and_missing_by_hand(rhythm, district, editor, frozen):
    # Weeks ending Fridays from 3 July to 27 November are past due on 3 December: 22.
    enter(rhythm, editor, D(2026, 11, 20), on=D(2026, 11, 21))  # due 23rd: on time
    enter(rhythm, editor, D(2026, 11, 27), on=D(2026, 12, 2))  # due 30th: late
    comment(rhythm, editor, D(2026, 11, 27), on=D(2026, 11, 29))  # on time
    # A monthly metric nobody owns: July to October are past due (November's is due
    # on 3 December, today, so not yet missing).
    MetricFactory(district=district, name="Monthly", frequency=Frequency.MONTHLY)
    rows = build_completion(district=district, today=TODAY)
    by_person = {(row.person, row.role): row for row in rows}
    nobody = by_person["", ""]
    assert (
        nobody.this_period.on_time,
        nobody.this_period.late,
        nobody.this_period.missing,
    ) == (0, 0, 2)
    assert (nobody.year.on_time, nobody.year.late, nobody.year.missing) == (0, 0, 8)
    nadia = by_person["Nadia", "CSO"]
    assert (
        nadia.this_period.on_time,
        nadia.this_period.late,
        nadia.this_period.missing,
    ) == (1, 1, 0)
    # 22 weeks x 2 updates = 44: values 1 on time, 1 late, 20 missing; commentary
    # 1 on time, 21 missing.
    assert (nadia.year.on_time, nadia.year.late, nadia.year.missing) == (2, 1, 41)
    # Worst first: the unowned metric misses this period's updates.
    assert rows[0] is nobody


def test_updates_are_credited_to_whoever_owed_them_on_the_due_date(
    rhythm, district, frozen
):
    from tests.factories import PersonFactory, RoleAssignmentFactory

    rhythm.metric.update_owner = None
    rhythm.metric.save()
    cso = rhythm.metric.owners.get().role
    cso.assignments.update(ended_on=D(2026, 10, 31))
    newcomer = PersonFactory(district=district, name="Quinn")
    RoleAssignmentFactory(
        district=district, role=cso, person=newcomer, started_on=D(2026, 11, 1)
    )
    rows = {row.person: row for row in build_completion(district=district, today=TODAY)}
    # Due dates 6 July to 26 October (17 Mondays) fall to Terry, the role's holder
    # until 31 October; 2 to 30 November (5 Mondays) to Quinn.
    assert rows["Terry"].year.missing == 17 * 2
    assert rows["Quinn"].year.missing == 5 * 2


def test_the_page_and_the_api_for_each_visitor(
    rhythm, client_for, api_client_for, viewer, editor, outsider
):
    page = client_for(viewer).get("/districts/lakeside/completion/")
    assert page.status_code == 200
    assert '<th scope="row">Nadia</th>' in page.content.decode()
    data = api_client_for(editor).get("/api/v1/districts/lakeside/completion/").json()
    assert data["rows"][0]["person"] == "Nadia"
    assert data["rows"][0]["year"] == {"on_time": 0, "late": 0, "missing": 44}
    assert (
        client_for(outsider).get("/districts/lakeside/completion/").status_code == 404
    )
    assert (
        api_client_for(outsider)
        .get("/api/v1/districts/lakeside/completion/")
        .status_code
        == 404
    )
    assert client_for(None).get("/districts/lakeside/completion/").status_code == 302

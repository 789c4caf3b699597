"""A partnership's compact: joint and distinct rows from the matrix, and as of a date."""

import datetime

import pytest
import time_machine

from roles.cells import set_ownership_on_current_row as set_ownership
from roles.models import RaciLevel
from routines.models import NonNegotiable
from routines.partnerships import build_compact
from tests.factories import (
    GoalFactory,
    GoalOwnerFactory,
    NonNegotiableFactory,
    PartnershipFactory,
    PartnershipRoleFactory,
    ResponsibilityFactory,
    RoleFactory,
    TheoryLinkFactory,
    TheoryStatementFactory,
)

A = RaciLevel.ACCOUNTABLE


def moment(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.fixture
def cabinet(district, superuser):
    with time_machine.travel(moment("2020-01-01"), tick=False):
        return build_cabinet(district, superuser)


def build_cabinet(district, superuser):
    cao = RoleFactory(district=district, code="CAO")
    cso = RoleFactory(district=district, code="CSO")
    cto = RoleFactory(district=district, code="CTO")
    rows = {
        name: ResponsibilityFactory(district=district, name=name, is_joint=is_joint)
        for name, is_joint in (
            ("Goals and targets", True),
            ("Curriculum", False),
            ("Coaching conversations", False),
            ("Devices", False),
            ("Disputed", False),
            ("Joint with the CTO", True),
        )
    }
    levels = {
        "Goals and targets": {cao: A, cso: A},
        "Curriculum": {cao: A, cso: RaciLevel.CONSULTED},
        "Coaching conversations": {cso: A},
        "Devices": {cto: A},
        "Disputed": {cao: A, cso: A},  # a conflict, not joint work
        "Joint with the CTO": {cao: A, cto: A},  # joint, but one partner only
    }
    for name, cells in levels.items():
        for role, level in cells.items():
            set_ownership(
                responsibility=rows[name],
                role=role,
                level=level,
                acting_user=superuser,
            )
    return cao, cso, cto, rows


def test_the_compact_reads_joint_and_distinct_rows_from_the_matrix(
    district, cabinet, editor
):
    cao, cso, _cto, rows = cabinet
    partnership = PartnershipFactory(district=district, name="CAO and CSO")
    PartnershipRoleFactory(district=district, partnership=partnership, role=cao)
    PartnershipRoleFactory(district=district, partnership=partnership, role=cso)
    joint_goal = GoalFactory(district=district, statement="Graduate ready")
    GoalOwnerFactory(district=district, goal=joint_goal, role=cao)
    GoalOwnerFactory(district=district, goal=joint_goal, role=cso)
    GoalOwnerFactory(
        district=district, goal=GoalFactory(district=district), role=cso
    )  # one partner's goal is not shared
    statement = TheoryStatementFactory(district=district, partnership=partnership)
    TheoryLinkFactory(
        district=district, statement=statement, responsibility=rows["Curriculum"]
    )
    NonNegotiableFactory(district=district, partnership=partnership, owner=cso)

    compact = build_compact(partnership=partnership, user=editor)

    assert compact.roles == ("CAO", "CSO")
    assert [row.name for row in compact.joint_rows] == ["Goals and targets"]
    distinct = {work.code: [row.name for row in work.rows] for work in compact.distinct}
    assert distinct == {"CAO": ["Curriculum"], "CSO": ["Coaching conversations"]}
    assert [shared.goal for shared in compact.goals] == [joint_goal]
    assert compact.statements[0].rows == ("Curriculum",)
    assert [item.owner for item in compact.non_negotiables] == ["CSO"]


def test_the_compact_as_of_a_date_shows_the_text_and_matrix_of_that_day(
    district, cabinet, editor, superuser
):
    cao, cso, _cto, rows = cabinet
    with time_machine.travel(moment("2020-02-01"), tick=False):
        partnership = PartnershipFactory(
            district=district, name="CAO and CSO", vision="First vision"
        )
        PartnershipRoleFactory(district=district, partnership=partnership, role=cao)
        PartnershipRoleFactory(district=district, partnership=partnership, role=cso)
    with time_machine.travel(moment("2020-06-01"), tick=False):
        partnership.vision = "Second vision"
        partnership.save()
        NonNegotiableFactory(
            district=district, partnership=partnership, owner=cao, statement="Later"
        )
        # The CSO becomes accountable for the curriculum too: no longer the CAO's alone.
        set_ownership(
            responsibility=rows["Curriculum"], role=cso, level=A, acting_user=superuser
        )

    before = build_compact(
        partnership=partnership, user=editor, as_of=datetime.date(2020, 3, 1)
    )
    now = build_compact(partnership=partnership, user=editor)
    too_early = build_compact(
        partnership=partnership, user=editor, as_of=datetime.date(2020, 1, 15)
    )

    assert (before.vision, before.non_negotiables) == ("First vision", ())
    distinct_before = {w.code: [r.name for r in w.rows] for w in before.distinct}
    assert distinct_before["CAO"] == ["Curriculum"]
    assert now.vision == "Second vision"
    assert [item.statement for item in now.non_negotiables] == ["Later"]
    assert {w.code: [r.name for r in w.rows] for w in now.distinct}["CAO"] == []
    assert too_early is None
    assert NonNegotiable.history.filter(statement="Later").count() == 1


def test_partnership_page_shows_the_compact_and_refuses_a_bad_date(
    district, cabinet, client_for, viewer
):
    cao, cso, _cto, _rows = cabinet
    partnership = PartnershipFactory(district=district, name="CAO and CSO")
    PartnershipRoleFactory(district=district, partnership=partnership, role=cao)
    PartnershipRoleFactory(district=district, partnership=partnership, role=cso)
    NonNegotiableFactory(
        district=district,
        partnership=partnership,
        owner=cso,
        statement="Every network chief coaches weekly",
    )
    client = client_for(viewer)

    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Goals and targets" in page
    assert "Coaching conversations" in page
    assert "Every network chief coaches weekly" in page

    refused = client.get(partnership.get_absolute_url() + "?as_of=2020-13-45")
    assert refused.status_code == 400
    assert "YYYY-MM-DD" in refused.content.decode()
    far = client.get(partnership.get_absolute_url() + "?as_of=3020-01-01")
    assert far.status_code == 400

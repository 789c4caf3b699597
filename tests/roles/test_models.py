"""Roles, assignments, work areas, responsibilities and ownerships: rules and guards."""

import datetime

import pytest

from roles.models import (
    Ownership,
    RaciLevel,
    Responsibility,
    Role,
    WorkArea,
)

from ..constraints import assert_refused
from ..factories import (
    OwnershipFactory,
    PersonFactory,
    ResponsibilityFactory,
    RoleAssignmentFactory,
    RoleFactory,
    WorkAreaFactory,
)

pytestmark = pytest.mark.django_db


def test_role_codes_are_unique_per_district(district, other_district):
    RoleFactory(district=district, code="CAO")
    assert_refused(Role(district=district, code="CAO", title="Again"), "unique_code")
    Role(district=other_district, code="CAO", title="Elsewhere").full_clean()


def test_role_kind_must_be_a_known_one(district):
    role = Role(district=district, code="X", title="X", kind="board")
    assert_refused(role, "kind_valid", by_full_clean=False)


def test_a_role_cannot_report_to_itself(district):
    role = RoleFactory(district=district)
    role.reports_to_id = role.pk
    assert_refused(role, "not_own_manager")


def test_an_assignment_cannot_end_before_it_starts(district):
    assignment = RoleAssignmentFactory.build(
        district=district,
        role=RoleFactory(district=district),
        person=PersonFactory(district=district),
        started_on=datetime.date(2021, 7, 1),
        ended_on=datetime.date(2021, 6, 30),
    )
    assert_refused(assignment, "start_date_before_end_date")


def test_an_assignment_may_end_the_day_it_starts_or_stay_open(district):
    for ended_on in (datetime.date(2021, 7, 1), None):
        RoleAssignmentFactory.build(
            district=district,
            role=RoleFactory(district=district),
            person=PersonFactory(district=district),
            started_on=datetime.date(2021, 7, 1),
            ended_on=ended_on,
        ).full_clean()


def test_work_area_names_are_unique_per_district(district, other_district):
    WorkAreaFactory(district=district, name="Curriculum")
    assert_refused(WorkArea(district=district, name="Curriculum"), "unique_name")
    WorkArea(district=other_district, name="Curriculum").full_clean()


def test_responsibility_names_are_unique_per_work_area(district):
    existing = ResponsibilityFactory(district=district, name="Scope and sequence")
    duplicate = Responsibility(
        district=district, work_area=existing.work_area, name="Scope and sequence"
    )
    assert_refused(duplicate, "unique_name")
    Responsibility(
        district=district,
        work_area=WorkAreaFactory(district=district),
        name="Scope and sequence",
    ).full_clean()


def test_a_role_has_one_level_per_responsibility(district):
    cell = OwnershipFactory(district=district)
    duplicate = Ownership(
        district=district,
        responsibility=cell.responsibility,
        role=cell.role,
        level=RaciLevel.CONSULTED,
    )
    assert_refused(duplicate, "one_per_role")


def test_an_ownership_level_is_one_of_raci(district):
    cell = OwnershipFactory.build(
        district=district,
        responsibility=ResponsibilityFactory(district=district),
        role=RoleFactory(district=district),
        level="X",
    )
    assert_refused(cell, "level_valid", by_full_clean=False)


def test_a_matrix_cell_change_is_recorded_with_its_user(district, editor):
    cell = OwnershipFactory(district=district, level=RaciLevel.ACCOUNTABLE)
    cell.level = RaciLevel.RESPONSIBLE
    cell._history_user = editor
    cell.save(update_fields=["level"])
    before, after = cell.history.order_by("history_id")
    assert (before.level, after.level) == ("A", "R")
    assert after.history_user == editor
    assert after.version == before.version + 1

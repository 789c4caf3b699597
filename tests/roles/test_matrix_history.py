"""The matrix over time: row history, snapshots as of a moment, changes between days."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles.cells import set_ownership
from roles.matrix_history import (
    AsOf,
    RowChangeKind,
    diff_snapshots,
    end_of_day,
    matrix_changes,
    row_history,
    start_of_day,
)
from roles.matrix_snapshot import (
    ResponsibilityValues,
    RoleColumn,
    Snapshot,
    WorkAreaValues,
)
from roles.models import Ownership, Responsibility, Role, WorkArea
from roles.responsibilities import add_responsibility, update_responsibility
from tests.factories import ResponsibilityFactory, RoleFactory, WorkAreaFactory

CAO = RoleColumn(1, "CAO", "Chief Academic Officer", "cabinet")
CSO = RoleColumn(2, "CSO", "Chief Schools Officer", "cabinet")


def snapshot(rows, levels, *, at=None):
    return Snapshot(
        district_id=1,
        overload_ratio=Decimal("2"),
        roles=(CAO, CSO),
        work_areas=(WorkAreaValues(10, "Program"), WorkAreaValues(20, "Schools")),
        responsibilities=tuple(rows),
        levels=levels,
        as_of=at,
    )


def row(pk, name, area=10, *, joint=False):
    return ResponsibilityValues(pk, area, name, "", joint, 1)


def test_start_and_end_of_day_are_in_the_site_time_zone(settings):
    day = datetime.date(2024, 3, 5)
    start, end = start_of_day(day), end_of_day(day)
    assert timezone.localtime(start).timetuple()[:6] == (2024, 3, 5, 0, 0, 0)
    assert timezone.localtime(end).timetuple()[:6] == (2024, 3, 5, 23, 59, 59)
    assert str(timezone.localtime(start).tzinfo) == settings.TIME_ZONE


def test_diff_lists_added_removed_and_changed_cells_in_matrix_order():
    before = snapshot(
        [row(1, "Curriculum"), row(2, "Coaching", 20)],
        {(1, 1): "R", (2, 1): "A", (2, 2): "C"},
    )
    after = snapshot(
        [row(1, "Curriculum"), row(2, "Coaching", 20)],
        {(1, 1): "A", (1, 2): "R", (2, 1): "A"},
    )
    cells = diff_snapshots(before, after).cells
    assert [(c.responsibility, c.role, c.before, c.after, c.kind) for c in cells] == [
        ("Curriculum", "CAO", "R", "A", "changed"),
        ("Curriculum", "CSO", "", "R", "added"),
        ("Coaching", "CSO", "C", "", "removed"),
    ]
    assert cells[0].work_area == "Program"


def test_diff_lists_rows_added_removed_renamed_moved_and_declared_joint():
    before = snapshot(
        [row(1, "Curriculum"), row(2, "Budget"), row(3, "Coaching")],
        {(1, 1): "A", (3, 1): "A"},
    )
    after = snapshot(
        [
            row(1, "Curriculum and pacing", 20),
            row(3, "Coaching", joint=True),
            row(4, "Devices"),
        ],
        {(1, 1): "A", (3, 1): "A"},
    )
    changes = diff_snapshots(before, after).rows
    # In matrix order: Program's rows (a removed row last in its area), then Schools'.
    assert [(c.name, c.kind, c.before, c.after) for c in changes] == [
        ("Coaching", RowChangeKind.JOINT, "no", "yes"),
        ("Devices", RowChangeKind.ADDED, "", ""),
        ("Budget", RowChangeKind.REMOVED, "", ""),
        (
            "Curriculum and pacing",
            RowChangeKind.RENAMED,
            "Curriculum",
            "Curriculum and pacing",
        ),
        ("Curriculum and pacing", RowChangeKind.MOVED, "Program", "Schools"),
    ]


def test_added_and_removed_rows_carry_their_cells_instead_of_listing_each():
    before = snapshot([row(1, "Budget")], {(1, 2): "A", (1, 1): "C"})
    after = snapshot([row(2, "Devices")], {(2, 1): "A", (2, 2): "R"})
    changes = diff_snapshots(before, after)
    assert [(c.name, c.kind, c.before, c.after) for c in changes.rows] == [
        ("Devices", RowChangeKind.ADDED, "", "CAO A, CSO R"),
        ("Budget", RowChangeKind.REMOVED, "CAO C, CSO A", ""),
    ]
    assert changes.cells == ()


def test_diff_lists_classification_changes():
    before = snapshot([row(1, "Curriculum")], {(1, 1): "A", (1, 2): "A"})
    after = snapshot([row(1, "Curriculum")], {(1, 1): "A", (1, 2): "R"})
    (change,) = diff_snapshots(before, after).rows
    assert (change.kind, change.before, change.after) == (
        RowChangeKind.CLASSIFICATION,
        "Conflict",
        "Distinct",
    )


def test_identical_snapshots_have_no_changes():
    same = snapshot([row(1, "Curriculum")], {(1, 1): "A"})
    assert diff_snapshots(same, same).is_empty


@pytest.fixture
def curriculum(district):
    area = WorkAreaFactory(district=district, name="Program")
    return ResponsibilityFactory(district=district, work_area=area, name="Curriculum")


def test_row_history_names_who_changed_which_cell_from_what_to_what(
    curriculum, editor, district_admin
):
    cao = RoleFactory(district=curriculum.district, code="CAO")
    set_ownership(
        responsibility=curriculum,
        role=cao,
        level="R",
        expected_version=1,
        acting_user=editor,
    )
    set_ownership(
        responsibility=curriculum,
        role=cao,
        level="A",
        expected_version=2,
        acting_user=district_admin,
    )
    set_ownership(
        responsibility=curriculum,
        role=cao,
        level="",
        expected_version=3,
        acting_user=editor,
    )
    cells = [e for e in row_history(curriculum) if e.subject == "CAO"]
    assert [(e.user, e.before, e.after) for e in cells] == [
        ("editor", "Accountable", "none"),
        ("district_admin", "Responsible", "Accountable"),
        ("editor", "none", "Responsible"),
    ]
    assert cells[0].at >= cells[1].at >= cells[2].at


def test_row_history_includes_the_rows_own_fields(curriculum, editor):
    schools = WorkAreaFactory(district=curriculum.district, name="Schools")
    update_responsibility(
        responsibility=curriculum,
        expected_version=1,
        acting_user=editor,
        name="Curriculum and pacing",
        description="Scope and sequence",
        is_joint=True,
        work_area=schools,
    )
    entries = {(e.subject, e.before, e.after, e.user) for e in row_history(curriculum)}
    assert ("Name", "Curriculum", "Curriculum and pacing", "editor") in entries
    assert ("Description", "", "Scope and sequence", "editor") in entries
    assert ("Declared joint", "no", "yes", "editor") in entries
    assert ("Work area", "Program", "Schools", "editor") in entries
    assert ("Row", "", "Curriculum", "") in entries  # created by the factory


def test_row_history_keeps_the_code_of_a_deleted_role(curriculum, editor):
    role = RoleFactory(district=curriculum.district, code="COO")
    set_ownership(
        responsibility=curriculum,
        role=role,
        level="A",
        expected_version=1,
        acting_user=editor,
    )
    role.delete()
    subjects = [e.subject for e in row_history(curriculum)]
    assert subjects.count("COO") == 2  # set, then removed with the role


def test_row_history_takes_four_queries_whatever_its_length(curriculum, editor):
    role = RoleFactory(district=curriculum.district)
    for version, level in enumerate(["R", "A", "C", "I", "R", "A"], start=1):
        set_ownership(
            responsibility=curriculum,
            role=role,
            level=level,
            expected_version=version,
            acting_user=editor,
        )
    with CaptureQueriesContext(connection) as queries:
        entries = row_history(curriculum)
    assert len(entries) == 7
    assert len(queries) == 4


def _shift_history(days):
    for model in (Role, WorkArea, Responsibility, Ownership):
        model.history.update(
            history_date=timezone.now() - datetime.timedelta(days=days)
        )


def test_matrix_changes_cover_whole_days_and_name_the_editors(
    district, curriculum, editor, district_admin
):
    cao = RoleFactory(district=district, code="CAO")
    cso = RoleFactory(district=district, code="CSO")
    _shift_history(20)  # the matrix as it was 20 days ago
    set_ownership(
        responsibility=curriculum,
        role=cao,
        level="R",
        expected_version=1,
        acting_user=editor,
    )
    set_ownership(
        responsibility=curriculum,
        role=cao,
        level="A",
        expected_version=2,
        acting_user=district_admin,
    )
    set_ownership(
        responsibility=curriculum,
        role=cso,
        level="C",
        expected_version=3,
        acting_user=editor,
    )
    today = timezone.localdate()
    changes = matrix_changes(district, first_day=today, last_day=today)
    assert [(c.role, c.before, c.after, c.editors) for c in changes.cells] == [
        ("CAO", "", "A", ("editor", "district_admin")),
        ("CSO", "", "C", ("editor",)),
    ]
    assert changes.cells[0].last_changed_at == (
        Ownership.history.filter(role_id=cao.pk).first().history_date
    )
    (classification,) = changes.rows
    assert (classification.before, classification.after) == ("Gap", "Distinct")
    earlier = today - datetime.timedelta(days=10)
    assert matrix_changes(district, first_day=earlier, last_day=earlier).is_empty


def test_matrix_changes_take_the_same_queries_for_few_and_many_changes(
    district, curriculum, editor
):
    roles = [RoleFactory(district=district) for _ in range(6)]
    today = timezone.localdate()

    def count():
        with CaptureQueriesContext(connection) as queries:
            matrix_changes(district, first_day=today, last_day=today)
        return len(queries)

    set_ownership(
        responsibility=curriculum,
        role=roles[0],
        level="A",
        expected_version=1,
        acting_user=editor,
    )
    few = count()
    for index, role in enumerate(roles[1:], start=2):
        set_ownership(
            responsibility=curriculum,
            role=role,
            level="C",
            expected_version=index,
            acting_user=editor,
        )
    assert count() == few <= 11  # 11 when rows changed too


def test_changes_credit_each_cell_to_who_changed_it_not_the_rows_author(
    district, editor, district_admin, viewer
):
    """A row written by one person, its cells changed later by two others."""
    cao = RoleFactory(district=district, code="CAO")
    cso = RoleFactory(district=district, code="CSO")
    program = WorkAreaFactory(district=district, name="Program")
    row = add_responsibility(
        district=district, work_area=program, name="Curriculum", acting_user=viewer
    )
    _shift_history(20)
    set_ownership(
        responsibility=row, role=cao, level="A", expected_version=1, acting_user=editor
    )
    set_ownership(
        responsibility=row,
        role=cso,
        level="C",
        expected_version=2,
        acting_user=district_admin,
    )
    today = timezone.localdate()
    changes = matrix_changes(district, first_day=today, last_day=today)
    assert [(c.role, c.after, c.editors) for c in changes.cells] == [
        ("CAO", "A", ("editor",)),
        ("CSO", "C", ("district_admin",)),
    ]
    # Gap to distinct: the accountable cell made it, not the row's author (viewer),
    # and not the consulted cell.
    (classification,) = changes.rows
    assert classification.kind == RowChangeKind.CLASSIFICATION
    assert classification.editors == ("editor",)


def test_an_added_row_credits_its_author_and_the_editors_of_its_cells(
    district, editor, district_admin, viewer
):
    cao = RoleFactory(district=district, code="CAO")
    program = WorkAreaFactory(district=district, name="Program")
    row = add_responsibility(
        district=district, work_area=program, name="Curriculum", acting_user=viewer
    )
    set_ownership(
        responsibility=row, role=cao, level="A", expected_version=1, acting_user=editor
    )
    today = timezone.localdate()
    (added,) = matrix_changes(district, first_day=today, last_day=today).rows
    assert (added.kind, added.after, added.editors) == (
        RowChangeKind.ADDED,
        "CAO A",
        ("viewer", "editor"),
    )


def test_a_rename_credits_who_renamed_not_who_edited_the_description(
    district, editor, district_admin
):
    program = WorkAreaFactory(district=district, name="Program")
    row = ResponsibilityFactory(district=district, work_area=program, name="Budget")
    _shift_history(20)
    update_responsibility(
        responsibility=row,
        expected_version=1,
        acting_user=district_admin,
        name="Budget",
        description="Yearly budget",
        is_joint=False,
        work_area=program,
    )
    update_responsibility(
        responsibility=row,
        expected_version=2,
        acting_user=editor,
        name="Budget and staffing",
        description="Yearly budget",
        is_joint=False,
        work_area=program,
    )
    today = timezone.localdate()
    (renamed,) = matrix_changes(district, first_day=today, last_day=today).rows
    assert (renamed.kind, renamed.editors) == (RowChangeKind.RENAMED, ("editor",))


def test_changes_list_rows_in_matrix_order_by_work_area_then_row(district, editor):
    """Row order numbers restart in each work area; the list follows the areas."""
    cao = RoleFactory(district=district, code="CAO")
    schools = WorkAreaFactory(district=district, name="Schools", sort_order=1)
    program = WorkAreaFactory(district=district, name="Program", sort_order=2)
    rows = [
        ResponsibilityFactory(
            district=district, work_area=area, name=name, sort_order=n
        )
        for area, name, n in [
            (program, "Curriculum", 0),
            (program, "Assessment", 1),
            (schools, "Coaching", 5),
            (schools, "Enrollment", 6),
        ]
    ]
    _shift_history(20)
    for row in reversed(rows):
        set_ownership(
            responsibility=row,
            role=cao,
            level="A",
            expected_version=1,
            acting_user=editor,
        )
    today = timezone.localdate()
    changes = matrix_changes(district, first_day=today, last_day=today)
    expected = ["Coaching", "Enrollment", "Curriculum", "Assessment"]
    assert [c.responsibility for c in changes.cells] == expected
    assert [c.name for c in changes.rows] == expected


def test_as_of_a_minute_includes_that_minute_and_nothing_after(settings):
    settings.TIME_ZONE = "America/Chicago"
    day = datetime.date(2026, 3, 5)
    as_of = AsOf(day=day, minute=datetime.time(14, 5))
    assert as_of.param == "2026-03-05T14:05"
    assert as_of.label == "5 March 2026, 14:05"
    local = timezone.localtime(as_of.moment)
    assert (local.hour, local.minute, local.second) == (14, 5, 59)
    assert AsOf(day=day).moment == end_of_day(day)
    assert AsOf(day=day).label == "the end of 5 March 2026"

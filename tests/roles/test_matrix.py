"""Matrix rules (classification, warnings, overload), the assembled matrix, cell edits."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from roles.cells import set_ownership
from roles.matrix import (
    Classification,
    MatrixFilters,
    RowWarning,
    assemble_matrix,
    build_health,
    build_matrix,
    classify_row,
    find_overloaded_roles,
)
from roles.matrix_snapshot import (
    ResponsibilityValues,
    RoleColumn,
    Snapshot,
    WorkAreaValues,
)
from roles.models import Ownership, RaciLevel, Responsibility, Role, RoleKind
from roles.responsibilities import StaleRowError
from tests.factories import (
    DistrictFactory,
    OwnershipFactory,
    ResponsibilityFactory,
    RoleFactory,
    UserFactory,
    WorkAreaFactory,
)

# --- classify_row: every case ---


def test_a_row_with_one_accountable_role_is_distinct():
    health = classify_row(["A", "R", "C", ""], declared_joint=False)
    assert health.classification == Classification.DISTINCT
    assert health.warnings == ()


def test_a_declared_joint_row_with_two_accountable_roles_is_joint():
    health = classify_row(["A", "A", "R"], declared_joint=True)
    assert health.classification == Classification.JOINT
    assert health.warnings == ()


def test_a_declared_joint_row_with_three_accountable_roles_is_joint():
    health = classify_row(["A", "A", "A", "R"], declared_joint=True)
    assert health.classification == Classification.JOINT


def test_a_row_with_no_accountable_role_is_a_gap():
    health = classify_row(["R", "C", "I"], declared_joint=False)
    assert health.classification == Classification.GAP
    assert health.warnings == ()


def test_an_empty_row_is_a_gap():
    assert classify_row([], declared_joint=False).classification == Classification.GAP
    assert classify_row(["", ""], declared_joint=False).classification == (
        Classification.GAP
    )


def test_a_declared_joint_row_with_no_accountable_role_is_a_gap():
    health = classify_row(["R", "C"], declared_joint=True)
    assert health.classification == Classification.GAP


def test_a_row_with_two_accountable_roles_not_declared_joint_is_a_conflict():
    health = classify_row(["A", "A", "R"], declared_joint=False)
    assert health.classification == Classification.CONFLICT


def test_a_declared_joint_row_with_one_accountable_role_is_distinct_with_a_warning():
    health = classify_row(["A", "R"], declared_joint=True)
    assert health.classification == Classification.DISTINCT
    assert health.warnings == (RowWarning.JOINT_WITH_ONE_ACCOUNTABLE,)


def test_an_accountable_row_without_a_responsible_role_is_warned():
    health = classify_row(["A", "C", "I"], declared_joint=False)
    assert health.classification == Classification.DISTINCT
    assert health.warnings == (RowWarning.ACCOUNTABLE_WITHOUT_RESPONSIBLE,)


def test_a_conflict_without_a_responsible_role_is_warned_too():
    health = classify_row(["A", "A"], declared_joint=False)
    assert health.classification == Classification.CONFLICT
    assert health.warnings == (RowWarning.ACCOUNTABLE_WITHOUT_RESPONSIBLE,)


def test_a_gap_is_not_warned_about_a_missing_responsible_role():
    assert classify_row(["C"], declared_joint=False).warnings == ()


def test_declared_joint_with_one_accountable_and_nobody_responsible_has_both_warnings():
    health = classify_row(["A"], declared_joint=True)
    assert health.warnings == (
        RowWarning.JOINT_WITH_ONE_ACCOUNTABLE,
        RowWarning.ACCOUNTABLE_WITHOUT_RESPONSIBLE,
    )


def test_classification_accepts_raci_level_members():
    levels = [RaciLevel.ACCOUNTABLE, RaciLevel.RESPONSIBLE]
    assert classify_row(levels, declared_joint=False).classification == (
        Classification.DISTINCT
    )


# --- overload ---


def test_a_role_accountable_for_more_than_ratio_times_the_mean_is_overloaded():
    # mean over roles with an A: (10 + 1 + 1) / 3 = 4; limit 2 x 4 = 8; 10 > 8.
    overload = find_overloaded_roles({1: 10, 2: 1, 3: 1, 4: 0}, ratio=Decimal("2"))
    assert overload.overloaded == frozenset({1})
    assert overload.mean == Decimal("4.00")
    assert overload.limit == Decimal("8.00")


def test_roles_without_an_accountable_row_do_not_lower_the_mean():
    # With the zero counted the mean would be 3 and 7 > 6 would be overloaded.
    overload = find_overloaded_roles({1: 7, 2: 3, 3: 2, 4: 0}, ratio=Decimal("2"))
    assert overload.mean == Decimal("4.00")
    assert overload.overloaded == frozenset()


def test_a_count_equal_to_the_limit_is_not_overloaded():
    overload = find_overloaded_roles({1: 8, 2: 2, 3: 2}, ratio=Decimal("2"))
    assert overload.limit == Decimal("8.00")
    assert overload.overloaded == frozenset()


def test_two_accountable_roles_are_never_overloaded_at_ratio_two():
    overload = find_overloaded_roles({1: 100, 2: 1}, ratio=Decimal("2"))
    assert overload.overloaded == frozenset()


def test_a_lower_ratio_flags_sooner():
    overload = find_overloaded_roles({1: 100, 2: 1}, ratio=Decimal("1.5"))
    assert overload.overloaded == frozenset({1})


def test_no_accountable_rows_means_nobody_is_overloaded():
    overload = find_overloaded_roles({1: 0, 2: 0}, ratio=Decimal("2"))
    assert overload.overloaded == frozenset()
    assert overload.mean == 0


# --- assemble_matrix over plain values ---

CAO = RoleColumn(1, "CAO", "Chief Academic Officer", RoleKind.CABINET)
CSO = RoleColumn(2, "CSO", "Chief Schools Officer", RoleKind.CABINET)
CTO = RoleColumn(3, "CTO", "Chief Technology Officer", RoleKind.CABINET)


def _row(pk, area, name, *, joint=False):
    return ResponsibilityValues(pk, area, name, "", joint, 1)


def _snapshot(levels, *, rows=None, ratio="2"):
    return Snapshot(
        district_id=1,
        overload_ratio=Decimal(ratio),
        roles=(CAO, CSO, CTO),
        work_areas=(WorkAreaValues(10, "Planning"), WorkAreaValues(20, "Program")),
        responsibilities=rows
        or (
            _row(100, 10, "Priorities", joint=True),
            _row(101, 10, "Budget"),
            _row(200, 20, "Curriculum"),
            _row(201, 20, "Assessment"),
        ),
        levels=levels,
    )


LEVELS = {
    (100, 1): "A",
    (100, 2): "A",
    (100, 3): "R",  # joint
    # 101: gap
    (200, 1): "A",
    (200, 2): "R",  # distinct, CAO
    (201, 1): "A",
    (201, 3): "A",  # conflict
}


def test_assemble_groups_rows_by_work_area_in_order():
    matrix = assemble_matrix(_snapshot(LEVELS))
    assert [group.name for group in matrix.groups] == ["Planning", "Program"]
    assert [row.name for row in matrix.groups[1].rows] == ["Curriculum", "Assessment"]
    assert [cell.level for cell in matrix.groups[1].rows[0].cells] == ["A", "R", ""]


def test_assemble_marks_the_first_and_last_rows_of_each_area():
    rows = assemble_matrix(_snapshot(LEVELS)).groups[0].rows
    assert (rows[0].is_first_in_area, rows[0].is_last_in_area) == (True, False)
    assert (rows[1].is_first_in_area, rows[1].is_last_in_area) == (False, True)


def test_summary_counts_joint_distinct_gaps_and_conflicts():
    summary = assemble_matrix(_snapshot(LEVELS)).summary
    assert (summary.rows, summary.joint, summary.distinct) == (4, 1, 1)
    assert (summary.gaps, summary.conflicts) == (1, 1)
    # Assessment: CAO and CTO accountable, nobody responsible.
    assert summary.with_warnings == 1


def test_summary_counts_distinct_rows_per_role():
    loads = {
        load.role.code: load
        for load in assemble_matrix(_snapshot(LEVELS)).summary.role_loads
    }
    assert loads["CAO"].distinct == 1
    assert loads["CSO"].distinct == 0
    assert loads["CAO"].accountable == 3
    assert loads["CTO"].responsible == 1


def test_summary_flags_an_overloaded_role():
    levels = {(pk, 1): "A" for pk in (100, 101, 200, 201)} | {
        (100, 2): "A",
        (101, 3): "A",
    }
    # CAO 4, CSO 1, CTO 1: mean 2, limit 3 at ratio 1.5: CAO is overloaded.
    summary = assemble_matrix(_snapshot(levels, ratio="1.5")).summary
    assert [load.role.code for load in summary.overloaded_roles] == ["CAO"]


def test_filter_by_work_area_keeps_only_that_area():
    matrix = assemble_matrix(_snapshot(LEVELS), MatrixFilters(work_area=20))
    assert [group.name for group in matrix.groups] == ["Program"]
    assert matrix.shown_rows == 2


def test_filter_by_role_keeps_rows_where_the_role_has_a_level():
    matrix = assemble_matrix(_snapshot(LEVELS), MatrixFilters(role=3))
    assert [row.name for row in matrix.rows()] == ["Priorities", "Assessment"]


def test_filter_by_role_and_level_keeps_rows_where_the_role_has_that_level():
    matrix = assemble_matrix(_snapshot(LEVELS), MatrixFilters(role=3, level="A"))
    assert [row.name for row in matrix.rows()] == ["Assessment"]


def test_filter_by_classification():
    matrix = assemble_matrix(_snapshot(LEVELS), MatrixFilters(classification="gap"))
    assert [row.name for row in matrix.rows()] == ["Budget"]


def test_filter_by_warnings():
    matrix = assemble_matrix(_snapshot(LEVELS), MatrixFilters(with_warnings=True))
    assert [row.name for row in matrix.rows()] == ["Assessment"]


def test_filters_leave_the_summary_over_the_whole_matrix():
    whole = assemble_matrix(_snapshot(LEVELS)).summary
    filtered = assemble_matrix(_snapshot(LEVELS), MatrixFilters(classification="gap"))
    assert filtered.summary == whole
    assert filtered.shown_rows == 1


def test_filters_hide_areas_left_empty_but_the_unfiltered_matrix_shows_them():
    rows = (_row(200, 20, "Curriculum"),)
    assert len(assemble_matrix(_snapshot({}, rows=rows)).groups) == 2
    filtered = assemble_matrix(
        _snapshot({}, rows=rows), MatrixFilters(classification="gap")
    )
    assert [group.name for group in filtered.groups] == ["Program"]


def test_rows_of_an_unrecorded_work_area_are_still_shown():
    rows = (_row(300, 99, "Orphan"),)
    matrix = assemble_matrix(_snapshot({}, rows=rows))
    assert matrix.groups[-1].pk is None
    assert [row.name for row in matrix.groups[-1].rows] == ["Orphan"]


# --- build_matrix and roles.cells.set_ownership against the database ---


@pytest.fixture
def cabinet(district):
    """A district with three cabinet roles, a network chief and two work areas."""
    chief = RoleFactory(district=district, code="NC1", kind=RoleKind.NETWORK_CHIEF)
    cto = RoleFactory(district=district, code="CTO", sort_order=3)
    cao = RoleFactory(district=district, code="CAO", sort_order=1)
    cso = RoleFactory(district=district, code="CSO", sort_order=2)
    planning = WorkAreaFactory(district=district, name="Planning", sort_order=1)
    program = WorkAreaFactory(district=district, name="Program", sort_order=2)
    return {
        "cao": cao,
        "cso": cso,
        "cto": cto,
        "chief": chief,
        "planning": planning,
        "program": program,
    }


def test_build_matrix_orders_columns_cabinet_first_as_role_meta_ordering(
    district, cabinet
):
    matrix = build_matrix(district)
    assert [role.code for role in matrix.roles] == ["CAO", "CSO", "CTO", "NC1"]
    assert [role.code for role in matrix.roles] == [
        role.code for role in Role.objects.filter(district=district)
    ]


def test_build_matrix_reads_only_its_district(district, other_district, cabinet):
    OwnershipFactory(district=other_district)
    row = ResponsibilityFactory(district=district, work_area=cabinet["program"])
    OwnershipFactory(district=district, responsibility=row, role=cabinet["cao"])
    matrix = build_matrix(district)
    assert [r.name for r in matrix.rows()] == [row.name]
    assert len(matrix.roles) == 4


def _populate(district, areas, roles, rows_per_area):
    for area in areas:
        for index in range(rows_per_area):
            row = ResponsibilityFactory(district=district, work_area=area)
            role = roles[index % len(roles)]
            OwnershipFactory(district=district, responsibility=row, role=role)


def test_build_matrix_takes_the_same_queries_for_a_small_and_a_large_matrix(
    district, other_district
):
    def count(target):
        with CaptureQueriesContext(connection) as queries:
            build_matrix(target)
        return len(queries)

    small_roles = [RoleFactory(district=district) for _ in range(2)]
    _populate(district, [WorkAreaFactory(district=district)], small_roles, 2)
    large_roles = [RoleFactory(district=other_district) for _ in range(8)]
    areas = [WorkAreaFactory(district=other_district) for _ in range(4)]
    _populate(other_district, areas, large_roles, 10)
    assert count(district) == count(other_district) == 4


def test_build_health_gives_every_rows_health_and_the_summary_of_build_matrix(
    district, other_district, cabinet
):
    c = cabinet
    district.overload_ratio = Decimal("1.5")
    district.save()
    rows = {
        name: ResponsibilityFactory(
            district=district,
            work_area=c["program"] if index % 2 else c["planning"],
            name=name,
            is_joint=name.startswith("joint"),
        )
        for index, name in enumerate(
            ["joint two A", "joint one A", "distinct", "gap", "conflict", "empty"]
        )
    }
    for name, role, level in [
        ("joint two A", "cao", "A"),
        ("joint two A", "cso", "A"),
        ("joint two A", "cto", "R"),
        ("joint one A", "cao", "A"),  # and no R: two warnings
        ("joint one A", "chief", "C"),
        ("distinct", "cao", "A"),
        ("distinct", "cso", "R"),
        ("distinct", "chief", "I"),
        ("gap", "cso", "R"),
        ("gap", "cto", "C"),
        ("conflict", "cao", "A"),
        ("conflict", "cto", "A"),
        ("conflict", "chief", "R"),
    ]:
        OwnershipFactory(
            district=district, responsibility=rows[name], role=c[role], level=level
        )
    OwnershipFactory(district=other_district, level="A")  # not counted here

    matrix = build_matrix(district)
    with CaptureQueriesContext(connection) as queries:
        health = build_health(district)
    assert len(queries) == 2
    assert health.summary == matrix.summary
    assert dict(health.rows) == {row.pk: row.health for row in matrix.rows()}
    assert health.summary.gaps == 2  # "gap" and "empty"
    assert health.rows[rows["joint one A"].pk].warnings == (
        RowWarning.JOINT_WITH_ONE_ACCOUNTABLE,
        RowWarning.ACCOUNTABLE_WITHOUT_RESPONSIBLE,
    )
    assert [load.role.code for load in health.summary.overloaded_roles] == ["CAO"]


@pytest.fixture
def row(district, cabinet):
    return ResponsibilityFactory(
        district=district, work_area=cabinet["program"], name="Curriculum"
    )


def test_set_ownership_creates_a_cell_and_advances_the_row_version(
    row, cabinet, editor
):
    ownership = set_ownership(
        responsibility=row,
        role=cabinet["cao"],
        level="A",
        expected_version=1,
        acting_user=editor,
    )
    assert ownership.level == "A"
    assert row.version == 2
    row.refresh_from_db()
    assert row.version == 2
    record = ownership.history.get()
    assert (record.history_type, record.history_user) == ("+", editor)


def test_set_ownership_changes_a_level_and_records_who(row, cabinet, editor):
    OwnershipFactory(
        district=row.district, responsibility=row, role=cabinet["cao"], level="R"
    )
    ownership = set_ownership(
        responsibility=row,
        role=cabinet["cao"],
        level="A",
        expected_version=1,
        acting_user=editor,
    )
    assert Ownership.objects.get(pk=ownership.pk).level == "A"
    latest = ownership.history.first()
    assert (latest.history_type, latest.level, latest.history_user) == (
        "~",
        "A",
        editor,
    )


def test_set_ownership_with_no_level_clears_the_cell(row, cabinet, editor):
    OwnershipFactory(district=row.district, responsibility=row, role=cabinet["cao"])
    result = set_ownership(
        responsibility=row,
        role=cabinet["cao"],
        level="",
        expected_version=1,
        acting_user=editor,
    )
    assert result is None
    assert not Ownership.objects.filter(responsibility=row).exists()
    deletion = Ownership.history.filter(responsibility_id=row.pk).first()
    assert (deletion.history_type, deletion.history_user) == ("-", editor)


def test_set_ownership_refuses_a_stale_version_and_writes_nothing(row, cabinet, editor):
    set_ownership(
        responsibility=row,
        role=cabinet["cao"],
        level="A",
        expected_version=1,
        acting_user=editor,
    )
    stale_copy = Responsibility.objects.get(pk=row.pk)
    stale_copy.version = 1
    with pytest.raises(StaleRowError):
        set_ownership(
            responsibility=stale_copy,
            role=cabinet["cso"],
            level="A",
            expected_version=1,
            acting_user=editor,
        )
    assert not Ownership.objects.filter(role=cabinet["cso"]).exists()
    row.refresh_from_db()
    assert row.version == 2


def test_set_ownership_refuses_an_unknown_level(row, cabinet, editor):
    with pytest.raises(ValidationError):
        set_ownership(
            responsibility=row,
            role=cabinet["cao"],
            level="X",
            expected_version=1,
            acting_user=editor,
        )
    row.refresh_from_db()
    assert row.version == 1
    assert not Ownership.objects.exists()


def test_set_ownership_refuses_a_role_of_another_district(row, other_district, editor):
    foreign = RoleFactory(district=other_district)
    with pytest.raises(ValidationError):
        set_ownership(
            responsibility=row,
            role=foreign,
            level="A",
            expected_version=1,
            acting_user=editor,
        )
    assert not Ownership.objects.exists()


def test_set_ownership_of_the_same_level_writes_no_history(row, cabinet, editor):
    OwnershipFactory(
        district=row.district, responsibility=row, role=cabinet["cao"], level="A"
    )
    before = Ownership.history.count()
    set_ownership(
        responsibility=row,
        role=cabinet["cao"],
        level="A",
        expected_version=1,
        acting_user=editor,
    )
    assert Ownership.history.count() == before


def test_set_ownership_takes_the_same_queries_in_a_small_and_a_large_matrix(
    district, other_district
):
    user = UserFactory()

    def count(target, roles):
        row = Responsibility.objects.filter(district=target).first()
        with CaptureQueriesContext(connection) as queries:
            set_ownership(
                responsibility=row,
                role=roles[-1],
                level="C",
                expected_version=row.version,
                acting_user=user,
            )
        return len(queries)

    small_roles = [RoleFactory(district=district) for _ in range(2)]
    _populate(district, [WorkAreaFactory(district=district)], small_roles, 2)
    large_roles = [RoleFactory(district=other_district) for _ in range(8)]
    _populate(
        other_district,
        [WorkAreaFactory(district=other_district) for _ in range(3)],
        large_roles,
        10,
    )
    assert count(district, small_roles) == count(other_district, large_roles)


def test_a_fresh_district_has_an_empty_matrix(db):
    matrix = build_matrix(DistrictFactory())
    assert (matrix.roles, matrix.groups, matrix.summary.rows) == ((), (), 0)


def test_build_matrix_as_of_shows_the_past(row, cabinet, editor):
    ownership = set_ownership(
        responsibility=row,
        role=cabinet["cao"],
        level="A",
        expected_version=1,
        acting_user=editor,
    )
    before = ownership.history.get().history_date - datetime.timedelta(microseconds=1)
    after = ownership.history.get().history_date
    assert build_matrix(row.district, as_of=before).find_row(row.pk).health == (
        classify_row([], declared_joint=False)
    )
    past = build_matrix(row.district, as_of=after)
    assert past.find_row(row.pk).health.classification == Classification.DISTINCT
    assert past.as_of == after


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_row_at_once_let_only_the_first_through(
    district, editor, district_admin
):
    """Two server processes (here: two threads, two database connections) save the same
    row from the same version: the database lets one through and refuses the other."""
    cao = RoleFactory(district=district, code="CAO")
    cso = RoleFactory(district=district, code="CSO")
    row = ResponsibilityFactory(district=district)
    claimed, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                set_ownership(
                    responsibility=Responsibility.objects.get(pk=row.pk),
                    role=cao,
                    level="A",
                    expected_version=1,
                    acting_user=editor,
                )
                claimed.set()
                release.wait(10)  # hold the transaction open
        finally:
            connections.close_all()

    def second():
        try:
            set_ownership(
                responsibility=Responsibility.objects.get(pk=row.pk),
                role=cso,
                level="A",
                expected_version=1,
                acting_user=district_admin,
            )
            outcome["second"] = "saved"
        except StaleRowError:
            outcome["second"] = "refused as stale"
        except OperationalError:
            # SQLite has one writer at a time: the second write is refused while the
            # first holds the database.
            outcome["second"] = "refused while locked"
        finally:
            connections.close_all()

    first_thread = threading.Thread(target=first)
    first_thread.start()
    assert claimed.wait(10)
    second_thread = threading.Thread(target=second)
    second_thread.start()
    # On PostgreSQL the second save waits for the first's row lock...
    second_thread.join(0.5)
    release.set()
    first_thread.join(10)
    second_thread.join(10)
    # ... and then finds the row at version 2, not 1.
    expected = (
        {"refused as stale"}
        if connection.vendor == "postgresql"
        else {"refused as stale", "refused while locked"}
    )
    assert outcome["second"] in expected
    assert dict(
        Ownership.objects.filter(responsibility=row).values_list("role__code", "level")
    ) == {"CAO": "A"}
    row.refresh_from_db()
    assert row.version == 2

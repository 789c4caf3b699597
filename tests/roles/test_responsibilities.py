"""Editing rows: adding, changing (version-checked) and reordering responsibilities."""

import pytest
from django.core.exceptions import ValidationError

from roles.models import Responsibility
from roles.responsibilities import (
    StaleRowError,
    add_responsibility,
    claim_row,
    move_responsibility,
    update_responsibility,
)
from tests.factories import ResponsibilityFactory, WorkAreaFactory


@pytest.fixture
def program(district):
    area = WorkAreaFactory(district=district, name="Program")
    for index, name in enumerate(["Curriculum", "Materials", "Assessment"]):
        ResponsibilityFactory(
            district=district, work_area=area, name=name, sort_order=index
        )
    return area


def names(area):
    return list(
        Responsibility.objects.filter(work_area=area)
        .order_by("sort_order", "name", "pk")
        .values_list("name", flat=True)
    )


def test_claim_row_advances_the_version_only_from_the_expected_one(program):
    row = program.responsibilities.get(name="Curriculum")
    claim_row(responsibility_id=row.pk, expected_version=1)
    with pytest.raises(StaleRowError):
        claim_row(responsibility_id=row.pk, expected_version=1)
    row.refresh_from_db()
    assert row.version == 2


def test_add_puts_the_row_at_the_end_of_its_area_and_records_who(
    district, program, editor
):
    row = add_responsibility(
        district=district,
        work_area=program,
        name="  Content experts ",
        description=" Who supports schools ",
        acting_user=editor,
    )
    assert (row.name, row.description, row.sort_order) == (
        "Content experts",
        "Who supports schools",
        3,
    )
    assert names(program)[-1] == "Content experts"
    assert row.history.get().history_user == editor


def test_add_to_an_empty_area_starts_at_zero(district, editor):
    area = WorkAreaFactory(district=district)
    row = add_responsibility(
        district=district, work_area=area, name="First", acting_user=editor
    )
    assert row.sort_order == 0


@pytest.mark.parametrize("name", ["", "   ", "Curriculum"])
def test_add_refuses_an_empty_or_taken_name(district, program, editor, name):
    with pytest.raises(ValidationError):
        add_responsibility(
            district=district, work_area=program, name=name, acting_user=editor
        )
    assert len(names(program)) == 3


def test_add_refuses_a_work_area_of_another_district(district, other_district, editor):
    foreign = WorkAreaFactory(district=other_district)
    with pytest.raises(ValidationError):
        add_responsibility(
            district=district, work_area=foreign, name="New", acting_user=editor
        )


def test_update_changes_the_fields_advances_the_version_and_records_who(
    program, editor
):
    row = program.responsibilities.get(name="Materials")
    update_responsibility(
        responsibility=row,
        expected_version=1,
        acting_user=editor,
        name="Instructional materials",
        description="Adoption",
        is_joint=True,
        work_area=program,
    )
    stored = Responsibility.objects.get(pk=row.pk)
    assert (stored.name, stored.description, stored.is_joint, stored.version) == (
        "Instructional materials",
        "Adoption",
        True,
        2,
    )
    assert stored.sort_order == 1  # not moved
    record = stored.history.first()
    assert (record.history_type, record.name, record.version, record.history_user) == (
        "~",
        "Instructional materials",
        2,
        editor,
    )


def test_update_refuses_a_stale_version_and_writes_nothing(program, editor):
    row = program.responsibilities.get(name="Materials")
    claim_row(responsibility_id=row.pk, expected_version=1)
    history = row.history.count()
    with pytest.raises(StaleRowError):
        update_responsibility(
            responsibility=row,
            expected_version=1,
            acting_user=editor,
            name="Renamed",
            description="",
            is_joint=False,
            work_area=program,
        )
    stored = Responsibility.objects.get(pk=row.pk)
    assert (stored.name, stored.version) == ("Materials", 2)
    assert row.history.count() == history


def test_update_refuses_a_taken_name(program, editor):
    row = program.responsibilities.get(name="Materials")
    with pytest.raises(ValidationError):
        update_responsibility(
            responsibility=row,
            expected_version=1,
            acting_user=editor,
            name="Curriculum",
            description="",
            is_joint=False,
            work_area=program,
        )
    assert Responsibility.objects.get(pk=row.pk).version == 1


def test_update_to_another_area_puts_the_row_at_its_end(district, program, editor):
    schools = WorkAreaFactory(district=district, name="Schools")
    ResponsibilityFactory(district=district, work_area=schools, sort_order=7)
    row = program.responsibilities.get(name="Curriculum")
    update_responsibility(
        responsibility=row,
        expected_version=1,
        acting_user=editor,
        name="Curriculum",
        description="",
        is_joint=False,
        work_area=schools,
    )
    stored = Responsibility.objects.get(pk=row.pk)
    assert (stored.work_area, stored.sort_order) == (schools, 8)


def test_update_keeps_a_position_changed_since_the_row_was_read(program, editor):
    row = program.responsibilities.get(name="Assessment")  # read at position 2
    move_responsibility(
        responsibility=Responsibility.objects.get(pk=row.pk),
        direction="up",
        acting_user=editor,
    )
    update_responsibility(
        responsibility=row,
        expected_version=1,
        acting_user=editor,
        name="Assessment design",
        description="",
        is_joint=False,
        work_area=program,
    )
    assert names(program) == ["Curriculum", "Assessment design", "Materials"]


def test_move_swaps_with_the_neighbour_and_renumbers_the_area(program, editor):
    assessment = program.responsibilities.get(name="Assessment")
    assert move_responsibility(
        responsibility=assessment, direction="up", acting_user=editor
    )
    assert names(program) == ["Curriculum", "Assessment", "Materials"]
    assert move_responsibility(
        responsibility=assessment, direction="down", acting_user=editor
    )
    assert names(program) == ["Curriculum", "Materials", "Assessment"]
    assert list(
        program.responsibilities.order_by("sort_order").values_list(
            "sort_order", flat=True
        )
    ) == [0, 1, 2]


def test_move_renumbers_rows_with_equal_positions(district, editor):
    area = WorkAreaFactory(district=district)
    rows = [
        ResponsibilityFactory(district=district, work_area=area, name=name)
        for name in ("B", "A", "C")
    ]  # all at position 0: shown by name
    move_responsibility(responsibility=rows[2], direction="up", acting_user=editor)
    assert names(area) == ["A", "C", "B"]


def test_move_at_the_edge_changes_nothing(program, editor):
    first = program.responsibilities.get(name="Curriculum")
    last = program.responsibilities.get(name="Assessment")
    assert not move_responsibility(
        responsibility=first, direction="up", acting_user=editor
    )
    assert not move_responsibility(
        responsibility=last, direction="down", acting_user=editor
    )
    assert names(program) == ["Curriculum", "Materials", "Assessment"]


def test_move_records_who_and_leaves_versions_alone(program, editor):
    materials = program.responsibilities.get(name="Materials")
    move_responsibility(responsibility=materials, direction="up", acting_user=editor)
    materials.refresh_from_db()
    assert materials.version == 1
    record = materials.history.first()
    assert (record.sort_order, record.history_user) == (0, editor)


def test_move_refuses_an_unknown_direction(program, editor):
    with pytest.raises(ValidationError):
        move_responsibility(
            responsibility=program.responsibilities.first(),
            direction="sideways",
            acting_user=editor,
        )

"""A small cabinet matrix for the roles tests, and a large one for query counts."""

import pytest

from roles.models import Ownership, RaciLevel, Responsibility, RoleKind
from tests.factories import (
    OwnershipFactory,
    ResponsibilityFactory,
    RoleFactory,
    WorkAreaFactory,
)


@pytest.fixture
def cabinet_matrix(district):
    """CAO, CSO, CTO and a network chief; four rows: joint, distinct, gap, conflict."""
    cao = RoleFactory(
        district=district, code="CAO", title="Chief Academic Officer", sort_order=1
    )
    cso = RoleFactory(
        district=district, code="CSO", title="Chief Schools Officer", sort_order=2
    )
    cto = RoleFactory(
        district=district, code="CTO", title="Chief Technology Officer", sort_order=3
    )
    chief = RoleFactory(
        district=district,
        code="NC1",
        title="Network 1 chief",
        kind=RoleKind.NETWORK_CHIEF,
    )
    planning = WorkAreaFactory(district=district, name="Planning", sort_order=1)
    program = WorkAreaFactory(district=district, name="Program", sort_order=2)
    priorities = ResponsibilityFactory(
        district=district,
        work_area=planning,
        name="Yearly priorities",
        is_joint=True,
        sort_order=0,
    )
    budget = ResponsibilityFactory(
        district=district, work_area=planning, name="Budget", sort_order=1
    )
    curriculum = ResponsibilityFactory(
        district=district, work_area=program, name="Curriculum", sort_order=0
    )
    assessment = ResponsibilityFactory(
        district=district, work_area=program, name="Assessment", sort_order=1
    )
    for row, role, level in [
        (priorities, cao, "A"),
        (priorities, cso, "A"),
        (priorities, cto, "R"),
        (budget, cso, "C"),
        (curriculum, cao, "A"),
        (curriculum, cso, "R"),
        (curriculum, chief, "I"),
        (assessment, cao, "A"),
        (assessment, cto, "A"),
        (assessment, cso, "R"),
    ]:
        OwnershipFactory(district=district, responsibility=row, role=role, level=level)
    return {
        "cao": cao,
        "cso": cso,
        "cto": cto,
        "chief": chief,
        "planning": planning,
        "program": program,
        "priorities": priorities,
        "budget": budget,
        "curriculum": curriculum,
        "assessment": assessment,
    }


def build_large_matrix(district, *, rows: int = 200, roles: int = 12, areas: int = 8):
    """`rows` responsibilities x `roles` roles, every cell set, written in bulk."""
    role_objects = [
        RoleFactory(district=district, code=f"ROLE{index:02d}", sort_order=index)
        for index in range(roles)
    ]
    area_objects = [
        WorkAreaFactory(district=district, name=f"Area {index}", sort_order=index)
        for index in range(areas)
    ]
    responsibilities = Responsibility.objects.bulk_create(
        Responsibility(
            district=district,
            work_area=area_objects[index % areas],
            name=f"Responsibility {index:03d}",
            sort_order=index,
        )
        for index in range(rows)
    )
    cycle = [RaciLevel.ACCOUNTABLE, RaciLevel.RESPONSIBLE, RaciLevel.CONSULTED]
    Ownership.objects.bulk_create(
        Ownership(
            district=district,
            responsibility=row,
            role=role,
            level=cycle[(row_index + role_index) % len(cycle)]
            if role_index < 3
            else RaciLevel.INFORMED,
        )
        for row_index, row in enumerate(responsibilities)
        for role_index, role in enumerate(role_objects)
    )
    return role_objects, responsibilities

"""A district with the two keys of digital content: the CAO accountable and the CTO
consulted on the row "Selecting digital content", each held by a member with a login."""

from dataclasses import dataclass

import pytest

from decisions.models import ChecklistItem, DecisionKind
from decisions.workflow import CheckAnswer, create_decision
from district.models import AccessLevel
from roles.models import RaciLevel

from ..factories import (
    MembershipFactory,
    OwnershipFactory,
    PersonFactory,
    ResponsibilityFactory,
    RoleAssignmentFactory,
    RoleFactory,
    UserFactory,
)


@dataclass
class TwoKeys:
    district: object
    row: object
    kind: object
    cao: object
    cto: object
    ctl: object
    cao_user: object
    cto_user: object


def _holder(district, role, username, name):
    user = UserFactory(username=username)
    MembershipFactory(district=district, user=user, access_level=AccessLevel.EDITOR)
    person = PersonFactory(district=district, name=name, user=user)
    RoleAssignmentFactory(district=district, role=role, person=person)
    return user


@pytest.fixture
def keys(district):
    return make_two_keys(district)


def make_two_keys(district) -> TwoKeys:
    """The CAO (accountable) and CTO (consulted) on "Selecting digital content", each
    held by an editor with a login, and the "Digital content" kind's checklists."""
    cao = RoleFactory(district=district, code="CAO", sort_order=1)
    cto = RoleFactory(district=district, code="CTO", sort_order=2)
    ctl = RoleFactory(district=district, code="CTL", sort_order=3)
    row = ResponsibilityFactory(district=district, name="Selecting digital content")
    OwnershipFactory(
        district=district, responsibility=row, role=cao, level=RaciLevel.ACCOUNTABLE
    )
    OwnershipFactory(
        district=district, responsibility=row, role=cto, level=RaciLevel.CONSULTED
    )
    OwnershipFactory(
        district=district, responsibility=row, role=ctl, level=RaciLevel.RESPONSIBLE
    )
    kind = DecisionKind.objects.create(district=district, name="Digital content")
    for role, texts in (
        (cao, ["Standards alignment", "Instructional value"]),
        (cto, ["Interoperability standards", "Data privacy agreement", "Security"]),
    ):
        for order, text in enumerate(texts, start=1):
            ChecklistItem.objects.create(
                district=district, kind=kind, role=role, text=text, sort_order=order
            )
    return TwoKeys(
        district=district,
        row=row,
        kind=kind,
        cao=cao,
        cto=cto,
        ctl=ctl,
        cao_user=_holder(district, cao, "cao", "Priya Pemberton"),
        cto_user=_holder(district, cto, "cto", "Lena Lockwood"),
    )


@pytest.fixture
def draft(keys, editor):
    return create_decision(
        district=keys.district,
        acting_user=editor,
        title="Reading app",
        kind=keys.kind,
        responsibility=keys.row,
        requested_for="Ms. Ortega, third grade",
        product="LeafLine Reader",
        vendor="LeafLine Learning",
    )


def all_checked(review) -> dict:
    return {check.pk: CheckAnswer(is_checked=True) for check in review.checks.all()}


def key_of(decision, code):
    return decision.reviews.get(round=decision.round, role__code=code)

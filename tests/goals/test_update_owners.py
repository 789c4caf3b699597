"""The update owner of a metric through role changes over time, and the escalation."""

import datetime

from goals.update_owners import update_owners
from tests.factories import (
    MembershipFactory,
    MetricFactory,
    MetricOwnerFactory,
    PersonFactory,
    RoleAssignmentFactory,
    RoleFactory,
    UserFactory,
)

D = datetime.date


def person(district, name):
    user = UserFactory(username=name.lower())
    MembershipFactory(district=district, user=user)
    return PersonFactory(district=district, name=name, user=user)


def test_the_owner_follows_the_holder_of_the_owner_role_on_each_day(district):
    chief = RoleFactory(district=district, code="CHIEF")
    cso = RoleFactory(district=district, code="CSO", reports_to=chief)
    metric = MetricFactory(district=district)
    MetricOwnerFactory(district=district, metric=metric, role=cso)
    first, acting, second, boss = (
        person(district, n) for n in ("Ana", "Bo", "Cy", "Di")
    )
    RoleAssignmentFactory(
        district=district, role=chief, person=boss, started_on=D(2020, 1, 1)
    )
    RoleAssignmentFactory(
        district=district,
        role=cso,
        person=first,
        started_on=D(2024, 7, 1),
        ended_on=D(2026, 9, 30),
    )
    RoleAssignmentFactory(
        district=district,
        role=cso,
        person=acting,
        started_on=D(2026, 10, 1),
        ended_on=D(2026, 11, 15),
        is_acting=True,
    )
    RoleAssignmentFactory(
        district=district, role=cso, person=second, started_on=D(2026, 11, 16)
    )
    days = [
        D(2024, 6, 30),
        D(2026, 9, 30),
        D(2026, 10, 1),
        D(2026, 11, 15),
        D(2026, 11, 16),
    ]
    owners = update_owners([metric], days=days)
    assert [owners[metric.pk, day].person_id for day in days] == [
        None,
        first.pk,
        acting.pk,
        acting.pk,
        second.pk,
    ]
    # The role holder owes it, so escalation goes to the role it reports to.
    assert owners[metric.pk, D(2026, 11, 16)].escalate_person_id == boss.pk
    assert owners[metric.pk, D(2026, 11, 16)].user_id == second.user_id


def test_a_named_update_owner_wins_and_escalates_to_the_owner_roles_holder(district):
    cso = RoleFactory(district=district, code="CSO")
    holder, named = person(district, "Holder"), person(district, "Named")
    RoleAssignmentFactory(
        district=district, role=cso, person=holder, started_on=D(2020, 1, 1)
    )
    metric = MetricFactory(district=district, update_owner=named)
    MetricOwnerFactory(district=district, metric=metric, role=cso)
    owner = update_owners([metric], days=[D(2026, 12, 3)])[metric.pk, D(2026, 12, 3)]
    assert (owner.person_id, owner.escalate_person_id) == (named.pk, holder.pk)
    assert owner.escalate_user_id == holder.user_id


def test_queries_do_not_grow_with_metrics_or_days(district, django_assert_num_queries):
    cso = RoleFactory(district=district, code="CSO")
    metrics = [MetricFactory(district=district) for _ in range(5)]
    for metric in metrics:
        MetricOwnerFactory(district=district, metric=metric, role=cso)
    RoleAssignmentFactory(
        district=district,
        role=cso,
        person=person(district, "Ana"),
        started_on=D(2020, 1, 1),
    )
    days = [D(2026, 7, 1) + datetime.timedelta(weeks=w) for w in range(40)]
    with django_assert_num_queries(3):
        owners = update_owners(metrics, days=days)
    assert len(owners) == 200

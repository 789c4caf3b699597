"""Time in review, counted by hand under a frozen clock; overdue reviews owed."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from decisions.models import DecisionPolicy, Verdict
from decisions.timing import decision_waited, open_decisions, reviews_owed
from decisions.workflow import record_review, submit_decision
from district.due import due_items

from .conftest import all_checked, key_of

pytestmark = pytest.mark.django_db

# Thursday 5 November 2026, noon in Chicago.
SENT = datetime.datetime(2026, 11, 5, 18, tzinfo=datetime.UTC)


def at(day: int) -> datetime.datetime:
    """Noon in Chicago on `day` November 2026."""
    return SENT.replace(day=day)


def test_working_days_in_review_per_decision_and_per_key(draft, keys, editor):
    with time_machine.travel(SENT, tick=False):
        decision = submit_decision(decision=draft, acting_user=editor)
    with time_machine.travel(at(10), tick=False):  # Tuesday: Fri, Mon, Tue
        review = key_of(decision, "CTO")
        record_review(
            review=review,
            acting_user=keys.cto_user,
            verdict=Verdict.APPROVE,
            rationale="Fine.",
            checks=all_checked(review),
        )
    with time_machine.travel(at(19), tick=False):  # Thursday two weeks on
        policy, rows = open_decisions(keys.district, today=datetime.date(2026, 11, 19))
        (row,) = rows
        assert row.working_days == 10  # Nov 6, 9-13, 16-19
        assert not row.is_overdue  # the target is 10: not past it
        waits = {key.review.role.code: key for key in row.keys}
        assert waits["CTO"].working_days == 3 and not waits["CTO"].is_overdue
        assert waits["CAO"].working_days == 10
        assert waits["CAO"].holder_names == ("Priya Pemberton",)
        assert policy.target_working_days == 10


def test_a_review_past_the_target_is_overdue_and_owed(draft, keys, editor):
    DecisionPolicy.objects.create(district=keys.district, target_working_days=3)
    with time_machine.travel(SENT, tick=False):
        decision = submit_decision(decision=draft, acting_user=editor)
    today = datetime.date(2026, 11, 11)  # Wednesday: Fri, Mon, Tue, Wed = 4
    _policy, (row,) = open_decisions(keys.district, today=today)
    assert row.working_days == 4 and row.is_overdue
    assert all(key.is_overdue for key in row.keys)

    items = due_items(district_id=keys.district.pk, today=today)
    mine = [item for item in items if item.owner_id == keys.cto_user.pk]
    (item,) = mine
    assert item.kind == "review"
    assert item.due == datetime.date(2026, 11, 10)  # 3 working days after Thursday
    assert item.state(today) == "overdue"
    assert (
        item.url
        == f"/districts/lakeside/decisions/{decision.pk}/#review-{key_of(decision, 'CTO').pk}"
    )
    assert item.escalate_to_id == editor.pk
    only_cao = reviews_owed(
        district_id=keys.district.pk, today=today, owner_ids={keys.cao_user.pk}
    )
    assert [i.owner_id for i in only_cao] == [keys.cao_user.pk]


def test_a_turned_key_is_no_longer_owed(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    review = key_of(decision, "CAO")
    record_review(
        review=review,
        acting_user=keys.cao_user,
        verdict=Verdict.APPROVE,
        rationale="Fine.",
        checks=all_checked(review),
    )
    owners = {
        i.owner_id
        for i in reviews_owed(
            district_id=keys.district.pk, today=timezone.localdate(), owner_ids=None
        )
    }
    assert owners == {keys.cto_user.pk}


def test_a_decided_decision_stops_its_clock(draft, keys, editor):
    with time_machine.travel(SENT, tick=False):
        decision = submit_decision(decision=draft, acting_user=editor)
    with time_machine.travel(at(9), tick=False):  # Monday
        review = key_of(decision, "CTO")
        record_review(
            review=review,
            acting_user=keys.cto_user,
            verdict=Verdict.DECLINE,
            rationale="No.",
        )
    decision.refresh_from_db()
    assert decision_waited(decision, today=datetime.date(2026, 12, 31)) == 2
    assert (
        reviews_owed(district_id=keys.district.pk, today=datetime.date(2026, 12, 31))
        == []
    )


def test_open_decisions_take_the_same_queries_for_more_decisions(
    keys, editor, django_assert_max_num_queries
):
    from decisions.workflow import create_decision

    def add(n):
        for i in range(n):
            decision = create_decision(
                district=keys.district,
                acting_user=editor,
                title=f"App {i}",
                kind=keys.kind,
                responsibility=keys.row,
            )
            submit_decision(decision=decision, acting_user=editor)

    add(2)
    with django_assert_max_num_queries(5):
        open_decisions(keys.district, today=timezone.localdate())
    add(10)
    with django_assert_max_num_queries(5):
        _policy, rows = open_decisions(keys.district, today=timezone.localdate())
    assert len(rows) == 12

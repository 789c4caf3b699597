"""The plug-in point behind "My updates" and the reminders (district/due.py)."""

import datetime

import pytest

from district import due
from district.due import DueItem, due_items, register_due_source

TODAY = datetime.date(2026, 12, 3)


def item(key, due_on, *, owner_id=1, done_on=None, title="Attendance"):
    return DueItem(
        key=key,
        kind="value",
        district_id=7,
        owner_id=owner_id,
        title=title,
        due=due_on,
        url="/",
        done_on=done_on,
    )


@pytest.mark.parametrize(
    ("due_on", "done_on", "state"),
    [
        (datetime.date(2026, 12, 1), None, "overdue"),
        (TODAY, None, "due"),
        (datetime.date(2026, 12, 6), None, "due soon"),
        (datetime.date(2026, 12, 20), None, "upcoming"),
        (datetime.date(2026, 12, 1), datetime.date(2026, 12, 2), "done"),
    ],
)
def test_an_item_says_whether_it_is_due(due_on, done_on, state):
    assert item("k", due_on, done_on=done_on).state(TODAY) == state


def test_items_of_every_source_come_earliest_first_and_only_for_the_owners_asked(
    monkeypatch,
):
    monkeypatch.setattr(due, "_sources", [])

    def values(*, district_id, today, owner_ids):
        rows = [item("a", TODAY, owner_id=1), item("b", TODAY, owner_id=2)]
        return [r for r in rows if owner_ids is None or r.owner_id in owner_ids]

    def reviews(*, district_id, today, owner_ids):
        rows = [item("c", datetime.date(2026, 11, 30), owner_id=1, title="Review")]
        return [r for r in rows if owner_ids is None or r.owner_id in owner_ids]

    register_due_source(values)
    register_due_source(reviews)
    register_due_source(values)  # registering twice changes nothing

    assert [i.key for i in due_items(district_id=7, today=TODAY, owner_ids=[1])] == [
        "c",
        "a",
    ]
    assert [i.key for i in due_items(district_id=7, today=TODAY)] == ["c", "a", "b"]

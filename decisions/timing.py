"""Time in review: working days each open decision and each of its keys has waited,
against the district's target, and the overdue reviews its holders owe.

The cabinet's page of open decisions (`open_decisions`) and "My updates" and the
reminders (`reviews_owed`, a source of `district.due`) read the same numbers.
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from district.due import DueItem
from district.models import District

from .keys import holders
from .models import Decision, DecisionPolicy, DecisionState, Review
from .workflow import policy_of
from .working_days import add_working_days, working_days_between


def waited(start: datetime.datetime | None, end: datetime.date) -> int:
    """Working days from the day of `start` (local time) to `end`."""
    if start is None:
        return 0
    return working_days_between(timezone.localdate(start), end)


def decision_waited(decision: Decision, *, today: datetime.date) -> int:
    """Working days the decision has waited in review (until decided, if it is)."""
    end = today if decision.is_open else (decision.decided_on or today)
    return waited(decision.submitted_at, end)


def review_waited(review: Review, decision: Decision, *, today: datetime.date) -> int:
    """Working days a key waited for its verdict (or until the decision was settled)."""
    if review.reviewed_at is not None:
        end = timezone.localdate(review.reviewed_at)
    elif decision.decided_on is not None and review.round == decision.round:
        end = decision.decided_on
    else:
        end = today
    return waited(review.requested_at, end)


@dataclass(frozen=True)
class KeyWait:
    """One key of an open decision: who holds it, and how long it has waited."""

    review: Review
    holder_names: tuple[str, ...]
    working_days: int
    is_overdue: bool


@dataclass(frozen=True)
class OpenDecision:
    """An open decision on the cabinet's page, with the wait of each key."""

    decision: Decision
    working_days: int
    is_overdue: bool
    keys: tuple[KeyWait, ...]


def open_decisions(
    district: District, *, today: datetime.date
) -> tuple[DecisionPolicy, list[OpenDecision]]:
    """Decisions in review, oldest first, with each key's wait against the target.

    Three queries whatever the number of decisions: the decisions, their reviews of
    the current round, and the holders of the roles those reviews name.
    """
    policy = policy_of(district)
    target = policy.target_working_days
    decisions = list(
        Decision.objects.filter(district=district, state=DecisionState.IN_REVIEW)
        .select_related("kind", "responsibility", "district")
        .order_by("submitted_at", "pk")
    )
    reviews = (
        Review.objects.filter(decision__in=decisions)
        .select_related("role")
        .order_by("role__kind", "role__sort_order", "role__code", "pk")
    )
    by_decision: dict[int, list[Review]] = {}
    current = {decision.pk: decision.round for decision in decisions}
    for review in reviews:
        if review.round == current[review.decision_id]:
            by_decision.setdefault(review.decision_id, []).append(review)
    held = holders({r.role_id for rs in by_decision.values() for r in rs}, on=today)
    rows = []
    for decision in decisions:
        keys = []
        for review in by_decision.get(decision.pk, []):
            days = review_waited(review, decision, today=today)
            keys.append(
                KeyWait(
                    review=review,
                    holder_names=tuple(p.name for p in held.get(review.role_id, [])),
                    working_days=days,
                    is_overdue=review.is_pending and days > target,
                )
            )
        days = decision_waited(decision, today=today)
        rows.append(
            OpenDecision(
                decision=decision,
                working_days=days,
                is_overdue=days > target,
                keys=tuple(keys),
            )
        )
    return policy, rows


def reviews_owed(*, district_id: int, today: datetime.date, owner_ids=None):
    """The reviews the holders of each key owe, as `DueItem`s (a `district.due` source).

    Due `target` working days after the decision was sent; a review past that date is
    overdue. One item per holder with a Lanes login.
    """
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return []
    target = policy_of(district).target_working_days
    reviews = list(
        Review.objects.filter(
            district_id=district_id,
            verdict="",
            decision__state=DecisionState.IN_REVIEW,
        )
        .select_related("role", "decision")
        .order_by("requested_at", "pk")
    )
    reviews = [r for r in reviews if r.round == r.decision.round]
    held = holders({r.role_id for r in reviews}, on=today)
    items = []
    for review in reviews:
        decision = review.decision
        url = reverse(
            "decisions:detail", kwargs={"slug": district.slug, "pk": decision.pk}
        )
        for person in held.get(review.role_id, []):
            if person.user_id is None:
                continue
            if owner_ids is not None and person.user_id not in owner_ids:
                continue
            items.append(
                DueItem(
                    key=f"decision-review:{review.pk}:{person.user_id}",
                    kind="review",
                    district_id=district_id,
                    owner_id=person.user_id,
                    title=_("Review “%(title)s” as %(role)s")
                    % {"title": decision.title, "role": review.role.code},
                    due=add_working_days(
                        timezone.localdate(review.requested_at), target
                    ),
                    url=f"{url}#review-{review.pk}",
                    escalate_to_id=decision.requested_by_id,
                    detail=_("Waiting %(days)s working days (target %(target)s).")
                    % {
                        "days": review_waited(review, decision, today=today),
                        "target": target,
                    },
                )
            )
    return items

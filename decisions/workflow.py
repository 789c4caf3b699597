"""The decision workflow: the one module that changes a decision's state.

Pages, the API and the admin call these functions and nothing else to create, edit,
send for review, review, withdraw, reopen or delete a decision. Each state change is
recorded as a `Transition` (who, when, why); a refused one raises `TransitionRefused`
(a `ValidationError`) whose message says what the state allows instead.

    draft ──submit──▶ in review ──every key turned──▶ approved (with conditions)
      │                  │  └──any key declines──▶ declined
      └──withdraw──▶ withdrawn ◀──withdraw──┘
    approved / declined / withdrawn ──reopen──▶ reopened ──submit──▶ in review

A decision in review has one `Review` per key, copied from its matrix row when it was
sent (`keys.key_roles`); reviews run in parallel, in any order.
"""

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from district.models import AccessLevel, District, Person
from district.permissions import has_level
from roles.models import Role

from .keys import holders, holds_role, key_roles
from .models import (
    APPROVED_STATES,
    ChecklistItem,
    Decision,
    DecisionPolicy,
    DecisionState,
    Review,
    ReviewCheck,
    Transition,
    Verdict,
)

S = DecisionState

# Which states each action starts from, and where it leads.
SUBMIT_FROM = (S.DRAFT, S.REOPENED)
WITHDRAW_FROM = (S.DRAFT, S.IN_REVIEW, S.REOPENED)
REOPEN_FROM = (S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.DECLINED, S.WITHDRAWN)
# Every allowed (from, to) pair; the verdicts move a decision out of review.
TRANSITIONS = frozenset(
    {(state, S.IN_REVIEW) for state in SUBMIT_FROM}
    | {(state, S.WITHDRAWN) for state in WITHDRAW_FROM}
    | {(state, S.REOPENED) for state in REOPEN_FROM}
    | {(S.IN_REVIEW, state) for state in (*APPROVED_STATES, S.DECLINED)}
)

# Fields a requester sets while the decision is a draft (or reopened).
DRAFT_FIELDS = (
    "title",
    "kind",
    "description",
    "requested_for",
    "responsibility",
    "goal",
    "product",
    "vendor",
)
# Fields the register keeps up to date in any state.
REGISTER_FIELDS = ("privacy_status", "review_on")


class TransitionRefused(ValidationError):
    """A change the decision's state (or the user's part in it) does not allow."""


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _state_names(states) -> str:
    return _(" or ").join(str(S(state).label).lower() for state in states)


def _refuse_unless(decision: Decision, states, action: str) -> None:
    if decision.state not in states:
        raise TransitionRefused(
            _(
                "“%(title)s” is %(state)s; only a decision that is %(allowed)s can be "
                "%(action)s."
            )
            % {
                "title": decision.title,
                "state": decision.get_state_display().lower(),
                "allowed": _state_names(states),
                "action": action,
            },
            code="state",
        )


def _require_editor(user, district: District) -> None:
    if not has_level(user, district, AccessLevel.EDITOR):
        raise PermissionDenied(_("Only the district's editors change decisions."))


def policy_of(district: District) -> DecisionPolicy:
    """The district's decision policy; the defaults (unsaved) when it has set none."""
    return DecisionPolicy.objects.filter(district=district).first() or DecisionPolicy(
        district=district
    )


def _move(
    decision: Decision, to_state: str, *, actor, at: datetime.datetime, reason: str
) -> Transition:
    """Record one transition and set the state; refuses a pair outside TRANSITIONS."""
    from_state = decision.state
    if (from_state, to_state) not in TRANSITIONS:
        raise TransitionRefused(
            _("A decision cannot go from %(from)s to %(to)s.")
            % {"from": S(from_state).label, "to": S(to_state).label},
            code="state",
        )
    decision.state = to_state
    return _record(decision, from_state, to_state, actor=actor, at=at, reason=reason)


def _record(decision, from_state, to_state, *, actor, at, reason) -> Transition:
    transition = Transition(
        district_id=decision.district_id,
        decision=decision,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        at=at,
        reason=reason,
    )
    transition._history_user = actor
    transition.save()
    return transition


def _save(decision: Decision, actor, fields: list[str] | None = None) -> None:
    decision._history_user = actor
    decision.full_clean()
    decision.save(update_fields=fields)


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused({"reason": _("Say why the decision is %s.") % what})
    return reason


@transaction.atomic
def create_decision(
    *,
    district: District,
    acting_user,
    title: str,
    kind,
    responsibility,
    description: str = "",
    requested_for: str = "",
    goal=None,
    product: str = "",
    vendor: str = "",
    privacy_status: str = "",
    at: datetime.datetime | None = None,
) -> Decision:
    """A new draft filed by `acting_user` (an editor), its creation recorded."""
    _require_editor(acting_user, district)
    decision = Decision(
        district=district,
        title=title,
        kind=kind,
        responsibility=responsibility,
        description=description,
        requested_for=requested_for,
        requested_by=acting_user,
        goal=goal,
        product=product,
        vendor=vendor,
    )
    if privacy_status:
        decision.privacy_status = privacy_status
    _save(decision, acting_user)
    _record(
        decision,
        "",
        S.DRAFT,
        actor=acting_user,
        at=at or timezone.now(),
        reason=_("Filed"),
    )
    return decision


@transaction.atomic
def update_decision(
    *, decision: Decision, acting_user, changes: Mapping[str, object]
) -> Decision:
    """Change a decision's fields: its request only while draft or reopened (its keys
    follow from them), its register entry (privacy status, review date) at any time."""
    _require_editor(acting_user, decision.district)
    decision = _locked(decision)
    unknown = set(changes) - set(DRAFT_FIELDS) - set(REGISTER_FIELDS)
    if unknown:
        raise TransitionRefused(
            _("These fields are set by the workflow, not by hand: %s.")
            % ", ".join(sorted(unknown))
        )
    changed = [
        name for name, value in changes.items() if getattr(decision, name) != value
    ]
    frozen = [name for name in changed if name in DRAFT_FIELDS]
    if frozen and not decision.is_editable:
        raise TransitionRefused(
            _(
                "“%(title)s” is %(state)s: its request (%(fields)s) is frozen. Reopen "
                "it to change the request and send it for review again."
            )
            % {
                "title": decision.title,
                "state": decision.get_state_display().lower(),
                "fields": ", ".join(frozen),
            },
            code="state",
        )
    if not changed:
        return decision
    for name in changed:
        setattr(decision, name, changes[name])
    _save(decision, acting_user, changed)
    return decision


@transaction.atomic
def delete_decision(*, decision: Decision, acting_user) -> None:
    """Delete a draft that was never sent; anything later is withdrawn instead."""
    _require_editor(acting_user, decision.district)
    decision = _locked(decision)
    if decision.state != S.DRAFT or decision.round:
        raise TransitionRefused(
            _(
                "“%(title)s” has been sent for review; withdraw it instead of "
                "deleting it, so its history stays."
            )
            % {"title": decision.title},
            code="state",
        )
    decision._history_user = acting_user
    decision.delete()


def _locked(decision: Decision) -> Decision:
    """The decision read again under a row lock: two reviewers finishing at once wait."""
    return (
        Decision.objects.select_for_update()
        .select_related("district", "kind", "responsibility")
        .get(pk=decision.pk)
    )


@dataclass(frozen=True)
class KeyPlan:
    """A key a decision would need if sent now: a role and who holds it today."""

    role: Role
    holders: tuple[Person, ...]
    problem: str  # why the key could not be turned now ("" when it can)


def plan_keys(decision: Decision, *, on: datetime.date) -> list[KeyPlan]:
    """The keys of `decision` from its matrix row as it is now, with their holders."""
    roles = key_roles(decision.responsibility)
    held = holders([role.pk for role in roles], on=on)
    plans = []
    for role in roles:
        people = tuple(held.get(role.pk, ()))
        if not people:
            problem = _("Nobody holds the %(role)s role today.") % {"role": role.code}
        elif not any(person.user_id for person in people):
            problem = _(
                "%(people)s, holding the %(role)s role, has no Lanes login to review with."
            ) % {"people": ", ".join(p.name for p in people), "role": role.code}
        else:
            problem = ""
        plans.append(KeyPlan(role=role, holders=people, problem=problem))
    return plans


@transaction.atomic
def submit_decision(
    *,
    decision: Decision,
    acting_user,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Decision:
    """Send a draft (or reopened) decision for review: freeze its keys into reviews."""
    _require_editor(acting_user, decision.district)
    decision = _locked(decision)
    _refuse_unless(decision, SUBMIT_FROM, _("sent for review"))
    at = at or timezone.now()
    plans = plan_keys(decision, on=timezone.localdate(at))
    if not plans:
        raise TransitionRefused(
            _(
                "No role is accountable or consulted on “%(row)s”, so nobody would "
                "review this decision. Set the row's owners in the matrix first."
            )
            % {"row": decision.responsibility},
            code="no_keys",
        )
    problems = [plan.problem for plan in plans if plan.problem]
    if problems:
        raise TransitionRefused(
            [*problems, _("Assign the role in the matrix, then send it again.")],
            code="no_holder",
        )
    decision.round += 1
    decision.submitted_at = at
    decision.decided_on = None
    decision.conditions = ""
    decision.review_on = None
    items = list(
        ChecklistItem.objects.filter(
            kind=decision.kind, role__in=[plan.role for plan in plans]
        ).order_by("sort_order", "text", "pk")
    )
    for plan in plans:
        review = Review(
            district_id=decision.district_id,
            decision=decision,
            round=decision.round,
            role=plan.role,
            requested_at=at,
        )
        review._history_user = acting_user
        review.save()
        for order, item in enumerate(
            (item for item in items if item.role_id == plan.role.pk), start=1
        ):
            check = ReviewCheck(
                district_id=decision.district_id,
                review=review,
                text=item.text,
                sort_order=order,
            )
            check._history_user = acting_user
            check.save()
    keys = ", ".join(plan.role.code for plan in plans)
    _move(
        decision,
        S.IN_REVIEW,
        actor=acting_user,
        at=at,
        reason=reason.strip() or _("Sent for review; keys: %s.") % keys,
    )
    _save(
        decision,
        acting_user,
        ["state", "round", "submitted_at", "decided_on", "conditions", "review_on"],
    )
    return decision


@transaction.atomic
def withdraw_decision(
    *,
    decision: Decision,
    acting_user,
    reason: str,
    at: datetime.datetime | None = None,
) -> Decision:
    """Withdraw a decision that is not yet decided; open reviews are no longer owed."""
    _require_editor(acting_user, decision.district)
    decision = _locked(decision)
    _refuse_unless(decision, WITHDRAW_FROM, _("withdrawn"))
    reason = _reason(reason, _("withdrawn"))
    _move(
        decision, S.WITHDRAWN, actor=acting_user, at=at or timezone.now(), reason=reason
    )
    _save(decision, acting_user, ["state"])
    return decision


@transaction.atomic
def reopen_decision(
    *,
    decision: Decision,
    acting_user,
    reason: str,
    at: datetime.datetime | None = None,
) -> Decision:
    """Reopen a decided or withdrawn decision: editable again, then sent anew."""
    _require_editor(acting_user, decision.district)
    decision = _locked(decision)
    _refuse_unless(decision, REOPEN_FROM, _("reopened"))
    reason = _reason(reason, _("reopened"))
    _move(
        decision, S.REOPENED, actor=acting_user, at=at or timezone.now(), reason=reason
    )
    _save(decision, acting_user, ["state"])
    return decision


@dataclass(frozen=True)
class CheckAnswer:
    """A reviewer's answer to one checklist item."""

    is_checked: bool
    note: str = ""


@transaction.atomic
def record_review(
    *,
    review: Review,
    acting_user,
    verdict: str,
    rationale: str,
    conditions: str = "",
    checks: Mapping[int, CheckAnswer] | None = None,
    at: datetime.datetime | None = None,
) -> Review:
    """Turn (or refuse to turn) one key: the role holder's checklist, verdict, rationale.

    Approving needs every checklist item checked; a conditional approval needs its
    conditions; a decline stops the decision at once, its rationale shown to the
    requester. When the last key is turned the decision is approved, with the
    conditions of every conditional approval.
    """
    decision = _locked(review.decision)
    review = (
        Review.objects.select_for_update()
        .select_related("role", "decision")
        .get(pk=review.pk)
    )
    at = at or timezone.now()
    if not has_level(acting_user, decision.district, AccessLevel.EDITOR):
        raise PermissionDenied(_("Reviewing needs edit access in the district."))
    person = holds_role(acting_user, review.role, on=timezone.localdate(at))
    if person is None:
        raise TransitionRefused(
            _(
                "Only a person holding the %(role)s role can turn this key, and you "
                "do not hold it."
            )
            % {"role": review.role.code},
            code="not_holder",
        )
    _refuse_unless(decision, (S.IN_REVIEW,), _("reviewed"))
    if review.round != decision.round or not review.is_pending:
        raise TransitionRefused(
            _("The %(role)s review of this round is already given.")
            % {"role": review.role.code},
            code="given",
        )
    errors: dict[str, list[str]] = {}
    if verdict not in Verdict.values:
        errors["verdict"] = [_("Choose approve, approve with conditions or decline.")]
    rationale = (rationale or "").strip()
    conditions = (conditions or "").strip()
    if not rationale:
        errors["rationale"] = [_("Give the reason for your verdict.")]
    if verdict == Verdict.APPROVE_WITH_CONDITIONS and not conditions:
        errors["conditions"] = [_("Write the conditions of your approval.")]
    if verdict != Verdict.APPROVE_WITH_CONDITIONS:
        conditions = ""
    answers = dict(checks or {})
    review_checks = list(review.checks.order_by("sort_order", "pk"))
    unknown = set(answers) - {check.pk for check in review_checks}
    if unknown:
        errors["checks"] = [_("These checklist items are not part of this review.")]
    unchecked = [
        check.text
        for check in review_checks
        if not answers.get(check.pk, CheckAnswer(False)).is_checked
    ]
    if verdict in (Verdict.APPROVE, Verdict.APPROVE_WITH_CONDITIONS) and unchecked:
        errors.setdefault("checks", []).append(
            _("Check every item before approving (or decline). Not checked: %s.")
            % "; ".join(unchecked)
        )
    if errors:
        raise TransitionRefused(errors)
    for check in review_checks:
        answer = answers.get(check.pk, CheckAnswer(False))
        note = answer.note.strip()
        if (check.is_checked, check.note) != (answer.is_checked, note):
            check.is_checked, check.note = answer.is_checked, note
            check._history_user = acting_user
            check.save(update_fields=["is_checked", "note"])
    review.verdict = verdict
    review.rationale = rationale
    review.conditions = conditions
    review.reviewed_by = acting_user
    review.reviewer_name = person.name
    review.reviewed_at = at
    review._history_user = acting_user
    review.full_clean()
    review.save(
        update_fields=[
            "verdict",
            "rationale",
            "conditions",
            "reviewed_by",
            "reviewer_name",
            "reviewed_at",
        ]
    )
    _conclude(decision, review, acting_user=acting_user, at=at)
    return review


def _conclude(decision: Decision, review: Review, *, acting_user, at) -> None:
    """Move the decision on once a verdict settles it: a decline, or the last key."""
    today = timezone.localdate(at)
    if review.verdict == Verdict.DECLINE:
        reason = _("%(role)s declined: %(rationale)s") % {
            "role": review.role.code,
            "rationale": review.rationale,
        }
        _move(decision, S.DECLINED, actor=acting_user, at=at, reason=reason)
        decision.decided_on = today
        _save(decision, acting_user, ["state", "decided_on"])
        return
    reviews = list(decision.reviews.filter(round=decision.round).select_related("role"))
    if any(r.is_pending for r in reviews):
        return
    conditional = [r for r in reviews if r.verdict == Verdict.APPROVE_WITH_CONDITIONS]
    decision.conditions = "\n".join(
        f"{r.role.code}: {r.conditions}" for r in conditional
    )
    decision.decided_on = today
    if decision.kind.is_tool:
        months = policy_of(decision.district).review_interval_months
        decision.review_on = months_after(today, months)
    to_state = S.APPROVED_WITH_CONDITIONS if conditional else S.APPROVED
    keys = ", ".join(r.role.code for r in reviews)
    _move(
        decision,
        to_state,
        actor=acting_user,
        at=at,
        reason=_("Every key turned (%s).") % keys,
    )
    _save(decision, acting_user, ["state", "conditions", "decided_on", "review_on"])

"""The decision workflow (decisions/workflow.py): keys from the matrix, every
transition allowed and refused, two keys to approve, checklists per kind, history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from decisions.models import (
    ChecklistItem,
    Decision,
    DecisionKind,
    DecisionPolicy,
    DecisionState,
    Transition,
    Verdict,
)
from decisions.workflow import (
    REOPEN_FROM,
    SUBMIT_FROM,
    WITHDRAW_FROM,
    CheckAnswer,
    TransitionRefused,
    create_decision,
    delete_decision,
    plan_keys,
    record_review,
    reopen_decision,
    submit_decision,
    update_decision,
    withdraw_decision,
)
from roles.cells import set_ownership_on_current_row
from roles.models import RaciLevel

from ..factories import PersonFactory, RoleAssignmentFactory
from .conftest import all_checked, key_of

S = DecisionState
pytestmark = pytest.mark.django_db


def approve(decision, user, code, **kwargs):
    review = key_of(decision, code)
    return record_review(
        review=review,
        acting_user=user,
        verdict=kwargs.pop("verdict", Verdict.APPROVE),
        rationale=kwargs.pop("rationale", "Fine."),
        checks=kwargs.pop("checks", all_checked(review)),
        **kwargs,
    )


def reloaded(decision) -> Decision:
    return Decision.objects.get(pk=decision.pk)


# --- Keys from the matrix ---


def test_the_keys_are_the_rows_accountable_and_consulted_roles(draft):
    plans = plan_keys(draft, on=timezone.localdate())
    assert [plan.role.code for plan in plans] == ["CAO", "CTO"]  # CTL is only R
    assert [p.name for plan in plans for p in plan.holders] == [
        "Priya Pemberton",
        "Lena Lockwood",
    ]


def test_keys_follow_the_matrix_until_review_starts(draft, keys, editor):
    set_ownership_on_current_row(
        responsibility=keys.row,
        role=keys.ctl,
        level=RaciLevel.CONSULTED,
        acting_user=editor,
    )
    RoleAssignmentFactory(
        district=keys.district,
        role=keys.ctl,
        person=PersonFactory(district=keys.district, name="Gwen", user=editor),
    )
    assert [p.role.code for p in plan_keys(draft, on=timezone.localdate())] == [
        "CAO",
        "CTO",
        "CTL",
    ]
    decision = submit_decision(decision=draft, acting_user=editor)
    assert sorted(decision.reviews.values_list("role__code", flat=True)) == [
        "CAO",
        "CTL",
        "CTO",
    ]


def test_keys_are_frozen_once_review_starts(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    # The matrix changes after: the CTO is no longer consulted.
    set_ownership_on_current_row(
        responsibility=keys.row, role=keys.cto, level=None, acting_user=editor
    )
    approve(decision, keys.cao_user, "CAO")
    decision = reloaded(decision)
    assert decision.state == S.IN_REVIEW  # still waiting for the CTO's key
    assert sorted(decision.reviews.values_list("role__code", flat=True)) == [
        "CAO",
        "CTO",
    ]
    approve(decision, keys.cto_user, "CTO")
    assert reloaded(decision).state == S.APPROVED


def test_a_row_with_nobody_accountable_or_consulted_cannot_be_sent(draft, keys, editor):
    for role in (keys.cao, keys.cto):
        set_ownership_on_current_row(
            responsibility=keys.row, role=role, level=None, acting_user=editor
        )
    with pytest.raises(TransitionRefused, match="nobody would review"):
        submit_decision(decision=draft, acting_user=editor)
    assert reloaded(draft).state == S.DRAFT
    assert not draft.reviews.exists()


def test_a_key_whose_role_nobody_holds_cannot_be_sent(draft, keys, editor):
    keys.cto.assignments.update(ended_on=datetime.date(2021, 1, 1))
    with pytest.raises(TransitionRefused, match="Nobody holds the CTO role today"):
        submit_decision(decision=draft, acting_user=editor)
    assert not draft.reviews.exists()


def test_a_holder_without_a_login_cannot_be_sent_a_review(draft, keys, editor):
    person = keys.cto.assignments.get().person
    person.user = None
    person.save()
    with pytest.raises(TransitionRefused, match="has no Lanes login"):
        submit_decision(decision=draft, acting_user=editor)


# --- Two keys ---


def test_one_key_does_not_approve_a_two_key_decision(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    approve(decision, keys.cao_user, "CAO")
    assert reloaded(decision).state == S.IN_REVIEW
    assert reloaded(decision).decided_on is None


def test_every_key_turned_approves_in_any_order(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    approve(decision, keys.cto_user, "CTO")
    assert reloaded(decision).state == S.IN_REVIEW
    approve(decision, keys.cao_user, "CAO")
    decision = reloaded(decision)
    assert decision.state == S.APPROVED
    assert decision.conditions == ""
    last = decision.transitions.order_by("-at", "-pk").first()
    assert (last.from_state, last.to_state, last.actor) == (
        S.IN_REVIEW,
        S.APPROVED,
        keys.cao_user,
    )
    assert last.reason == "Every key turned (CAO, CTO)."


def test_a_conditional_key_approves_with_its_conditions(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    approve(
        decision,
        keys.cto_user,
        "CTO",
        verdict=Verdict.APPROVE_WITH_CONDITIONS,
        conditions="Single sign-on only.",
    )
    approve(decision, keys.cao_user, "CAO")
    decision = reloaded(decision)
    assert decision.state == S.APPROVED_WITH_CONDITIONS
    assert decision.conditions == "CTO: Single sign-on only."
    assert decision.review_on.year == decision.decided_on.year + 1


def test_a_decline_stops_the_decision_with_its_reason(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    approve(
        decision,
        keys.cto_user,
        "CTO",
        verdict=Verdict.DECLINE,
        rationale="No data privacy agreement.",
        checks={},
    )
    decision = reloaded(decision)
    assert decision.state == S.DECLINED
    last = decision.transitions.order_by("-at", "-pk").first()
    assert last.reason == "CTO declined: No data privacy agreement."
    # The other key can no longer be turned.
    with pytest.raises(TransitionRefused, match="is declined"):
        approve(decision, keys.cao_user, "CAO")


def test_a_key_is_turned_only_by_the_holder_of_its_role(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    with pytest.raises(TransitionRefused, match="holding the CTO role") as refused:
        approve(decision, keys.cao_user, "CTO")
    assert refused.value.code == "not_holder"
    with pytest.raises(TransitionRefused):
        approve(decision, editor, "CAO")
    assert key_of(decision, "CTO").is_pending and key_of(decision, "CAO").is_pending


def test_a_former_holder_cannot_turn_the_key(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    keys.cao.assignments.update(ended_on=datetime.date(2021, 1, 1))
    with pytest.raises(TransitionRefused, match="holding the CAO role"):
        approve(decision, keys.cao_user, "CAO")


def test_a_viewer_holding_the_role_cannot_review(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    keys.cao_user.memberships.update(access_level="viewer")
    with pytest.raises(PermissionDenied):
        approve(decision, keys.cao_user, "CAO")


def test_a_verdict_is_given_once(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    approve(decision, keys.cao_user, "CAO")
    with pytest.raises(TransitionRefused, match="already given"):
        approve(decision, keys.cao_user, "CAO", verdict=Verdict.DECLINE)


# --- Checklists per kind ---


def test_each_key_gets_its_roles_checklist_of_the_kind(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    assert [c.text for c in key_of(decision, "CAO").checks.all()] == [
        "Standards alignment",
        "Instructional value",
    ]
    assert [c.text for c in key_of(decision, "CTO").checks.all()] == [
        "Interoperability standards",
        "Data privacy agreement",
        "Security",
    ]


def test_another_kind_has_its_own_checklist(keys, editor):
    other = DecisionKind.objects.create(district=keys.district, name="Assessments")
    ChecklistItem.objects.create(
        district=keys.district, kind=other, role=keys.cao, text="Item bank quality"
    )
    decision = create_decision(
        district=keys.district,
        acting_user=editor,
        title="Benchmark tests",
        kind=other,
        responsibility=keys.row,
    )
    decision = submit_decision(decision=decision, acting_user=editor)
    assert [c.text for c in key_of(decision, "CAO").checks.all()] == [
        "Item bank quality"
    ]
    assert list(key_of(decision, "CTO").checks.all()) == []


def test_a_checklist_change_after_review_starts_leaves_the_review_alone(
    draft, keys, editor
):
    decision = submit_decision(decision=draft, acting_user=editor)
    ChecklistItem.objects.filter(text="Security").update(text="Penetration test")
    assert "Security" in key_of(decision, "CTO").checks.values_list("text", flat=True)


def test_approving_needs_every_item_checked(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    review = key_of(decision, "CTO")
    first = review.checks.first()
    with pytest.raises(ValidationError) as refused:
        approve(
            decision,
            keys.cto_user,
            "CTO",
            checks={first.pk: CheckAnswer(is_checked=True, note="OneRoster 1.2")},
        )
    assert "Not checked: Data privacy agreement; Security" in str(refused.value)
    assert key_of(decision, "CTO").is_pending
    assert not review.checks.filter(is_checked=True).exists()  # nothing half-saved


def test_checklist_answers_and_notes_are_kept(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    review = key_of(decision, "CTO")
    answers = {
        c.pk: CheckAnswer(True, f"note {c.sort_order}") for c in review.checks.all()
    }
    approve(decision, keys.cto_user, "CTO", checks=answers)
    assert list(review.checks.values_list("is_checked", "note")) == [
        (True, "note 1"),
        (True, "note 2"),
        (True, "note 3"),
    ]


# --- Bad input ---


@pytest.mark.parametrize(
    ("verdict", "rationale", "conditions", "field"),
    [
        ("maybe", "Fine.", "", "verdict"),
        (Verdict.APPROVE, "  ", "", "rationale"),
        (Verdict.APPROVE_WITH_CONDITIONS, "Fine.", "", "conditions"),
    ],
)
def test_a_review_with_bad_input_is_refused_and_saves_nothing(
    draft, keys, editor, verdict, rationale, conditions, field
):
    decision = submit_decision(decision=draft, acting_user=editor)
    with pytest.raises(ValidationError) as refused:
        approve(
            decision,
            keys.cao_user,
            "CAO",
            verdict=verdict,
            rationale=rationale,
            conditions=conditions,
        )
    assert field in refused.value.message_dict
    assert key_of(decision, "CAO").is_pending


def test_a_check_of_another_review_is_refused(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    foreign = key_of(decision, "CTO").checks.first()
    with pytest.raises(ValidationError, match="not part of this review"):
        approve(
            decision,
            keys.cao_user,
            "CAO",
            checks={
                **all_checked(key_of(decision, "CAO")),
                foreign.pk: CheckAnswer(True),
            },
        )


# --- Every transition, allowed and refused ---


def in_state(decision, state) -> Decision:
    Decision.objects.filter(pk=decision.pk).update(state=state, round=1)
    return reloaded(decision)


ACTIONS = {
    "submit": (submit_decision, SUBMIT_FROM, S.IN_REVIEW, "sent for review"),
    "withdraw": (withdraw_decision, WITHDRAW_FROM, S.WITHDRAWN, "withdrawn"),
    "reopen": (reopen_decision, REOPEN_FROM, S.REOPENED, "reopened"),
}


@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_from_every_state(draft, editor, name, state):
    action, allowed, target, words = ACTIONS[name]
    decision = in_state(draft, state)
    before = decision.transitions.count()
    if state in allowed:
        action(decision=decision, acting_user=editor, reason="Because.")
        assert reloaded(decision).state == target
        step = decision.transitions.order_by("-pk").first()
        assert (step.from_state, step.to_state, step.actor) == (state, target, editor)
    else:
        with pytest.raises(TransitionRefused) as refused:
            action(decision=decision, acting_user=editor, reason="Because.")
        message = refused.value.messages[0]
        assert f"is {S(state).label.lower()}" in message
        assert f"can be {words}" in message
        assert reloaded(decision).state == state
        assert decision.transitions.count() == before


@pytest.mark.parametrize("name", ["withdraw", "reopen"])
def test_withdrawing_and_reopening_need_a_reason(draft, editor, name):
    action, allowed, _target, _words = ACTIONS[name]
    decision = in_state(draft, allowed[0])
    with pytest.raises(TransitionRefused) as refused:
        action(decision=decision, acting_user=editor, reason=" ")
    assert "reason" in refused.value.message_dict
    assert reloaded(decision).state == allowed[0]


def test_viewers_change_no_decision(draft, viewer):
    for action in (submit_decision, withdraw_decision):
        with pytest.raises(PermissionDenied):
            action(decision=draft, acting_user=viewer, reason="x")
    with pytest.raises(PermissionDenied):
        update_decision(decision=draft, acting_user=viewer, changes={"title": "x"})
    assert reloaded(draft).state == S.DRAFT


def test_a_reopened_decision_is_reviewed_again_with_fresh_keys(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    approve(decision, keys.cto_user, "CTO", verdict=Verdict.DECLINE, checks={})
    decision = reopen_decision(
        decision=reloaded(decision), acting_user=editor, reason="Vendor signed."
    )
    update_decision(
        decision=decision, acting_user=editor, changes={"vendor": "LeafLine Inc."}
    )
    decision = submit_decision(decision=reloaded(decision), acting_user=editor)
    assert decision.round == 2
    assert key_of(decision, "CTO").is_pending
    approve(decision, keys.cto_user, "CTO")
    approve(decision, keys.cao_user, "CAO")
    assert reloaded(decision).state == S.APPROVED
    assert decision.reviews.count() == 4  # both rounds kept


def test_the_request_is_frozen_in_review_but_the_register_fields_are_not(draft, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    with pytest.raises(TransitionRefused, match="frozen"):
        update_decision(
            decision=decision, acting_user=editor, changes={"product": "Other"}
        )
    update_decision(
        decision=decision,
        acting_user=editor,
        changes={"privacy_status": "agreement_signed"},
    )
    assert reloaded(decision).privacy_status == "agreement_signed"
    with pytest.raises(TransitionRefused, match="set by the workflow"):
        update_decision(
            decision=decision, acting_user=editor, changes={"state": S.APPROVED}
        )


def test_only_a_draft_never_sent_can_be_deleted(draft, editor):
    decision = submit_decision(decision=draft, acting_user=editor)
    withdraw_decision(decision=decision, acting_user=editor, reason="Not needed.")
    with pytest.raises(TransitionRefused, match="withdraw it instead"):
        delete_decision(decision=reloaded(decision), acting_user=editor)
    other = create_decision(
        district=draft.district,
        acting_user=editor,
        title="Typo",
        kind=draft.kind,
        responsibility=draft.responsibility,
    )
    delete_decision(decision=other, acting_user=editor)
    assert not Decision.objects.filter(pk=other.pk).exists()


# --- History ---


def test_every_transition_is_recorded_with_who_when_and_why(draft, keys, editor):
    decision = submit_decision(decision=draft, acting_user=editor, reason="Urgent.")
    approve(
        decision,
        keys.cto_user,
        "CTO",
        verdict=Verdict.DECLINE,
        checks={},
        rationale="No agreement.",
    )
    steps = list(
        Transition.objects.filter(decision=decision)
        .order_by("at", "pk")
        .values_list("from_state", "to_state", "actor__username", "reason")
    )
    assert steps == [
        ("", S.DRAFT, "editor", "Filed"),
        (S.DRAFT, S.IN_REVIEW, "editor", "Urgent."),
        (S.IN_REVIEW, S.DECLINED, "cto", "CTO declined: No agreement."),
    ]
    records = decision.history.order_by("history_id")
    assert [r.history_user.username for r in records] == ["editor", "editor", "cto"]
    review = key_of(decision, "CTO")
    assert review.history.latest().history_user == keys.cto_user


def test_the_district_policy_sets_the_review_interval(draft, keys, editor):
    DecisionPolicy.objects.create(district=keys.district, review_interval_months=6)
    decision = submit_decision(decision=draft, acting_user=editor)
    approve(decision, keys.cao_user, "CAO")
    approve(decision, keys.cto_user, "CTO")
    decision = reloaded(decision)
    months = (decision.review_on.year - decision.decided_on.year) * 12 + (
        decision.review_on.month - decision.decided_on.month
    )
    assert months == 6

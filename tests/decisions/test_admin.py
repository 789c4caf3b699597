"""The admin files, edits, sends and deletes decisions through the workflow."""

import pytest

from decisions.models import Decision, DecisionState, Transition

from ..admin_pages import form_data, staff, url
from .conftest import key_of

pytestmark = pytest.mark.django_db


def test_a_decision_added_in_the_admin_is_filed_by_the_workflow(
    client_for, editor, keys
):
    client = client_for(staff(editor))
    page = client.get(url(Decision, "add"))
    data = form_data(page) | {
        "district": keys.district.pk,
        "title": "Reading app",
        "kind": keys.kind.pk,
        "responsibility": keys.row.pk,
        "privacy_status": "not_checked",
    }
    response = client.post(url(Decision, "add"), data)
    assert response.status_code == 302
    decision = Decision.objects.get(title="Reading app")
    assert decision.requested_by == editor
    assert list(decision.transitions.values_list("to_state", "reason")) == [
        (DecisionState.DRAFT, "Filed")
    ]


def test_the_admin_action_sends_for_review_with_the_matrix_keys(
    client_for, editor, draft
):
    client = client_for(staff(editor))
    response = client.post(
        url(Decision, "changelist"),
        {"action": "send_for_review", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == DecisionState.IN_REVIEW
    assert sorted(draft.reviews.values_list("role__code", flat=True)) == ["CAO", "CTO"]


def test_the_admin_refuses_a_frozen_change_and_saves_nothing(client_for, editor, draft):
    from decisions.workflow import submit_decision

    submit_decision(decision=draft, acting_user=editor)
    client = client_for(staff(editor))
    page = client.get(url(Decision, "change", draft.pk))
    data = form_data(page) | {"product": "Something else"}
    response = client.post(url(Decision, "change", draft.pk), data, follow=True)
    assert "frozen" in response.content.decode()
    draft.refresh_from_db()
    assert draft.product == "LeafLine Reader"


def test_the_admin_deletes_only_drafts(client_for, editor, draft):
    from decisions.workflow import submit_decision

    submit_decision(decision=draft, acting_user=editor)
    client = client_for(staff(editor))
    response = client.post(
        url(Decision, "delete", draft.pk), {"post": "yes"}, follow=True
    )
    assert "withdraw it instead" in response.content.decode()
    assert Decision.objects.filter(pk=draft.pk).exists()
    from decisions.workflow import create_decision

    typo = create_decision(
        district=draft.district,
        acting_user=editor,
        title="Typo",
        kind=draft.kind,
        responsibility=draft.responsibility,
    )
    response = client.post(url(Decision, "delete", typo.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Decision.objects.filter(pk=typo.pk).exists()


def test_reviews_and_transitions_are_read_only_in_the_admin(
    client_for, editor, keys, draft
):
    from decisions.workflow import submit_decision

    decision = submit_decision(decision=draft, acting_user=editor)
    review = key_of(decision, "CTO")
    client = client_for(staff(keys.cto_user))
    assert client.get(url(type(review), "change", review.pk)).status_code == 200
    response = client.post(
        url(type(review), "change", review.pk), {"verdict": "approve"}
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.is_pending
    transition = Transition.objects.filter(decision=decision).first()
    assert (
        client.post(
            url(Transition, "delete", transition.pk), {"post": "yes"}
        ).status_code
        == 403
    )

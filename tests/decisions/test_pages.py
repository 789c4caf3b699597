"""The decision pages: four visitors, the forms through the workflow, bad input, the
register (page, CSV, public) and query counts."""

import pytest
from django.urls import reverse

from decisions.models import Decision, DecisionPolicy, DecisionState, Verdict
from decisions.workflow import record_review, submit_decision

from .conftest import all_checked, key_of

pytestmark = pytest.mark.django_db


def url(name, district, *args):
    return reverse(f"decisions:{name}", args=[district.slug, *args])


def approved(draft, keys, editor, *, conditions="Single sign-on only."):
    decision = submit_decision(decision=draft, acting_user=editor)
    for code, user, verdict in (
        ("CTO", keys.cto_user, Verdict.APPROVE_WITH_CONDITIONS),
        ("CAO", keys.cao_user, Verdict.APPROVE),
    ):
        review = key_of(decision, code)
        record_review(
            review=review,
            acting_user=user,
            verdict=verdict,
            rationale="Checked.",
            conditions=conditions,
            checks=all_checked(review),
        )
    return Decision.objects.get(pk=decision.pk)


@pytest.mark.parametrize("name", ["list", "open", "register", "register-csv"])
def test_four_visitors_on_the_district_pages(
    name, client_for, viewer, editor, outsider, keys, district
):
    target = url(name, district)
    assert client_for(viewer).get(target).status_code == 200
    assert client_for(editor).get(target).status_code == 200
    assert client_for(outsider).get(target).status_code == 404
    anonymous = client_for(None).get(target)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


def test_four_visitors_on_a_decision(client_for, viewer, editor, outsider, draft):
    target = url("detail", draft.district, draft.pk)
    page = client_for(viewer).get(target)
    assert page.status_code == 200 and b"Reading app" in page.content
    assert b"Send for review" not in page.content  # viewers read only
    assert b"Send for review" in client_for(editor).get(target).content
    assert client_for(outsider).get(target).status_code == 404
    assert client_for(None).get(target).status_code == 302


def test_an_editor_files_a_request_and_sends_it(client_for, editor, keys, district):
    client = client_for(editor)
    response = client.post(
        url("new", district),
        {
            "title": "Reading app",
            "kind": keys.kind.pk,
            "requested_for": "Ms. Ortega",
            "product": "LeafLine Reader",
            "responsibility": keys.row.pk,
            "privacy_status": "not_checked",
        },
    )
    decision = Decision.objects.get(title="Reading app")
    assert response.status_code == 302 and decision.requested_by == editor
    page = client.get(url("detail", district, decision.pk))
    assert b"Keys from the matrix now" in page.content
    assert b"Priya Pemberton" in page.content and b"Lena Lockwood" in page.content
    response = client.post(url("submit", district, decision.pk), {"reason": ""})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == DecisionState.IN_REVIEW


def test_a_request_with_bad_input_is_refused_and_saves_nothing(
    client_for, editor, keys, district, other_district
):
    from ..factories import ResponsibilityFactory

    foreign_row = ResponsibilityFactory(district=other_district)
    response = client_for(editor).post(
        url("new", district),
        {"title": "", "kind": keys.kind.pk, "responsibility": foreign_row.pk},
    )
    assert response.status_code == 400
    assert not Decision.objects.exists()
    assert b"This field is required" in response.content
    assert b"Select a valid choice" in response.content


def test_the_holder_sees_the_checklist_and_turns_the_key(
    client_for, keys, editor, draft
):
    decision = submit_decision(decision=draft, acting_user=editor)
    review = key_of(decision, "CTO")
    target = url("detail", decision.district, decision.pk)
    cto_page = client_for(keys.cto_user).get(target).content.decode()
    assert "Record my CTO review" in cto_page and "Data privacy agreement" in cto_page
    assert (
        "Record my CTO review"
        not in client_for(keys.cao_user).get(target).content.decode()
    )
    prefix = f"review-{review.pk}"
    data = {f"{prefix}-verdict": "approve_with_conditions", f"{prefix}-rationale": "OK"}
    data |= {f"{prefix}-check-{c.pk}": "on" for c in review.checks.all()}
    response = client_for(keys.cto_user).post(
        url("review", decision.district, review.pk), data
    )
    assert response.status_code == 400  # the conditions are missing
    assert "Write the conditions of your approval." in response.content.decode()
    review.refresh_from_db()
    assert review.is_pending
    data[f"{prefix}-conditions"] = "Single sign-on only."
    response = client_for(keys.cto_user).post(
        url("review", decision.district, review.pk), data
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.verdict == Verdict.APPROVE_WITH_CONDITIONS


def test_someone_else_cannot_turn_the_key_from_the_page(
    client_for, keys, editor, draft
):
    decision = submit_decision(decision=draft, acting_user=editor)
    review = key_of(decision, "CTO")
    prefix = f"review-{review.pk}"
    response = client_for(keys.cao_user).post(
        url("review", decision.district, review.pk),
        {f"{prefix}-verdict": "decline", f"{prefix}-rationale": "No."},
    )
    assert response.status_code == 403
    assert "holding the CTO role" in response.content.decode()
    review.refresh_from_db()
    assert review.is_pending


def test_a_refused_transition_says_why(client_for, editor, draft):
    response = client_for(editor).post(
        url("reopen", draft.district, draft.pk), {"reason": "Try again."}
    )
    assert response.status_code == 409
    assert "only a decision that is approved" in response.content.decode()


def test_the_requester_sees_the_reason_of_a_decline(client_for, keys, editor, draft):
    decision = submit_decision(decision=draft, acting_user=editor)
    record_review(
        review=key_of(decision, "CTO"),
        acting_user=keys.cto_user,
        verdict=Verdict.DECLINE,
        rationale="The vendor will not sign the data privacy agreement.",
    )
    page = client_for(editor).get(url("detail", decision.district, decision.pk))
    text = page.content.decode()
    assert "Declined by the CTO" in text
    assert "The vendor will not sign the data privacy agreement." in text


def test_the_register_lists_approved_tools_with_their_conditions(
    client_for, viewer, keys, editor, draft
):
    decision = approved(draft, keys, editor)
    page = client_for(viewer).get(url("register", decision.district)).content.decode()
    assert "LeafLine Reader" in page and "CTO: Single sign-on only." in page
    csv = b"".join(
        client_for(viewer).get(url("register-csv", decision.district)).streaming_content
    ).decode()
    lines = csv.splitlines()
    assert lines[0] == (
        "Product,Vendor,Kind,Conditions,Privacy status,Approved on,Review on"
    )
    assert lines[1].startswith(
        "LeafLine Reader,LeafLine Learning,Digital content,CTO: Single sign-on only.,"
        "Not yet checked,"
    )
    assert lines[-1] == "# complete: 1 rows"


def test_the_register_leaves_out_what_is_not_approved(
    client_for, viewer, keys, editor, draft
):
    submit_decision(decision=draft, acting_user=editor)
    page = client_for(viewer).get(url("register", draft.district)).content.decode()
    assert "LeafLine Reader" not in page and "No tool is approved yet." in page


def test_the_public_register_shows_approved_tools_without_names(
    client_for, keys, editor, draft, district
):
    decision = approved(draft, keys, editor, conditions="SSO only.")
    target = reverse("decisions:public-register", args=[district.slug])
    anonymous = client_for(None).get(target)
    assert anonymous.status_code == 302  # not published
    assert client_for(editor).get(target).status_code == 404
    DecisionPolicy.objects.create(district=district, publish_register=True)
    page = client_for(None).get(target)
    text = page.content.decode()
    assert page.status_code == 200
    assert "LeafLine Reader" in text and "CTO: SSO only." in text
    for name in (
        "Priya Pemberton",
        "Lena Lockwood",
        "editor",
        "Ms. Ortega",
        "Checked.",
    ):
        assert name not in text
    assert f"/decisions/{decision.pk}/" not in text


def test_only_admins_change_the_decision_settings(
    client_for, editor, district_admin, district
):
    data = {
        "target_working_days": "8",
        "review_interval_months": "12",
        "publish_register": "on",
    }
    assert client_for(editor).post(url("settings", district), data).status_code == 403
    assert (
        client_for(district_admin).post(url("settings", district), data).status_code
        == 302
    )
    policy = DecisionPolicy.objects.get(district=district)
    assert (policy.target_working_days, policy.publish_register) == (8, True)
    data["target_working_days"] = "0"
    assert (
        client_for(district_admin).post(url("settings", district), data).status_code
        == 400
    )
    policy.refresh_from_db()
    assert policy.target_working_days == 8


@pytest.mark.parametrize("name", ["list", "open", "register", "detail"])
def test_page_queries_do_not_grow_with_decisions(
    name, client_for, keys, editor, district, django_assert_max_num_queries
):
    from decisions.workflow import create_decision

    made = []

    def add(n):
        for _i in range(n):
            decision = create_decision(
                district=district,
                acting_user=editor,
                title=f"App {len(made)}",
                kind=keys.kind,
                responsibility=keys.row,
                product=f"App {len(made)}",
            )
            decision = submit_decision(decision=decision, acting_user=editor)
            made.append(decision)
            review = key_of(decision, "CAO")
            record_review(
                review=review,
                acting_user=keys.cao_user,
                verdict=Verdict.APPROVE,
                rationale="Fine.",
                checks=all_checked(review),
            )

    client = client_for(keys.cto_user)
    args = lambda: [made[0].pk] if name == "detail" else []  # noqa: E731

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(name, district, *args())).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url(name, district, *args())).status_code == 200

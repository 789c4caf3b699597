"""The decisions API: the same workflow as the pages, four visitors, bad input,
isolation, history, the register and open decisions under the district's address."""

import pytest

from decisions.models import Decision, DecisionState, Transition

from .conftest import key_of

pytestmark = pytest.mark.django_db


def create_body(keys, **extra):
    return {
        "district": keys.district.slug,
        "title": "Reading app",
        "kind": keys.kind.pk,
        "responsibility": keys.row.pk,
        "product": "LeafLine Reader",
        "requested_for": "Ms. Ortega",
        **extra,
    }


def test_four_visitors_list_decisions(api_client_for, viewer, editor, outsider, draft):
    ids = lambda user: [  # noqa: E731
        row["id"]
        for row in api_client_for(user).get("/api/v1/decisions/").json()["results"]
    ]
    assert ids(viewer) == [draft.pk]
    assert ids(editor) == [draft.pk]
    assert ids(outsider) == []
    assert api_client_for(None).get("/api/v1/decisions/").status_code in (401, 403)
    assert (
        api_client_for(outsider).get(f"/api/v1/decisions/{draft.pk}/").status_code
        == 404
    )


def test_a_full_two_key_approval_through_the_api(api_client_for, keys, editor):
    client = api_client_for(editor)
    created = client.post("/api/v1/decisions/", create_body(keys), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["state"] == "draft"
    assert created.json()["requested_by"] == "editor"
    sent = client.post(f"/api/v1/decisions/{pk}/submit/", {}, format="json")
    assert sent.status_code == 200 and sent.json()["state"] == "in_review"
    reviews = client.get(f"/api/v1/decision-reviews/?decision={pk}").json()["results"]
    assert [r["role"]["display"] for r in reviews] == ["CAO", "CTO"]
    for review, user, verdict in (
        (reviews[1], keys.cto_user, "approve_with_conditions"),
        (reviews[0], keys.cao_user, "approve"),
    ):
        answer = api_client_for(user).post(
            f"/api/v1/decision-reviews/{review['id']}/verdict/",
            {
                "verdict": verdict,
                "rationale": "Checked.",
                "conditions": "SSO only.",
                "checks": [
                    {"id": c["id"], "is_checked": True} for c in review["checks"]
                ],
            },
            format="json",
        )
        assert answer.status_code == 200, answer.json()
    decision = client.get(f"/api/v1/decisions/{pk}/").json()
    assert decision["state"] == "approved_with_conditions"
    assert decision["conditions"] == "CTO: SSO only."
    tools = client.get(f"/api/v1/districts/{keys.district.slug}/approved-tools/").json()
    assert [(t["product"], t["conditions"]) for t in tools] == [
        ("LeafLine Reader", "CTO: SSO only.")
    ]
    steps = client.get(f"/api/v1/decision-transitions/?decision={pk}").json()["results"]
    assert [(s["from_state"], s["to_state"], s["actor"]) for s in steps] == [
        ("", "draft", "editor"),
        ("draft", "in_review", "editor"),
        ("in_review", "approved_with_conditions", "cao"),
    ]


def test_the_state_is_not_written_by_hand(api_client_for, editor, draft):
    response = api_client_for(editor).patch(
        f"/api/v1/decisions/{draft.pk}/", {"state": "approved"}, format="json"
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.state == DecisionState.DRAFT


def test_a_refused_transition_is_a_409_with_the_reason(api_client_for, editor, draft):
    response = api_client_for(editor).post(
        f"/api/v1/decisions/{draft.pk}/reopen/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert "only a decision that is approved" in response.json()["detail"]
    assert Transition.objects.filter(decision=draft).count() == 1


def test_a_frozen_request_is_a_409(api_client_for, editor, draft):
    client = api_client_for(editor)
    client.post(f"/api/v1/decisions/{draft.pk}/submit/", {}, format="json")
    response = client.patch(
        f"/api/v1/decisions/{draft.pk}/", {"product": "Other"}, format="json"
    )
    assert response.status_code == 409 and "frozen" in response.json()["detail"]


def test_a_verdict_by_someone_else_is_a_403(api_client_for, keys, editor, draft):
    api_client_for(editor).post(
        f"/api/v1/decisions/{draft.pk}/submit/", {}, format="json"
    )
    draft.refresh_from_db()
    review = key_of(draft, "CTO")
    response = api_client_for(keys.cao_user).post(
        f"/api/v1/decision-reviews/{review.pk}/verdict/",
        {"verdict": "decline", "rationale": "No."},
        format="json",
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.is_pending


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"verdict": "maybe", "rationale": "x"}, "verdict"),
        ({"verdict": "approve"}, "rationale"),
        ({"verdict": "approve", "rationale": "x", "checks": [{"id": "a"}]}, "checks"),
        ({"verdict": "approve", "rationale": "x", "checks": []}, "checks"),
        ({"verdict": "approve_with_conditions", "rationale": "x"}, "conditions"),
    ],
)
def test_a_bad_verdict_is_a_400(api_client_for, keys, editor, draft, body, field):
    api_client_for(editor).post(
        f"/api/v1/decisions/{draft.pk}/submit/", {}, format="json"
    )
    draft.refresh_from_db()
    review = key_of(draft, "CTO")
    response = api_client_for(keys.cto_user).post(
        f"/api/v1/decision-reviews/{review.pk}/verdict/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    review.refresh_from_db()
    assert review.is_pending


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": 2**70}, "kind"),
        ({"responsibility": "x"}, "responsibility"),
        ({"privacy_status": "leaky"}, "privacy_status"),
    ],
)
def test_a_bad_request_is_a_400_and_saves_nothing(
    api_client_for, editor, keys, extra, field
):
    response = api_client_for(editor).post(
        "/api/v1/decisions/", create_body(keys, **extra), format="json"
    )
    assert response.status_code == 400 and field in response.json()
    assert not Decision.objects.exists()


def test_another_districts_row_cannot_be_linked(
    api_client_for, editor, keys, other_district
):
    from ..factories import ResponsibilityFactory

    foreign = ResponsibilityFactory(district=other_district)
    response = api_client_for(editor).post(
        "/api/v1/decisions/",
        create_body(keys, responsibility=foreign.pk),
        format="json",
    )
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_viewers_and_outsiders_write_nothing(
    api_client_for, viewer, outsider, keys, draft
):
    for user in (viewer, outsider):
        client = api_client_for(user)
        assert client.post(
            "/api/v1/decisions/", create_body(keys), format="json"
        ).status_code in (400, 403)
        assert client.post(
            f"/api/v1/decisions/{draft.pk}/submit/", {}, format="json"
        ).status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.state == DecisionState.DRAFT and Decision.objects.count() == 1


def test_reviews_cannot_be_created_or_changed_directly(
    api_client_for, superuser, draft
):
    client = api_client_for(superuser)
    assert (
        client.post("/api/v1/decision-reviews/", {}, format="json").status_code == 405
    )
    assert (
        client.post("/api/v1/decision-transitions/", {}, format="json").status_code
        == 405
    )


def test_only_a_draft_is_deleted(api_client_for, editor, draft):
    client = api_client_for(editor)
    client.post(f"/api/v1/decisions/{draft.pk}/submit/", {}, format="json")
    assert client.delete(f"/api/v1/decisions/{draft.pk}/").status_code == 409
    assert Decision.objects.filter(pk=draft.pk).exists()


def test_open_decisions_under_the_districts_address(api_client_for, editor, draft):
    client = api_client_for(editor)
    client.post(f"/api/v1/decisions/{draft.pk}/submit/", {}, format="json")
    rows = client.get(f"/api/v1/districts/{draft.district.slug}/open-decisions/").json()
    assert [(r["title"], r["working_days"]) for r in rows] == [("Reading app", 0)]
    assert [k["role"] for k in rows[0]["keys"]] == ["CAO", "CTO"]


def test_the_decision_history_names_each_writer(api_client_for, editor, draft):
    history = api_client_for(editor).get(f"/api/v1/decisions/{draft.pk}/history/")
    assert history.status_code == 200
    assert [e["user"] for e in history.json()["results"]] == ["editor"]


def test_list_queries_do_not_grow(
    api_client_for, editor, keys, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from decisions.workflow import create_decision, submit_decision

    def add(n):
        for i in range(n):
            d = create_decision(
                district=keys.district,
                acting_user=editor,
                title=f"App {i}",
                kind=keys.kind,
                responsibility=keys.row,
            )
            submit_decision(decision=d, acting_user=editor)

    client = api_client_for(editor)
    add(2)
    counts = {}
    for path in ("/api/v1/decisions/", "/api/v1/decision-reviews/"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(path).status_code == 200
        counts[path] = len(few)
    add(8)
    for path, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(path).status_code == 200

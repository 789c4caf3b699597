"""A full two-key approval in the browser: an editor files a teacher's request, the CTO
approves with a condition, the CAO approves, the register shows the tool."""

import pytest

from ..decisions.conftest import make_two_keys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def keys(district):
    return make_two_keys(district)


def sign_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_two_reviewers_turn_both_keys_and_the_tool_is_registered(
    chromium_browser,
    live_server,
    keys,
    editor,
    axe_violations,
    page,
):
    slug = keys.district.slug
    # The editor files the teacher's request and sends it for review.
    filer = sign_in(chromium_browser, live_server, editor)
    filer.goto(f"{live_server.url}/districts/{slug}/decisions/new/")
    filer.get_by_label("Title").fill("Reading app for third grade")
    filer.get_by_label("Kind").select_option(label="Digital content")
    filer.get_by_label("Requested for").fill("Ms. Ortega, third-grade teacher")
    filer.get_by_label("Product").fill("LeafLine Reader")
    filer.get_by_label("Matrix row").select_option(label="Selecting digital content")
    filer.get_by_role("button", name="Save").click()
    assert filer.get_by_role("heading", name="Keys from the matrix now").is_visible()
    filer.get_by_role("button", name="Send for review").click()
    filer.get_by_text(
        "Done: “Reading app for third grade” is now in review."
    ).wait_for()
    detail = filer.url

    # The CTO sees the technology checklist and approves with a condition.
    cto = sign_in(chromium_browser, live_server, keys.cto_user)
    cto.goto(detail)
    review = cto.locator("section", has=cto.get_by_role("heading", name="CTO review"))
    for item in ("Interoperability standards", "Data privacy agreement", "Security"):
        review.get_by_label(item, exact=True).check()
    review.get_by_label("Approve with conditions").check()
    review.get_by_role("textbox", name="Conditions").fill("Single sign-on only.")
    review.get_by_label("Rationale").fill("OneRoster roster sync; agreement signed.")
    review.get_by_role("button", name="Record my CTO review").click()
    cto.get_by_text(
        "Your CTO review is recorded; the decision is in review."
    ).wait_for()
    assert cto.get_by_role("button", name="Record my CAO review").count() == 0

    # The CAO sees the academic checklist and turns the second key.
    cao = sign_in(chromium_browser, live_server, keys.cao_user)
    cao.goto(detail)
    review = cao.locator("section", has=cao.get_by_role("heading", name="CAO review"))
    assert review.get_by_label("Standards alignment", exact=True).is_visible()
    review.get_by_label("Standards alignment", exact=True).check()
    review.get_by_label("Instructional value", exact=True).check()
    review.get_by_label("Approve", exact=True).check()
    review.get_by_label("Rationale").fill("Levelled to the reading standards.")
    review.get_by_role("button", name="Record my CAO review").click()
    cao.get_by_text(
        "Your CAO review is recorded; the decision is approved with conditions."
    ).wait_for()

    cao.goto(f"{live_server.url}/districts/{slug}/decisions/register/")
    row = cao.get_by_role("row", name="LeafLine Reader")
    assert "CTO: Single sign-on only." in row.inner_text()

    page.goto(detail)  # an anonymous visitor is sent to log in
    assert "/accounts/login/" in page.url


def test_the_decision_page_has_no_serious_accessibility_violations(
    log_in,
    keys,
    editor,
    axe_violations,
    live_server,
):
    from decisions.workflow import create_decision, submit_decision

    decision = create_decision(
        district=keys.district,
        acting_user=editor,
        title="Reading app",
        kind=keys.kind,
        responsibility=keys.row,
    )
    submit_decision(decision=decision, acting_user=editor)
    page = log_in(keys.cto_user)
    page.goto(f"{live_server.url}{decision.get_absolute_url()}")
    assert axe_violations() == []

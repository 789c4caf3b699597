"""A clean console: every page, as each kind of visitor, without a console error, a page
error, a failed request or a Content Security Policy violation.

The pages are those of the URL walk (`tests/url_walk.py`) that answer a GET with HTML for
the visitor: each is opened in Chromium at 1280x800 with the strict CSP in force. One
browser context per visitor, logged in once. A `securitypolicyviolation` listener,
added before any page script runs, records what the CSP refused; Chromium also reports
it on the console.
"""

import pytest

from district.models import AccessLevel, Membership
from goals.models import Target
from tests.factories import (
    MembershipFactory,
    OwnershipFactory,
    ResponsibilityFactory,
    TargetFactory,
    UserFactory,
    WorkAreaFactory,
)
from tests.goals.district_data import build_district_data
from tests.url_walk import ROUTES
from tokens.models import create_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
VIEWPORT = {"width": 1280, "height": 800}
# Not pages: downloads, the health probe, the icon.
NOT_PAGES = {
    "roles:matrix-csv",
    "roles:matrix-xlsx",
    "goals:measurements-csv",
    "healthz",
    "favicon",
    "logout",
}
# Known faults being fixed elsewhere, as (route name, text of the message). Empty it
# once they are fixed; a fault not listed here fails the test.
EXPECTED_FAULTS: set[tuple[str, str]] = set()
RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def fill(route, objects) -> str:
    """The route's URL with each parameter naming one of the district's objects."""
    segments = route.template.split("/")
    values = {}
    for param in route.params:
        if param == "pk":
            values[param] = objects[segments[segments.index("{pk}") - 1]]
        else:
            values[param] = objects[param]
    return route.url({k: str(v) for k, v in values.items()})


@pytest.fixture
def site(district):
    """A district like the demo in small: goals, metrics, values, a matrix, targets."""
    data = build_district_data(district, schools=12)
    area = WorkAreaFactory(district=district, name="Curriculum")
    row = ResponsibilityFactory(district=district, work_area=area, name="Adopt texts")
    OwnershipFactory(district=district, responsibility=row, role=data.cao)
    target = Target.objects.filter(metric=data.attendance).first() or TargetFactory(
        district=district, metric=data.attendance
    )
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    MembershipFactory(district=district, user=admin, access_level=AccessLevel.ADMIN)
    for user in (admin,):
        user.set_password(PASSWORD)
        user.save()
    token, _key = create_token(user=admin, name="nightly", scope="read")
    membership = Membership.objects.filter(district=district).first()
    objects = {
        "slug": district.slug,
        "metrics": data.attendance.pk,
        "goals": data.joint_goal.pk,
        "networks": data.north.pk,
        "roles": data.cao.pk,
        "rows": row.pk,
        "members": membership.pk,
        "tokens": token.pk,
        "role_pk": data.cao.pk,
        "network_pk": data.north.pk,
        "target_pk": target.pk,
        "uidb64": "MQ",
        "token": "set-password",
    }
    return {"objects": objects, "admin": admin}


def page_urls(objects, admin=False) -> list[tuple[str, str]]:
    pages = [
        (route.name, fill(route, objects))
        for route in ROUTES
        if route.kind == "page" and route.name not in NOT_PAGES
    ]
    if admin:
        # The admin's own pages: its index, a list, a form with inlines, a history.
        pages += [
            ("admin:index", "/admin/"),
            ("admin:roles_role_changelist", "/admin/roles/role/"),
            (
                "admin:goals_metric_change",
                f"/admin/goals/metric/{objects['metrics']}/change/",
            ),
            (
                "admin:roles_responsibility_change",
                f"/admin/roles/responsibility/{objects['rows']}/change/",
            ),
            (
                "admin:goals_metric_history",
                f"/admin/goals/metric/{objects['metrics']}/history/",
            ),
        ]
    return pages


def visit_all(browser, live_server, urls, user=None) -> tuple[int, list[str]]:
    """Open every HTML page the visitor may GET; return how many and every fault."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    current = {"name": "login"}
    faults: list[tuple[str, str]] = []

    def fault(text: str) -> None:
        faults.append((current["name"], text))

    page.on(
        "console",
        lambda m: (
            m.type in ("error", "warning") and fault(f"console {m.type}: {m.text}")
        ),
    )
    page.on("pageerror", lambda e: fault(f"page error: {e}"))
    page.on("requestfailed", lambda r: fault(f"failed: {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and fault(f"HTTP {r.status}: {r.url}"),
    )
    if user is not None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
    visited = 0
    seen = set()
    for name, url in urls:
        # What the visitor may open: a GET answering HTML (a login redirect included).
        answer = context.request.get(f"{live_server.url}{url}", max_redirects=5)
        if answer.status != 200 or "text/html" not in answer.headers.get(
            "content-type", ""
        ):
            continue
        landed = answer.url.split("?")[0]
        if landed != f"{live_server.url}{url}".split("?")[0]:
            # Sent elsewhere (to log in): that page once is enough.
            if landed in seen:
                continue
            seen.add(landed)
        current["name"] = name
        page.goto(f"{live_server.url}{url}", wait_until="networkidle")
        visited += 1
        for violation in page.evaluate("window.__cspViolations"):
            fault(f"CSP: {violation}")
    context.close()
    return visited, [
        f"{name}: {text}"
        for name, text in faults
        if (name, text) not in EXPECTED_FAULTS
    ]


@pytest.mark.parametrize("persona", ["viewer", "editor", "admin", None])
def test_no_page_logs_an_error_or_a_csp_violation(
    persona, request, chromium_browser, live_server, site
):
    if persona == "admin":
        user = site["admin"]
    elif persona:
        user = request.getfixturevalue(persona)
        user.set_password(PASSWORD)
        user.save()
    else:
        user = None

    urls = page_urls(site["objects"], admin=persona == "admin")
    visited, faults = visit_all(chromium_browser, live_server, urls, user)

    assert faults == []
    # Every visitor reaches pages; members reach the district's, editors more.
    assert visited >= {"viewer": 15, "editor": 20, "admin": 20, None: 5}[persona]


def test_the_icon_is_served_and_the_listener_sees_a_violation(
    chromium_browser, live_server, site
):
    """The check itself: the icon loads, and a refused inline style is caught."""
    context = chromium_browser.new_context(viewport=VIEWPORT)
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    icon = page.goto(f"{live_server.url}/favicon.ico")
    assert icon.status == 200
    assert icon.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert "style-src" in page.evaluate("window.__cspViolations")[0]
    context.close()

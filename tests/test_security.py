"""Content Security Policy, login throttling and request logs without secrets."""

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from config.logging import JsonFormatter, RedactSecrets
from tokens.models import create_token

from .conftest import PASSWORD
from .factories import NetworkFactory, UserFactory

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- Content Security Policy ---


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_pages_allow_only_the_apps_own_assets(client_for, viewer, path):
    response = client_for(viewer).get(path)
    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_pages_turn_off_htmxs_inline_indicator_style(client_for, viewer):
    content = client_for(viewer).get("/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in (
        content
    )


def test_api_docs_allow_their_inline_script_by_a_nonce_only(client_for, viewer):
    response = client_for(viewer).get("/api/v1/docs/")
    assert response.status_code == 200
    directives = csp_directives(response)
    nonces = [v for v in directives["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" in directives["style-src"]
    content = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", content)
    assert inline_scripts == [f' nonce="{nonce}"']
    assert f'<style nonce="{nonce}">' in content


def test_api_docs_nonce_changes_on_every_request(client_for, viewer):
    client = client_for(viewer)
    first = client.get("/api/v1/docs/")["Content-Security-Policy"]
    second = client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert first != second


def test_other_pages_get_no_nonce(client_for, viewer):
    response = client_for(viewer).get("/api/v1/schema/")
    assert "nonce-" not in response["Content-Security-Policy"]


# Inline code a strict CSP blocks: scripts without src (JSON data blocks and nonced
# scripts excepted), style elements and attributes, event-handler attributes, hx-on.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\b(?:src|nonce)=)(?![^>]*application/json)"
)
INLINE_STYLE_ELEMENT = re.compile(r"<style\b(?![^>]*\bnonce=)")
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.DOTALL)
EVENT_HANDLER = re.compile(r"<[^>]*\s(?:on[a-z]+|hx-on[-:\w]*)\s*=", re.DOTALL)


def csp_violations(text: str) -> list[str]:
    found = []
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("<style> element", INLINE_STYLE_ELEMENT),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("inline event handler", EVENT_HANDLER),
    ]:
        found += [name for _ in pattern.finditer(text)]
    return found


# Rendered into PDF packets by WeasyPrint (publishing/pdf.py), never sent to a
# browser: the Content-Security-Policy does not apply, and the SVG renderer reads its
# chart styles from a <style> inside the SVG.
PDF_ONLY = {"publishing/_packet_chart.html", "publishing/packet_pdf.html"}


def test_templates_stay_csp_clean():
    offenders = {}
    for template in sorted(TEMPLATES.rglob("*.html")):
        if str(template.relative_to(TEMPLATES)) in PDF_ONLY:
            continue
        violations = csp_violations(template.read_text())
        if violations:
            offenders[str(template.relative_to(TEMPLATES))] = violations
    assert offenders == {}


def test_every_htmx_config_turns_off_the_inline_indicator_style():
    # htmx reads only the first htmx-config meta: a page that replaces base.html's
    # must keep the setting, or htmx injects a <style> the CSP refuses.
    configs = {
        str(template.relative_to(TEMPLATES)): match
        for template in sorted(TEMPLATES.rglob("*.html"))
        for match in re.findall(
            r"<meta name=\"htmx-config\" content='([^']*)'>", template.read_text()
        )
    }
    assert "base.html" in configs
    for name, config in configs.items():
        assert json.loads(config).get("includeIndicatorStyles") is False, name


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<script src="/static/js/htmx.min.js"></script>', []),
        ('<script nonce="{{ request.csp_nonce }}">go()</script>', []),
        ('<script type="application/json" id="data">{}</script>', []),
        ("<script>alert(1)</script>", ["inline <script>"]),
        ("<style>p { color: red }</style>", ["<style> element"]),
        ('<p class="x" style="color: red">', ["style= attribute"]),
        ('<button onclick="go()">', ["inline event handler"]),
        ('<form hx-on::after-request="reset()">', ["inline event handler"]),
        ('<td class="style-only" data-onion="1">', []),
    ],
)
def test_template_scan_finds_inline_code(html, expected):
    assert csp_violations(html) == expected


# --- Login throttling ---


def attempt_login(client, username, password, ip="203.0.113.7"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def fail_times(client, username, times, ip="203.0.113.7"):
    for _ in range(times):
        response = attempt_login(client, username, "wrong-password", ip=ip)
        assert response.status_code == 200  # the login form again, with its error


def lock_out(client, username, settings):
    """Fail until the account locks: the last allowed failure answers 429."""
    fail_times(client, username, settings.AXES_FAILURE_LIMIT - 1)
    assert attempt_login(client, username, "wrong-password").status_code == 429


def test_an_account_locks_after_ten_failed_logins_and_says_when_to_retry(db, settings):
    UserFactory(username="casey")
    client = Client()
    fail_times(client, "casey", settings.AXES_FAILURE_LIMIT - 1)
    response = attempt_login(client, "casey", "wrong-password")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    content = response.content.decode()
    assert "Account temporarily locked" in content
    assert "Try again in 60 minutes" in content
    assert "casey" in content


def test_a_locked_account_refuses_even_the_right_password(db, settings):
    UserFactory(username="casey")
    client = Client()
    lock_out(client, "casey", settings)
    response = attempt_login(client, "casey", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_failures_from_every_address(db, settings):
    UserFactory(username="casey")
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt_login(client, "casey", "wrong-password", ip=f"198.51.100.{attempt}")
    response = attempt_login(client, "casey", "wrong-password", ip="192.0.2.99")
    assert response.status_code == 429


def test_failures_on_one_account_do_not_lock_another(db, settings):
    UserFactory(username="casey")
    UserFactory(username="devon")
    client = Client()
    lock_out(client, "casey", settings)
    response = attempt_login(client, "devon", PASSWORD)
    assert response.status_code == 302


def test_a_success_before_the_limit_clears_only_that_accounts_failures(db, settings):
    UserFactory(username="casey")
    UserFactory(username="devon")
    attacker = Client()
    fail_times(attacker, "devon", settings.AXES_FAILURE_LIMIT - 1)
    fail_times(attacker, "casey", settings.AXES_FAILURE_LIMIT - 1)
    # casey logs in from the same address: casey's own count starts again ...
    assert attempt_login(Client(), "casey", PASSWORD).status_code == 302
    fail_times(attacker, "casey", settings.AXES_FAILURE_LIMIT - 1)
    # ... and devon's failures still count.
    assert attempt_login(attacker, "devon", "wrong-password").status_code == 429


def test_a_locked_account_opens_again_after_the_cool_off(db, settings):
    UserFactory(username="casey")
    client = Client()
    lock_out(client, "casey", settings)
    AccessAttempt.objects.filter(username="casey").update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    assert attempt_login(client, "casey", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(db, settings):
    UserFactory(username="casey", is_staff=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/", {"username": "casey", "password": "wrong-password"}
        )
    response = client.post("/admin/login/", {"username": "casey", "password": PASSWORD})
    assert response.status_code == 429


def test_test_clients_log_in_as_before(db, viewer):
    with_request = Client()
    assert with_request.login(
        request=HttpRequest(), username="viewer", password=PASSWORD
    )
    plain = Client()
    assert plain.login(username="viewer", password=PASSWORD)
    assert plain.get("/").status_code == 200
    forced = Client()
    forced.force_login(viewer)
    assert forced.get("/").status_code == 200


# --- Request logs ---


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def logged_text(caplog) -> str:
    """Everything written to any log, as the JSON formatter would write it."""
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records)


def request_entries(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "lanes.requests"
    ]


def test_request_log_has_no_password_no_authorization_and_no_cookie(db, request_log):
    UserFactory(username="casey")
    client = Client()
    client.cookies["sessionid"] = "cookie-value-never-logged"
    client.post(
        "/accounts/login/?next=/&token=query-token-never-logged",
        {"username": "casey", "password": "Body-Password-Never-Logged"},
        HTTP_AUTHORIZATION="Token header-token-never-logged",
    )
    text = logged_text(request_log)
    for secret in (
        "Body-Password-Never-Logged",
        "header-token-never-logged",
        "query-token-never-logged",
        "cookie-value-never-logged",
    ):
        assert secret not in text
    [entry] = request_entries(request_log)
    assert entry["method"] == "POST"
    assert entry["path"] == "/accounts/login/"
    assert entry["query"] == "next=%2F&token=[redacted]"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)
    # The CPU time the request used, never more than its wall time (rounding aside).
    assert 0 <= entry["cpu_ms"] <= entry["duration_ms"] + 0.2


def test_request_log_names_the_user_and_the_district(
    client_for, viewer, district, request_log
):
    client_for(viewer).get("/")
    client_for(viewer).get(f"/districts/{district.slug}/no-such-page/")
    home, district_page = request_entries(request_log)
    assert home["user_id"] == viewer.pk
    assert home["district"] is None
    assert district_page["district"] == district.slug


def test_request_log_lines_are_json_objects(client_for, request_log):
    client_for(None).get("/healthz?password=query-password")
    [entry] = request_entries(request_log)
    assert entry["logger"] == "lanes.requests"
    assert entry["message"] == "GET /healthz 200"
    assert entry["query"] == "password=[redacted]"
    assert entry["user_id"] is None


def test_a_refused_key_in_the_query_string_reaches_no_log(viewer, request_log):
    _token, key = create_token(user=viewer, name="warehouse", scope="read")

    response = APIClient().get(f"/api/v1/districts/?token={key}&limit=5")

    assert response.status_code == 401
    text = logged_text(request_log)
    assert key not in text
    warning = next(r for r in request_log.records if r.name == "django.request")
    assert "token=[redacted]&limit=5" in str(warning.request)


def test_keys_and_authorization_values_are_redacted_from_any_logger(request_log):
    other = logging.getLogger("lanes.integration")
    try:
        raise ValueError("retry https://lanes.example.org/api/v1/?api_key=exc-secret")
    except ValueError:
        other.exception(
            "Sent %s with %s",
            "/login/?next=/&password=arg-secret",
            {"HTTP_AUTHORIZATION": "Token header-secret"},
            extra={"url": "/x/?session_token=extra-secret&page=2"},
        )

    text = logged_text(request_log)
    for secret in ("exc-secret", "arg-secret", "header-secret", "extra-secret"):
        assert secret not in text
    assert "page=2" in text and "next=/" in text


def test_every_log_handler_redacts_secrets():
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    handlers = {
        handler
        for logger in loggers
        for handler in logger.handlers
        # pytest's capture handlers are not Lanes' configuration; a NullHandler
        # (libraries add one) writes nothing.
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)
    }

    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), handler


def test_the_admin_history_page_stays_within_the_csp(client_for, superuser, district):
    network = NetworkFactory(district=district, name="North")
    network.name = "North side"
    network.save()

    response = client_for(superuser).get(
        f"/admin/district/network/{network.pk}/history/"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "North side" in html
    assert csp_violations(html) == []
    assert "css/admin_history.css" in html

"""Production settings: `manage.py check --deploy` passes with the documented variables.

Each check runs `manage.py` in a fresh process, because settings are read from the
environment once, at start.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The production environment documented in docs/deployment.md and .env.example.
PRODUCTION_ENV = {
    "DEBUG": "off",
    "ALLOWED_HOSTS": "lanes.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://lanes.example.org",
    "SECURE_SSL_REDIRECT": "on",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "on",
    "SECURE_HSTS_PRELOAD": "on",
    "USE_X_FORWARDED_PROTO": "on",
    "CONN_MAX_AGE": "60",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "NUM_PROXIES": "1",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only the variables given (plus PATH), so nothing from the caller's shell leaks in.
    base = {"PATH": os.environ.get("PATH", ""), "LOG_FORMAT": "text"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str) -> dict[str, str]:
    return {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50), **overrides}


def test_check_deploy_reports_no_warning_with_the_documented_production_variables():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_passes_when_the_proxy_redirects_to_https():
    env = production_env(SECURE_SSL_REDIRECT="off", SSL_REDIRECT_BY_PROXY="on")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "warning"),
    [
        ("SECURE_HSTS_SECONDS", "security.W004"),
        ("SECURE_SSL_REDIRECT", "security.W008"),
    ],
)
def test_check_deploy_warns_when_a_production_variable_is_missing(missing, warning):
    env = production_env()
    del env[missing]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_lanes_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = production_env()
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_cookies_are_secure_and_debug_is_off_by_default():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_REFERRER_POLICY, s.X_FRAME_OPTIONS)"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env={"SECRET_KEY": secrets.token_urlsafe(50)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "same-origin", "DENY"]


@pytest.mark.parametrize("cache_url", [None, "locmemcache://", "dummycache://"])
def test_a_server_refuses_to_start_with_a_per_process_cache(cache_url):
    env = production_env()
    del env["CACHE_URL"]
    if cache_url:
        env["CACHE_URL"] = cache_url
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "CACHE_URL must name a cache shared by every worker" in result.stderr


def test_a_single_process_may_say_it_keeps_its_own_cache():
    env = production_env(CACHE_URL="locmemcache://", ALLOW_PER_PROCESS_CACHE="on")
    result = run_manage("check", env=env)
    assert result.returncode == 0, result.stderr

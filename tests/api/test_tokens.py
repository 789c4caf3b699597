"""API tokens: created, used, scoped, revoked, expired; the page, the command, the API."""

import datetime
import io
import uuid
from unittest import mock

import pytest
import time_machine
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from roles.models import Role
from tests.admin_pages import staff
from tests.factories import RoleFactory
from tokens.models import (
    ApiToken,
    TokenScope,
    create_token,
    hash_key,
    revoke_token,
)


def test_token_is_stored_as_a_hash_only(editor):
    token, key = create_token(user=editor, name="warehouse", scope=TokenScope.READ)

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_key(key)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.prefix == key[:8]


def test_read_token_reads_the_users_districts(token_client_for, viewer, district):
    RoleFactory(district=district, code="CAO")
    client = token_client_for(viewer, scope="read")

    response = client.get("/api/v1/roles/")

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["CAO"]


def test_read_token_is_refused_on_write(token_client_for, editor, district):
    client = token_client_for(editor, scope="read")

    response = client.post(
        "/api/v1/roles/",
        {"district": district.slug, "code": "CAO", "title": "Chief Academic Officer"},
        format="json",
    )

    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert not Role.objects.exists()


def test_write_token_writes_with_its_users_name_in_history(
    token_client_for, editor, district
):
    client = token_client_for(editor, scope="write")

    response = client.post(
        "/api/v1/roles/",
        {"district": district.slug, "code": "CAO", "title": "Chief Academic Officer"},
        format="json",
    )
    assert response.status_code == 201, response.content
    role = Role.objects.get()
    assert role.history.get().history_user == editor

    client.patch(f"/api/v1/roles/{role.pk}/", {"title": "CAO"}, format="json")
    assert role.history.order_by("-history_id").first().history_user == editor


def test_write_token_of_a_viewer_still_cannot_write(token_client_for, viewer, district):
    client = token_client_for(viewer, scope="write")

    response = client.post(
        "/api/v1/roles/",
        {"district": district.slug, "code": "CAO", "title": "Chief"},
        format="json",
    )

    assert response.status_code == 403


def test_revoked_token_is_refused(token_client_for, viewer, district):
    client = token_client_for(viewer)
    assert client.get("/api/v1/roles/").status_code == 200

    client.token.revoked_at = timezone.now()
    client.token.save(update_fields=["revoked_at"])
    response = client.get("/api/v1/roles/")

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_expired_token_is_refused(token_client_for, viewer, district):
    client = token_client_for(
        viewer, expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get("/api/v1/roles/")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_unknown_or_malformed_token_is_401(viewer):
    client = APIClient()
    for header in ("Token nonsense-key", "Token", "Token a b", "Token \u00e9t\u00e9"):
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/roles/")
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"] == "Token"


def test_anonymous_request_is_401_with_the_token_scheme():
    response = APIClient().get("/api/v1/roles/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_using_a_token_records_when_it_was_last_used(token_client_for, viewer):
    client = token_client_for(viewer)
    assert client.token.last_used_at is None

    client.get("/api/v1/roles/")

    client.token.refresh_from_db()
    assert client.token.last_used_at is not None
    assert timezone.now() - client.token.last_used_at < datetime.timedelta(minutes=1)


def test_token_of_an_inactive_user_is_refused(token_client_for, viewer):
    client = token_client_for(viewer)
    viewer.is_active = False
    viewer.save()

    assert client.get("/api/v1/roles/").status_code == 401


# --- Rate limits ---


def test_requests_over_the_token_limit_get_429_with_retry_after(
    settings, token_client_for, viewer
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "token": "2/minute"},
    }
    client = token_client_for(viewer)

    statuses = [client.get("/api/v1/roles/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/roles/")
    assert int(response["Retry-After"]) > 0


def test_user_limit_counts_all_of_a_users_tokens(settings, token_client_for, viewer):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": "2/minute", "token": None},
    }
    first, second = token_client_for(viewer), token_client_for(viewer)

    assert first.get("/api/v1/roles/").status_code == 200
    assert second.get("/api/v1/roles/").status_code == 200
    assert first.get("/api/v1/roles/").status_code == 429


def limit_anonymous(settings, rate="3/minute"):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": rate, "user": None, "token": None},
    }


def test_anonymous_floods_get_429_even_though_each_is_refused(settings, db):
    limit_anonymous(settings)
    client = APIClient()

    statuses = [
        # A forged X-Forwarded-For does not buy a fresh count.
        client.get("/api/v1/roles/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(5)
    ]

    assert statuses == [401, 401, 401, 429, 429]
    response = client.get("/api/v1/roles/")
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()


def test_guessed_keys_get_429_per_address(settings, viewer):
    limit_anonymous(settings)
    client = APIClient()

    statuses = []
    for i in range(5):
        client.credentials(HTTP_AUTHORIZATION=f"Token guessed-key-{i:040d}")
        statuses.append(client.post("/api/v1/tokens/", {}, format="json").status_code)

    assert statuses == [401, 401, 401, 429, 429]
    elsewhere = APIClient(REMOTE_ADDR="203.0.113.9")
    assert elsewhere.get("/api/v1/roles/").status_code == 401


def test_a_valid_key_is_not_counted_as_anonymous(settings, token_client_for, viewer):
    limit_anonymous(settings, "1/minute")
    client = token_client_for(viewer)

    assert APIClient().get("/api/v1/roles/").status_code == 401
    assert [client.get("/api/v1/roles/").status_code for _ in range(3)] == [200] * 3


def test_workers_share_one_count_through_redis(settings, token_client_for, viewer):
    """Two cache clients, as two gunicorn workers hold, see one count per token."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "token": "3/minute"},
    }
    location = "redis://127.0.0.1:6379/11"
    prefix = f"test-{uuid.uuid4().hex}"
    workers = [RedisCache(location, {"KEY_PREFIX": prefix}) for _ in range(2)]
    client = token_client_for(viewer)

    statuses = []
    for i in range(4):
        with mock.patch.object(SimpleRateThrottle, "cache", workers[i % 2]):
            statuses.append(client.get("/api/v1/roles/").status_code)

    assert statuses == [200, 200, 200, 429]
    # Per-process caches would each have let all four through.
    local = [LocMemCache(f"worker-{i}", {}) for i in range(2)]
    other = token_client_for(viewer)
    statuses = []
    for i in range(4):
        with mock.patch.object(SimpleRateThrottle, "cache", local[i % 2]):
            statuses.append(other.get("/api/v1/roles/").status_code)
    assert statuses == [200] * 4


# --- The tokens API ---


def test_user_creates_lists_and_revokes_own_token_through_the_api(
    api_client_for, editor
):
    client = api_client_for(editor)

    created = client.post(
        "/api/v1/tokens/",
        {"name": "warehouse", "scope": "write", "expires_in_days": 30},
        format="json",
    )

    assert created.status_code == 201, created.content
    key = created.json()["key"]
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [row["name"] for row in listed] == ["warehouse"]
    assert "key" not in listed[0]
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client.get("/api/v1/tokens/").status_code == 200

    assert client.delete(created.json()["url"]).status_code == 204
    assert client.get(created.json()["url"]).json()["status"] == "revoked"
    assert token_client.get("/api/v1/tokens/").status_code == 401


def test_another_users_token_is_404(api_client_for, editor, viewer):
    token, _key = create_token(user=viewer, name="viewer's", scope="read")

    response = api_client_for(editor).delete(f"/api/v1/tokens/{token.pk}/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_read_token_cannot_create_tokens(token_client_for, editor):
    client = token_client_for(editor, scope="read")

    response = client.post(
        "/api/v1/tokens/", {"name": "more", "scope": "write"}, format="json"
    )

    assert response.status_code == 403


def test_token_api_refuses_bad_input(api_client_for, editor):
    response = api_client_for(editor).post(
        "/api/v1/tokens/",
        {"name": "", "scope": "admin", "expires_in_days": 10**9},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"name", "scope", "expires_in_days"}


# --- Tokens created with a token ---

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def create_with(client, **body):
    response = client.post(
        "/api/v1/tokens/", {"name": "child", "scope": "write", **body}, format="json"
    )
    assert response.status_code == 201, response.content
    child = APIClient()
    child.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['key']}")
    child.token = ApiToken.objects.get(pk=response.json()["id"])
    return child


def test_a_token_made_with_a_short_lived_token_expires_with_it(
    token_client_for, editor
):
    with time_machine.travel(NOW, tick=False) as clock:
        parent = token_client_for(
            editor, scope="write", expires_at=NOW + datetime.timedelta(days=1)
        )

        no_expiry = create_with(parent)
        longer = create_with(parent, expires_in_days=30)
        shorter = create_with(parent, expires_in_days=None, scope="read")

        assert no_expiry.token.expires_at == parent.token.expires_at
        assert longer.token.expires_at == parent.token.expires_at
        assert shorter.token.parent == parent.token
        clock.shift(datetime.timedelta(days=1, seconds=1))
        for client in (no_expiry, longer, shorter):
            assert client.get("/api/v1/tokens/").status_code == 401


def test_a_token_made_with_a_token_keeps_a_shorter_expiry(token_client_for, editor):
    with time_machine.travel(NOW, tick=False):
        parent = token_client_for(
            editor, scope="write", expires_at=NOW + datetime.timedelta(days=10)
        )

        child = create_with(parent, expires_in_days=2)

    assert child.token.expires_at == NOW + datetime.timedelta(days=2)


def test_a_read_token_cannot_make_a_write_token(editor):
    parent, _key = create_token(user=editor, name="reader", scope=TokenScope.READ)

    with pytest.raises(ValidationError) as refused:
        create_token(user=editor, name="writer", scope="write", parent=parent)

    assert "read token" in str(refused.value)
    assert list(ApiToken.objects.all()) == [parent]


def test_a_revoked_or_expired_token_cannot_make_tokens(editor):
    revoked, _key = create_token(user=editor, name="old", scope="write")
    revoke_token(token=revoked, acting_user=editor)
    expired, _key = create_token(
        user=editor,
        name="old",
        scope="write",
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )

    for parent in (revoked, expired):
        with pytest.raises(ValidationError):
            create_token(user=editor, name="new", scope="read", parent=parent)
    assert ApiToken.objects.count() == 2


def test_revoking_a_token_revokes_the_tokens_made_with_it(
    token_client_for, api_client_for, editor
):
    parent = token_client_for(editor, scope="write")
    child = create_with(parent)
    grandchild = create_with(child)
    sibling = token_client_for(editor, scope="write")

    response = api_client_for(editor).delete(f"/api/v1/tokens/{parent.token.pk}/")

    assert response.status_code == 204
    for client in (parent, child, grandchild):
        response = client.get("/api/v1/tokens/")
        assert response.status_code == 401
        assert "revoked" in response.json()["detail"]
    assert sibling.get("/api/v1/tokens/").status_code == 200
    revoked = grandchild.token.history.order_by("-history_id").first()
    assert revoked.revoked_at is not None
    assert revoked.history_user == editor


def test_the_page_and_the_admin_revoke_children_too(
    token_client_for, client_for, editor, superuser
):
    by_page, by_admin = (token_client_for(editor, scope="write") for _ in range(2))
    children = [create_with(by_page), create_with(by_admin)]

    client_for(editor).post(f"/account/tokens/{by_page.token.pk}/revoke/")
    client_for(superuser).post(
        "/admin/tokens/apitoken/",
        {"action": "revoke", "_selected_action": [by_admin.token.pk]},
    )

    for child in children:
        assert child.get("/api/v1/tokens/").status_code == 401


# --- The page ---


def test_token_page_creates_a_token_and_shows_its_key_once(client_for, editor):
    client = client_for(editor)

    response = client.post(
        "/account/tokens/",
        {"name": "warehouse", "scope": "read", "expires_in_days": ""},
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(user=editor)
    key = response.context["created"]["key"]
    assert token.matches(key)
    assert key in response.content.decode()
    assert key not in client.get("/account/tokens/").content.decode()


def test_token_page_revokes_own_token(client_for, editor):
    token, _key = create_token(user=editor, name="warehouse", scope="read")

    response = client_for(editor).post(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
    assert token.history.order_by("-history_id").first().history_user == editor


def test_token_page_cannot_revoke_another_users_token(client_for, editor, viewer):
    token, _key = create_token(user=viewer, name="viewer's", scope="read")

    response = client_for(editor).post(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 404


def test_token_page_lists_only_own_tokens(client_for, editor, viewer):
    create_token(user=viewer, name="viewer token", scope="read")
    create_token(user=editor, name="editor token", scope="read")

    page = client_for(editor).get("/account/tokens/").content.decode()

    assert "editor token" in page
    assert "viewer token" not in page


def test_token_page_refuses_bad_input(client_for, editor):
    response = client_for(editor).post(
        "/account/tokens/", {"name": "", "scope": "root", "expires_in_days": "-1"}
    )

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_page_redirects_anonymous_to_login(client_for):
    response = client_for(None).get("/account/tokens/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- The command and the admin ---


def test_command_prints_a_working_key_on_its_last_line(editor):
    out = io.StringIO()

    call_command(
        "create_api_token",
        "editor",
        "--scope",
        "write",
        "--expires-in-days",
        "7",
        stdout=out,
    )

    key = out.getvalue().strip().splitlines()[-1].split()[-1]
    token = ApiToken.objects.get(user=editor)
    assert token.matches(key)
    assert token.scope == "write"
    assert token.expires_at > timezone.now() + datetime.timedelta(days=6)


def test_command_refuses_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", "--scope", "read")


def test_admin_creates_a_token_and_shows_its_key_once(client_for, superuser, editor):
    response = client_for(superuser).post(
        "/admin/tokens/apitoken/add/",
        {
            "user": editor.pk,
            "name": "warehouse",
            "scope": "read",
            "expires_in_days": "",
        },
    )

    assert response.status_code == 200, response.content
    token = ApiToken.objects.get(user=editor)
    assert token.matches(response.context["key"])
    assert token.history.get().history_user == superuser


def test_admin_revokes_tokens(client_for, superuser, editor):
    token, _key = create_token(user=editor, name="warehouse", scope="read")

    client_for(superuser).post(
        "/admin/tokens/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.is_revoked


def test_admin_history_of_a_token_outside_ones_districts_is_missing(
    client_for, district_admin, outsider
):
    own, _key = create_token(user=district_admin, name="own", scope="read")
    foreign, _key = create_token(user=outsider, name="foreign", scope="read")
    client = client_for(staff(district_admin))

    def version_page(token):
        version = token.history.get().history_id
        return client.get(f"/admin/tokens/apitoken/{token.pk}/history/{version}/")

    assert version_page(own).status_code == 200
    assert version_page(foreign).status_code == 404

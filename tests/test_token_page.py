"""The API tokens page: styled like the other forms, revoking after a confirmation page."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tokens.models import ApiToken, create_token


@pytest.mark.parametrize("persona", ["viewer", "editor", "outsider", "superuser"])
def test_every_member_sees_only_their_own_tokens_and_a_styled_form(
    persona, request, client_for, viewer
):
    user = request.getfixturevalue(persona)
    create_token(user=user, name=f"{persona} warehouse", scope="read")
    create_token(user=viewer, name="the viewer token", scope="read")

    response = client_for(user).get("/account/tokens/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{persona} warehouse" in page
    assert ("the viewer token" in page) == (persona == "viewer")
    # The create form is laid out like the members and login forms, with its help.
    assert 'class="stacked-form card token-form"' in page
    assert "What the token is for" in page
    assert 'class="help"' in page


def test_anonymous_visitors_are_sent_to_log_in(client_for, viewer):
    token, _key = create_token(user=viewer, name="mine", scope="read")

    for url in ("/account/tokens/", f"/account/tokens/{token.pk}/revoke/"):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert (
        client_for(None).post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    )
    token.refresh_from_db()
    assert not token.is_revoked


def test_the_list_links_to_a_confirmation_page_that_revokes_nothing(client_for, editor):
    token, _key = create_token(user=editor, name="warehouse nightly", scope="write")
    client = client_for(editor)

    listing = client.get("/account/tokens/").content.decode()
    confirm = client.get(f"/account/tokens/{token.pk}/revoke/")

    # Revoking starts from a link, not a one-click button.
    assert f'href="/account/tokens/{token.pk}/revoke/"' in listing
    assert f'action="/account/tokens/{token.pk}/revoke/"' not in listing
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Revoke token “warehouse nightly”?" in page
    assert token.prefix in page
    assert f'action="/account/tokens/{token.pk}/revoke/"' in page
    assert 'href="/account/tokens/">Cancel' in page
    token.refresh_from_db()
    assert not token.is_revoked


def test_confirming_revokes_the_token_and_says_so(client_for, editor):
    token, _key = create_token(user=editor, name="warehouse nightly", scope="write")
    client = client_for(editor)

    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)

    token.refresh_from_db()
    assert token.is_revoked
    assert response.redirect_chain == [("/account/tokens/", 302)]
    assert "Token “warehouse nightly” revoked." in response.content.decode()
    # A revoked token's page says so and offers nothing more to press.
    again = client.get(f"/account/tokens/{token.pk}/revoke/").content.decode()
    assert "was revoked on" in again
    assert "<button" not in again.split('<main id="main"')[1]


def test_the_confirmation_names_the_tokens_created_with_it(client_for, editor):
    parent, _key = create_token(user=editor, name="parent", scope="write")
    for n in range(2):
        create_token(user=editor, name=f"child {n}", scope="read", parent=parent)

    page = client_for(editor).get(f"/account/tokens/{parent.pk}/revoke/")

    assert "the 2 tokens" in page.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_users_token_is_not_found(method, client_for, editor, viewer, outsider):
    token, _key = create_token(user=viewer, name="viewer's", scope="read")

    for user in (editor, outsider):
        response = getattr(client_for(user), method)(
            f"/account/tokens/{token.pk}/revoke/"
        )
        assert response.status_code == 404
    missing = client_for(editor).get("/account/tokens/2000000000/revoke/")
    assert missing.status_code == 404
    token.refresh_from_db()
    assert not token.is_revoked


def test_other_methods_are_refused(client_for, editor):
    token, _key = create_token(user=editor, name="mine", scope="read")

    response = client_for(editor).delete(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 405
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_every_page_links_the_icon_and_favicon_ico_is_served(client_for, viewer):
    home = client_for(viewer).get("/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in home

    response = client_for(None).get("/favicon.ico")

    assert response.status_code == 302
    assert response.url == "/static/img/favicon.ico"
    # An icon file (the browser tests fetch it through the live server).
    icon = finders.find("img/favicon.ico")
    assert Path(icon).read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert client_for(None).post("/favicon.ico").status_code == 405

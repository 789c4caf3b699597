"""Password reset by email: off with a clear page unless mail is set up; then it works."""

import logging
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from .factories import UserFactory

RESET_PATHS = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/done/",
]


class Inbox:
    """An SMTP handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server(settings):
    """A real SMTP server on localhost, and Lanes configured to send to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.PASSWORD_RESET_BY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.mark.parametrize("path", RESET_PATHS)
def test_without_mail_every_reset_page_says_whom_to_ask(db, path, settings):
    settings.PASSWORD_RESET_BY_EMAIL = False
    user = UserFactory(username="casey")

    response = Client().post(path, {"email": user.email})

    assert response.status_code == 200
    assert "does not send email" in response.content.decode()
    assert "Lanes administrator" in response.content.decode()


def test_lanes_sends_no_reset_mail_without_mail_settings(db, settings, mailoutbox):
    settings.PASSWORD_RESET_BY_EMAIL = False
    user = UserFactory(username="casey")

    Client().post("/accounts/password_reset/", {"email": user.email})

    assert mailoutbox == []


def test_a_reset_link_by_email_sets_a_new_password(db, mail_server):
    user = UserFactory(username="casey")
    client = Client()

    response = client.post("/accounts/password_reset/", {"email": user.email})

    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"
    [message] = mail_server.messages
    assert message.rcpt_tos == [user.email]
    link = re.search(r"/accounts/reset/\S+/\S+/", message.content.decode())[0]
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert done.status_code == 302
    assert Client().login(username="casey", password="a-new-long-passphrase")
    assert "does not work" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db, mail_server):
    response = Client().post("/accounts/password_reset/", {"email": "no@example.org"})

    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"
    assert mail_server.messages == []


def test_a_failed_send_logs_neither_the_account_nor_its_address(db, settings, caplog):
    settings.PASSWORD_RESET_BY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 5
    user = UserFactory(username="casey")
    caplog.set_level(logging.INFO)

    response = Client().post("/accounts/password_reset/", {"email": user.email})

    assert response.status_code == 302
    [failure] = [r for r in caplog.records if r.name == "lanes.password_reset"]
    assert failure.getMessage() == "A password reset email could not be sent."
    for record in caplog.records:
        if record.name.startswith("django.contrib.auth"):
            pytest.fail(f"Django logged the reset itself: {record.getMessage()}")
    logged = "\n".join(r.getMessage() + str(vars(r)) for r in caplog.records)
    assert user.email not in logged
    assert f"to {user.pk}" not in logged

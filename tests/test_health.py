"""`/healthz`: answers load balancers without login and without leaking details."""

from unittest import mock

from django.db import OperationalError, connections


def test_healthz_answers_ok_without_login_when_the_database_answers(client_for):
    response = client_for(None).get("/healthz")
    assert response.status_code == 200
    # On PostgreSQL the answer also says whether its settings are as Lanes expects
    # (tests/test_database_settings.py).
    assert {"status": "ok", "database": "ok"}.items() <= response.json().items()
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_without_details_when_the_database_is_down(
    client_for, caplog
):
    failure = OperationalError("could not connect to server at 10.0.0.5: secret-host")
    with mock.patch.object(type(connections["default"]), "cursor", side_effect=failure):
        response = client_for(None).get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
    assert b"secret-host" not in response.content
    # The cause goes to the server log for operators.
    assert "the database did not answer" in caplog.text


def test_healthz_refuses_writes(client_for):
    assert client_for(None).post("/healthz").status_code == 405


def test_healthz_is_not_redirected_to_https_for_load_balancer_probes(
    client_for, settings
):
    settings.SECURE_SSL_REDIRECT = True
    assert client_for(None).get("/accounts/login/").status_code == 301
    assert client_for(None).get("/healthz").status_code == 200

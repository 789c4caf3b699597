"""The PostgreSQL settings Lanes expects: `/healthz` and `manage.py check` say when off."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection

from district import database_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database_settings_on_postgresql_only(client_for):
    answer = client_for(None).get("/healthz").json()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_settings WHERE name IN "
                "('autovacuum', 'track_counts') AND setting = 'on'"
            )
            [settings_on] = cursor.fetchone()
        expected = "ok" if settings_on == 2 else "warn"
        assert answer == {
            "status": "ok",
            "database": "ok",
            "database_settings": expected,
        }
    else:
        assert answer == {"status": "ok", "database": "ok"}


@pytest.mark.postgresql
def test_a_setting_that_is_off_is_a_warning_still_answering_200(client_for, caplog):
    with mock.patch.object(database_settings, "EXPECTED", {"track_counts": "off"}):
        response = client_for(None).get("/healthz")
        assert response.status_code == 200
        assert response.json()["database_settings"] == "warn"
        assert "track_counts=on" in caplog.text

        output = mock.MagicMock()
        call_command("check", "--database", "default", stderr=output, stdout=output)
    written = "".join(str(call.args[0]) for call in output.write.call_args_list)
    assert "lanes.W001" in written
    assert "track_counts is on; Lanes expects off" in written


@pytest.mark.postgresql
def test_the_stored_rollups_are_vacuumed_sooner_than_the_default():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'goals_rollup'")
        [options] = cursor.fetchone()
    assert "autovacuum_vacuum_scale_factor=0.02" in options
    assert "autovacuum_analyze_scale_factor=0.02" in options

"""The PostgreSQL settings Lanes expects, read off the server it is connected to.

Stored rollups are deleted and rewritten on every refresh, and measurements are
updated in place by imports: without autovacuum (and the statistics it relies on) their
tables grow with dead rows and the planner loses track of their size. `/healthz` says
when a setting is off, and `manage.py check --database default` warns.
"""

from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.db import connection

# Server setting -> the value Lanes expects.
EXPECTED = {"autovacuum": "on", "track_counts": "on"}


def settings_off() -> dict[str, str]:
    """The expected settings the database server has otherwise, with its values.

    Empty on other databases than PostgreSQL (SQLite has no such settings).
    """
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
            [list(EXPECTED)],
        )
        found = dict(cursor.fetchall())
    return {
        name: found.get(name, "missing")
        for name, expected in EXPECTED.items()
        if found.get(name) != expected
    }


@register("database")
def check_database_settings(app_configs, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    return [
        CheckWarning(
            f"PostgreSQL setting {name} is {value}; Lanes expects {EXPECTED[name]}.",
            hint="See 'Database and cache' in docs/deployment.md.",
            id="lanes.W001",
        )
        for name, value in settings_off().items()
    ]

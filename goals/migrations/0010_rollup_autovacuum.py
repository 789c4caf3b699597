"""Vacuum the stored rollups after 2 % of their rows changed, not PostgreSQL's 20 %.

Every refresh deletes and rewrites the rollups it moves; with the default scale factor
a large district's table (247,000 rows) would carry up to 50,000 dead rows between
vacuums. Nothing to do on SQLite.
"""

from django.db import migrations

OPTIONS = (
    "autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02"
)


def set_options(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE goals_rollup SET ({OPTIONS})")


def reset_options(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE goals_rollup RESET "
            "(autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("goals", "0009_dates_in_range")]

    operations = [migrations.RunPython(set_options, reset_options)]

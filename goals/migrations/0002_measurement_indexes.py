"""Measurement indexes fit to the reads (docs/benchmarks.md).

The single-column foreign-key indexes on district, metric, school, network and
entered_by give way to: (metric, id) and (school, id), which also serve API pages in id
order; partial indexes on network and entered_by, which most rows lack; and the existing
(district, updated_at, id), which leads with the district. The foreign keys themselves
stay: only their indexes are dropped, by name, so the constraints are not re-validated
over millions of rows.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Index names Django gave the foreign-key indexes in 0001_initial.
FK_INDEXES = {
    "district_id": "goals_measurement_district_id_729f873d",
    "entered_by_id": "goals_measurement_entered_by_id_15215f07",
    "metric_id": "goals_measurement_metric_id_94426927",
    "network_id": "goals_measurement_network_id_1674206c",
    "school_id": "goals_measurement_school_id_a8ef36a4",
}


def drop_fk_index(column):
    name = FK_INDEXES[column]
    return migrations.RunSQL(
        sql=f'DROP INDEX IF EXISTS "{name}"',
        reverse_sql=f'CREATE INDEX "{name}" ON "goals_measurement" ("{column}")',
    )


class Migration(migrations.Migration):
    dependencies = [
        ("district", "0001_initial"),
        ("goals", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[drop_fk_index(column) for column in FK_INDEXES],
            state_operations=[
                migrations.AlterField(
                    model_name="measurement",
                    name="district",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="measurements",
                        to="district.district",
                    ),
                ),
                migrations.AlterField(
                    model_name="measurement",
                    name="entered_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="measurement",
                    name="metric",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="measurements",
                        to="goals.metric",
                    ),
                ),
                migrations.AlterField(
                    model_name="measurement",
                    name="network",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="measurements",
                        to="district.network",
                    ),
                ),
                migrations.AlterField(
                    model_name="measurement",
                    name="school",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="measurements",
                        to="district.school",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="measurement",
            index=models.Index(fields=["metric", "id"], name="goals_meas_metric_id"),
        ),
        migrations.AddIndex(
            model_name="measurement",
            index=models.Index(fields=["school", "id"], name="goals_meas_school_id"),
        ),
        migrations.AddIndex(
            model_name="measurement",
            index=models.Index(
                condition=models.Q(("network__isnull", False)),
                fields=["network"],
                name="goals_meas_network",
            ),
        ),
        migrations.AddIndex(
            model_name="measurement",
            index=models.Index(
                condition=models.Q(("entered_by__isnull", False)),
                fields=["entered_by"],
                name="goals_meas_entered_by",
            ),
        ),
    ]

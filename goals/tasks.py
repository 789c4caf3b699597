"""Background work of goals, run by the task worker (docs/architecture.md)."""

from django.db import connection, transaction
from django_tasks import task

from district.jobs import begin, fail, finish

from .models import Rollup
from .rollups import refresh_rollups


@task()
def refresh_district(*, job_id: int) -> int:
    """Recompute every stored rollup of the job's district, in one transaction (readers
    see the old values until it commits); how many rollups were stored."""
    job = begin(job_id)
    try:
        with transaction.atomic():
            rows = refresh_rollups(job.district)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Rollup._meta.db_table}")
    except Exception as error:
        fail(job, error)
        raise
    finish(job)
    return rows

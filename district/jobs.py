"""Work that outlasts a request: queued as a django-tasks task, its progress in a `Job`.

`start` records the job and enqueues its task (after the transaction that asks for it
commits, so the worker finds the job); the task reports each step with `advance`, and
ends with `finish` or `fail`. Each report is its own short write, so a reader of the
admin's job list sees the progress while the task runs. History records a task
writes name the user who asked for it (`acting_as`), as if they had made the change
in the request.
"""

import contextlib
import traceback
from collections.abc import Iterator
from types import SimpleNamespace

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task
from simple_history.models import HistoricalRecords

from .models import District, Job, JobStatus
from .write_paths import WritePath, writing_through


def writing_through_if(write_path: str) -> contextlib.AbstractContextManager:
    """`writing_through(write_path)`, or nothing when the path is empty."""
    if not write_path:
        return contextlib.nullcontext()
    return writing_through(WritePath(write_path))


def start(
    *, district: District, description: str, total: int, user, run, **arguments
) -> Job:
    """Record a queued job of `total` steps and enqueue `run(job_id=..., **arguments)`."""
    job = Job.objects.create(
        district=district,
        description=description,
        total=max(total, 1),
        requested_by=user if getattr(user, "pk", None) else None,
    )
    transaction.on_commit(lambda: run.enqueue(job_id=job.pk, **arguments))
    return job


def begin(job_id: int) -> Job:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, updated_at=timezone.now()
    )
    return Job.objects.select_related("requested_by").get(pk=job_id)


def advance(job: Job, steps: int = 1) -> None:
    Job.objects.filter(pk=job.pk).update(
        done=F("done") + steps, updated_at=timezone.now()
    )


def finish(job: Job) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, done=F("total"), finished_at=now, updated_at=now
    )


def fail(job: Job, error: BaseException) -> None:
    now = timezone.now()
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=text, finished_at=now, updated_at=now
    )


@contextlib.contextmanager
def acting_as(user) -> Iterator[None]:
    """History written inside names `user`, as the request's user would be named."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


@task()
def delete_rows(
    *, job_id: int, label: str, pks: list[int], write_path: str = ""
) -> int:
    """Delete the rows `pks` of the model `label` one by one, each in its own
    transaction (with what hangs on it, district/deletion.py); how many were deleted.

    A row deleted meanwhile is skipped; a failure stops the job and leaves the rows
    not yet deleted as they were.
    """
    job = begin(job_id)
    model = apps.get_model(label)
    deleted = 0
    try:
        with acting_as(job.requested_by), writing_through_if(write_path):
            for pk in pks:
                with transaction.atomic():
                    row = model._default_manager.filter(
                        pk=pk, district_id=job.district_id
                    ).first()
                    if row is not None:
                        row.delete()
                        deleted += 1
                advance(job)
    except Exception as error:
        fail(job, error)
        raise
    finish(job)
    return deleted

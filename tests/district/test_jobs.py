"""Background jobs: deleting schools, networks or metrics from the admin, and a full
refresh of the stored rollups, run by the task worker with their progress recorded."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from district.models import Job, JobStatus, School
from goals.models import Measurement, Metric, Rollup, Scope
from tests.admin_pages import url
from tests.factories import (
    JobFactory,
    MetricFactory,
    NetworkFactory,
    SchoolFactory,
)
from tests.rollup_checks import assert_rollups_fresh

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def schools_with_values(district, count=3):
    network = NetworkFactory(district=district)
    metric = MetricFactory(district=district)
    schools = SchoolFactory.create_batch(count, district=district, network=network)
    for i, school in enumerate(schools):
        Measurement.objects.create(
            district=district,
            metric=metric,
            school=school,
            scope=Scope.SCHOOL,
            period_end=datetime.date(2026, 11, 27),
            value=Decimal(80 + i),
        )
    return schools


@pytest.fixture
def delete_in_background(django_capture_on_commit_callbacks):
    """Choose "Delete selected ... in the background" in the admin. A job's task is
    enqueued when the request's transaction commits; the test's transaction never
    does, so its on-commit callbacks are run when the request is done."""

    def choose(client, model, pks):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                url(model, "changelist"),
                {"action": "delete_in_background", "_selected_action": pks},
                follow=True,
            )

    return choose


def test_the_admin_deletes_schools_in_the_background_with_their_values(
    client_for, superuser, district, delete_in_background
):
    schools = schools_with_values(district)
    response = delete_in_background(
        client_for(superuser), School, [s.pk for s in schools[:2]]
    )
    assert "deleting 2 schools in the background" in response.text

    [job] = Job.objects.filter(district=district)
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 2, 2)
    assert job.requested_by == superuser
    assert list(School.objects.filter(district=district)) == [schools[2]]
    assert Measurement.objects.filter(district=district).count() == 1
    # The history names who asked, and the admin as the way the change came in.
    deleted = Measurement.history.filter(school_id=schools[0].pk, history_type="-")
    assert [(r.history_user, r.history_write_path) for r in deleted] == [
        (superuser, "admin")
    ]
    assert_rollups_fresh(district)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_a_queued_job_waits_for_the_worker_and_shows_its_progress(
    client_for, superuser, district, settings, delete_in_background
):
    settings.TASKS = DATABASE_BACKEND
    [school] = schools_with_values(district, count=1)
    admin = client_for(superuser)
    delete_in_background(admin, School, [school.pk])

    job = Job.objects.get(district=district)
    assert job.status == JobStatus.QUEUED
    assert School.objects.filter(pk=school.pk).exists()
    page = admin.get(url(Job, "changelist"))
    assert "0 of 1" in page.text and "Queued" in page.text

    call_command("db_worker", "--batch", "--no-startup-delay")

    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.DONE, 1)
    assert not School.objects.filter(pk=school.pk).exists()
    assert "1 of 1" in admin.get(url(Job, "changelist")).text


def test_a_failing_job_says_why_and_keeps_the_rows_not_yet_deleted(
    client_for, superuser, district, monkeypatch, delete_in_background
):
    schools = schools_with_values(district, count=2)

    def refuse(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(School, "delete", refuse)
    delete_in_background(client_for(superuser), School, [s.pk for s in schools])
    job = Job.objects.get(district=district)
    assert job.status == JobStatus.FAILED
    assert "the database went away" in job.error
    assert School.objects.filter(district=district).count() == 2


def test_metrics_are_deleted_in_the_background_too(
    client_for, superuser, district, delete_in_background
):
    schools_with_values(district)
    metric = Metric.objects.get(district=district)
    delete_in_background(client_for(superuser), Metric, [metric.pk])
    assert not Metric.objects.filter(pk=metric.pk).exists()
    assert not Measurement.objects.filter(district=district).exists()


def test_staff_see_only_their_districts_jobs_and_cannot_change_them(
    client_for, editor, district, other_district
):
    editor.is_staff = True
    editor.save()
    mine, theirs = JobFactory(district=district), JobFactory(district=other_district)
    client = client_for(editor)
    page = client.get(url(Job, "changelist"))
    assert mine.description in page.text
    assert theirs.description not in page.text
    assert client.get(url(Job, "change", theirs.pk)).status_code == 302
    assert client.post(url(Job, "delete", mine.pk), {"post": "yes"}).status_code == 403
    assert Job.objects.filter(pk=mine.pk).exists()


def test_an_editor_cannot_delete_another_districts_schools_in_the_background(
    client_for, editor, district, other_district, delete_in_background
):
    editor.is_staff = True
    editor.save()
    [theirs] = schools_with_values(other_district, count=1)
    delete_in_background(client_for(editor), School, [theirs.pk])
    assert School.objects.filter(pk=theirs.pk).exists()
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_refresh_rollups_in_the_background(
    district, settings, django_capture_on_commit_callbacks
):
    schools_with_values(district)
    Rollup.objects.filter(district=district).delete()
    settings.TASKS = DATABASE_BACKEND
    with django_capture_on_commit_callbacks(execute=True):
        call_command("refresh_rollups", "--district", district.slug, "--background")
    job = Job.objects.get(district=district)
    assert job.status == JobStatus.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Rollup.objects.filter(district=district).exists()
    assert_rollups_fresh(district)

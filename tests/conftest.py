"""Personas and clients shared by every test.

`viewer`, `editor` and `district_admin` are members of `district`; `outsider` is an
editor of `other_district`; `superuser` sees everything.
"""

import os

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from district.models import AccessLevel

from .factories import DistrictFactory, MembershipFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rendered page parts are not stored, so every request computes what it shows
    # (query counts included); tests/district/test_shared_parts.py turns it on.
    # Parts are keyed by district id and data version, which repeat from one test to
    # the next, so none is left from another test either.
    settings.SHARED_PART_SECONDS = 0
    caches["parts"].clear()
    # Tasks run inline, so a test sees their effect; tests of the worker itself
    # switch back to django_tasks_db.DatabaseBackend.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture
def district(db):
    return DistrictFactory(name="Lakeside Unified", slug="lakeside")


@pytest.fixture
def other_district(db):
    return DistrictFactory(name="Hillview Public Schools", slug="hillview")


def _member(district, username, level):
    user = UserFactory(username=username)
    MembershipFactory(district=district, user=user, access_level=level)
    return user


@pytest.fixture
def viewer(district):
    return _member(district, "viewer", AccessLevel.VIEWER)


@pytest.fixture
def editor(district):
    return _member(district, "editor", AccessLevel.EDITOR)


@pytest.fixture
def district_admin(district):
    return _member(district, "district_admin", AccessLevel.ADMIN)


@pytest.fixture
def outsider(other_district):
    return _member(other_district, "outsider", AccessLevel.EDITOR)


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def client_for(client, django_user_model):
    """A test client logged in as the given persona (None: anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def api_client_for():
    """A DRF test client authenticated as the given persona (None: anonymous)."""

    def make(user):
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        return c

    return make


def pytest_collection_modifyitems(config, items):
    """Leave out PostgreSQL-only tests on other databases (CI runs them on PostgreSQL).

    They are deselected, not skipped: under CI a skip is a failure, and the SQLite run
    has nothing to check for them.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI (LANES_CI set) every test must run: a skipped test is reported as failed."""
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("LANES_CI")
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI, which runs every test: {report.longrepr}"

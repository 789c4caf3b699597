#!/usr/bin/env python3
"""Time the ownership matrix page and a cell save at real size (200 rows x 12 roles).

    SECRET_KEY=x .venv/bin/python bench/matrix.py [--rows 200] [--roles 12] [--repeat 15]

Builds one district in a temporary test database (SQLite by default; PostgreSQL when
DATABASE_URL names one: the database gets Django's "test_" prefix and is dropped at
the end), with history for every row and cell, analyzes the tables (as a live database
would have them), then requests each page through Django's test client as an editor,
so the times are server times: middleware, view, queries and template, without a
network. Prints the median and fastest of --repeat runs and each request's query
count. Nothing is asserted.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from district.models import AccessLevel, District, Membership  # noqa: E402
from roles.matrix import build_matrix  # noqa: E402
from roles.models import (  # noqa: E402
    Ownership,
    RaciLevel,
    Responsibility,
    Role,
    RoleKind,
    WorkArea,
)

LEVELS = [RaciLevel.ACCOUNTABLE, RaciLevel.RESPONSIBLE, RaciLevel.CONSULTED]


def build_district(*, rows: int, roles: int, areas: int = 8):
    """A district with `rows` x `roles` cells, every cell set, all with history."""
    user = get_user_model().objects.create_user("bench-editor", password="not-used")
    district = District.objects.create(name="Bench district", slug="bench")
    Membership.objects.create(
        district=district, user=user, access_level=AccessLevel.EDITOR
    )
    role_objects = bulk_create_with_history(
        [
            Role(
                district=district,
                code=f"ROLE{index:02d}",
                title=f"Role {index}",
                kind=RoleKind.CABINET if index < 6 else RoleKind.NETWORK_CHIEF,
                sort_order=index,
            )
            for index in range(roles)
        ],
        Role,
        default_user=user,
    )
    area_objects = bulk_create_with_history(
        [
            WorkArea(district=district, name=f"Work area {index}", sort_order=index)
            for index in range(areas)
        ],
        WorkArea,
        default_user=user,
    )
    responsibilities = bulk_create_with_history(
        [
            Responsibility(
                district=district,
                work_area=area_objects[index % areas],
                name=f"Responsibility {index:03d}",
                is_joint=index % 10 == 0,
                sort_order=index,
            )
            for index in range(rows)
        ],
        Responsibility,
        default_user=user,
    )
    bulk_create_with_history(
        [
            Ownership(
                district=district,
                responsibility=row,
                role=role,
                level=LEVELS[(r + c) % 3] if c < 3 else RaciLevel.INFORMED,
            )
            for r, row in enumerate(responsibilities)
            for c, role in enumerate(role_objects)
        ],
        Ownership,
        default_user=user,
        batch_size=1000,
    )
    return district, user, role_objects, responsibilities


def measure(label: str, call, repeat: int) -> None:
    """Run `call` once to warm up, then `repeat` times; print times and queries."""
    result = call()
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = call()
            times.append((time.perf_counter() - start) * 1000)
    status = getattr(result, "status_code", None)
    if status is not None and status not in (200, 302):
        raise SystemExit(f"{label}: HTTP {status}")
    size = len(result.content) if status == 200 else 0
    print(
        f"{label:<44} median {statistics.median(times):7.1f} ms"
        f"   fastest {min(times):7.1f} ms   {len(queries):3d} queries"
        + (f"   {size / 1024:7.0f} KiB" if size else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--roles", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    logging.getLogger("lanes.requests").setLevel(logging.WARNING)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    # Not setup_test_environment(): it instruments template rendering, which would
    # inflate the page times; the test client only needs its host name allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        district, user, roles, rows = build_district(rows=args.rows, roles=args.roles)
        # Planner statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would
        # have them on a live database; without them history queries pick poor plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {args.rows} responsibilities x {args.roles} roles "
            f"({args.rows * args.roles} cells), {args.repeat} runs each"
        )
        client = Client()
        client.force_login(user)
        base = f"/districts/{district.slug}/matrix/"
        today = timezone.localdate().isoformat()

        measure("build_matrix() alone", lambda: build_matrix(district), args.repeat)
        measure("GET matrix page (editor)", lambda: client.get(base), args.repeat)
        measure(
            "GET matrix page, filtered (conflicts)",
            lambda: client.get(base + "?classification=conflict"),
            args.repeat,
        )
        measure(
            f"GET matrix page as of {today}",
            lambda: client.get(base + f"?as_of={today}"),
            args.repeat,
        )
        row, role = rows[len(rows) // 2], roles[1]
        url = f"{base}rows/{row.pk}/cells/{role.pk}/"
        cycle = iter(LEVELS * (args.repeat + 2))
        # Each save advances the row's version by one; nobody else writes here.
        version = [row.version]

        def save(**headers):
            response = client.post(
                url, {f"level-{role.pk}": next(cycle), "version": version[0]}, **headers
            )
            version[0] += 1
            return response

        measure(
            "POST cell save (htmx)", lambda: save(HTTP_HX_REQUEST="true"), args.repeat
        )
        measure("POST cell save (no JavaScript, redirect)", save, args.repeat)
        measure("GET export.csv", lambda: client.get(base + "export.csv"), args.repeat)
        measure(
            "GET export.xlsx", lambda: client.get(base + "export.xlsx"), args.repeat
        )
        measure(
            "GET changes (last 30 days)",
            lambda: client.get(base + "changes/"),
            args.repeat,
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

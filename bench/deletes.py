#!/usr/bin/env python3
"""Time deleting a school with its values, and a full refresh of the stored rollups.

    .venv/bin/python bench/deletes.py                      # 40 schools x 50 metrics x 260 weeks
    .venv/bin/python bench/deletes.py --schools 40 --repeat 5 --reuse

Generates a district (`generate_district`) in its own PostgreSQL database
(`lanes_bench_deletes`; --pg as for bench/run.py), so each school has metrics x weeks
values (13,000 at the defaults, as in a large district). Then, in this process, for
--repeat schools each: deletes the school through `School.delete()` (what the pages, the
API and the admin call) inside a transaction that is committed, and reports the wall
time, the CPU time of this process, the SQL statements run and the values removed;
once as Lanes does it (the values removed in batches, `goals/deletion.py`) and once
with Django's own cascade (the bulk removal switched off: one history INSERT per value),
alternating so that both see the same machine. Then times `refresh_rollups` on the
whole district --repeat times. Prints medians and p95; nothing is asserted.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import manage, migrated_env, ms, say  # noqa: E402

SLUG = "bench-deletes"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=40)
    parser.add_argument("--metrics", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--networks", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="lanes_bench_deletes")
    parser.add_argument("--reuse", action="store_true", help="keep the district")
    return parser.parse_args()


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {ms(statistics.median(ordered))} ms, p95 {ms(p95)} ms"


def main():
    args = parse_args()
    env = migrated_env(args.pg, args.database)
    needed = args.repeat * 2 + 1  # schools deleted, plus one that stays
    if args.schools < needed:
        sys.exit(f"--schools must be at least {needed} for --repeat {args.repeat}")
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.db import connection, transaction

    from district import deletion
    from district.models import District
    from goals.models import Measurement
    from goals.rollups import refresh_rollups

    district = District.objects.filter(slug=SLUG).first()
    if not (args.reuse and district and district.schools.count() >= needed):
        say(f"Generating {args.schools} x {args.metrics} x {args.weeks}")
        manage(
            env, "generate_district", f"--schools={args.schools}",
            f"--metrics={args.metrics}", f"--weeks={args.weeks}",
            f"--networks={args.networks}", "--responsibilities=10", "--roles=5",
            f"--slug={SLUG}", "--seed=1", "--replace",
        )  # fmt: skip
        district = District.objects.get(slug=SLUG)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE goals_measurement")

    def delete_one(school, *, bulk: bool) -> tuple[float, float, int, int]:
        values = Measurement.objects.filter(school=school).count()
        saved = dict(deletion._children)
        if not bulk:
            deletion._children.clear()
        try:
            statements = 0

            def count(execute, sql, params, many, context):
                nonlocal statements
                statements += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                started, cpu = time.perf_counter(), time.process_time()
                with transaction.atomic():
                    school.delete()
                wall = time.perf_counter() - started
                cpu = time.process_time() - cpu
        finally:
            deletion._children.clear()
            deletion._children.update(saved)
        return wall, cpu, statements, values

    schools = list(district.schools.order_by("pk")[: args.repeat * 2])
    results: dict[str, list[tuple[float, float, int, int]]] = {
        "bulk": [],
        "cascade": [],
    }
    say(f"load average {os.getloadavg()[0]:.1f} before the deletes")
    for i in range(args.repeat):
        for kind, school in (("bulk", schools[2 * i]), ("cascade", schools[2 * i + 1])):
            results[kind].append(delete_one(school, bulk=kind == "bulk"))
            wall, cpu, statements, values = results[kind][-1]
            say(
                f"{kind}: {values:,} values, {ms(wall)} ms wall, {ms(cpu)} ms CPU, "
                f"{statements:,} statements"
            )
    for kind, rows in results.items():
        print(
            f"Delete one school ({kind}): wall {summary([r[0] for r in rows])}; CPU "
            f"{summary([r[1] for r in rows])}; statements "
            f"{statistics.median(r[2] for r in rows):,.0f}; values "
            f"{statistics.median(r[3] for r in rows):,.0f} (n={len(rows)})"
        )
    refreshes, cpus = [], []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            refresh_rollups(district)
        refreshes.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    print(
        f"Full refresh ({district.schools.count()} schools): wall {summary(refreshes)}; "
        f"CPU {summary(cpus)} (n={args.repeat}); load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark Lanes at real scale on PostgreSQL and write docs/benchmarks.md.

    python bench/run.py                                  # 600 schools x 50 metrics x 260 weeks
    python bench/run.py --schools 600 --metrics 10 --weeks 260 --repeat 30
    python bench/run.py --reuse                          # keep the generated district

It creates (or reuses) the database `lanes_bench`, migrates it, generates a district
(`manage.py generate_district`), starts Lanes under gunicorn (2 workers, persistent
connections) and a minimal psycopg2 + JSON app under gunicorn next to it, then times
each key operation. For each it reports the server time of Lanes (from Lanes' request
log: the whole Django request), the time of the bare SQL the operation needs (bench/
sql.py, run directly with psycopg2), the time of the raw app serving that SQL as JSON
(client-measured over loopback), the ratios, and the number of SQL queries Lanes runs
(counted in-process with Django's test client on the same data).

Needs a local PostgreSQL reachable as --pg (default postgres://postgres@127.0.0.1:5432).
Only loopback addresses are used; every loop is bounded by --repeat.
"""

import argparse
import datetime
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sql  # noqa: E402
from harness import (  # noqa: E402
    PYTHON,
    machine,
    migrated_env,
    ms,
    results_section,
    say,
    start_server,
    write_report,
)

SLUG = "bench"
RESULTS_START = "<!-- results: written by bench/run.py -->"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=600)
    parser.add_argument("--metrics", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--networks", type=int, default=18)
    parser.add_argument("--responsibilities", type=int, default=200)
    parser.add_argument("--roles", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=30, help="requests per operation")
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="times every operation is timed in a row; the table gives their spread",
    )
    parser.add_argument("--bulk-repeat", type=int, default=5)
    parser.add_argument(
        "--slow-repeat",
        type=int,
        default=5,
        help="requests for an operation whose warm-up took over --slow-seconds",
    )
    parser.add_argument("--slow-seconds", type=float, default=3.0)
    parser.add_argument("--bulk-rows", type=int, default=10_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="lanes_bench")
    parser.add_argument("--port", type=int, default=8781)
    parser.add_argument("--raw-port", type=int, default=8782)
    parser.add_argument(
        "--reuse", action="store_true", help="keep an existing district"
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated operation keys (dashboard, metric_page, ...); "
        "prints the table instead of writing --output",
    )
    return parser.parse_args()


# --- Database and server setup ---


def generate(args, env) -> float | None:
    """Generate the district unless --reuse finds one; the seconds it took, or None."""
    expected = args.schools * args.metrics * args.weeks
    if args.reuse:
        with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM goals_measurement m JOIN district_district d "
                "ON d.id = m.district_id WHERE d.slug = %s",
                [SLUG],
            )
            if cursor.fetchone()[0] == expected:
                say(f"Reusing the generated district ({expected:,} measurements)")
                return None
    say(f"Generating {args.schools} x {args.metrics} x {args.weeks} = {expected:,}")
    started = time.monotonic()
    subprocess.run(
        [
            PYTHON, "manage.py", "generate_district", f"--schools={args.schools}",
            f"--metrics={args.metrics}", f"--weeks={args.weeks}",
            f"--networks={args.networks}", f"--responsibilities={args.responsibilities}",
            f"--roles={args.roles}", f"--slug={SLUG}", "--seed=1", "--replace",
        ],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    seconds = time.monotonic() - started
    conn = psycopg2.connect(env["DATABASE_URL"])
    conn.autocommit = True
    with conn.cursor() as cursor:
        # Sets the visibility map (index-only scans) and fresh statistics, as
        # autovacuum would shortly after a real load.
        cursor.execute("VACUUM ANALYZE goals_measurement")
    conn.close()
    return seconds


def ensure_autovacuum(pg: str) -> None:
    """Turn autovacuum on for the server if it is off: Lanes expects it (a table of
    rewritten rollups bloats without it), so a benchmark without it measures a setup
    nobody should run. `ALTER SYSTEM` needs a superuser; it lasts until reset."""
    conn = psycopg2.connect(f"{pg}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] != "on":
            say("autovacuum is off on this server; turning it on (ALTER SYSTEM)")
            cursor.execute("ALTER SYSTEM SET autovacuum = on")
            cursor.execute("SELECT pg_reload_conf()")
    conn.close()


# --- Django in this process: user, session, ids, query counts ---


def prepare(args, env) -> dict:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the in-process request log would repeat the table
    from django.contrib.auth import get_user_model
    from django.test import Client

    from district.models import AccessLevel, District, Membership
    from goals.dashboards import as_of_date, school_years
    from goals.models import Metric
    from roles.models import Ownership

    district = District.objects.get(slug=SLUG)
    user, _created = get_user_model().objects.get_or_create(username="bench")
    Membership.objects.update_or_create(
        district=district, user=user, defaults={"access_level": AccessLevel.EDITOR}
    )
    client = Client()
    client.force_login(user)
    metrics = list(Metric.objects.filter(district=district).order_by("sort_order"))
    cell = (
        Ownership.objects.filter(district=district)
        .order_by("responsibility__sort_order", "pk")
        .first()
    )
    as_of = as_of_date(school_years(district)[0])
    return {
        "district": district,
        "session": client.cookies["sessionid"].value,
        "client": client,
        # A metric in the middle of the load order: the first one's rows come first in
        # id order, which flatters a page in id order.
        "metric": metrics[len(metrics) // 2],
        "metric_ids": [m.pk for m in metrics],
        "network": district.networks.order_by("pk").first(),
        "row": cell.responsibility_id,
        "role": cell.role_id,
        "min_n": district.suppression_min_n,
        "as_of": as_of,
    }


def bulk_rows(args, env, context, round_: int) -> list[dict]:
    """`--bulk-rows` school values of the latest weeks: updates of existing rows.

    Consecutive rounds alternate the value, so every round changes every row: the
    upsert is timed and its queries counted while it writes, never as a no-op.
    """
    with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT mt.code, s.school_id, m.period_end FROM goals_measurement m "
            "JOIN goals_metric mt ON mt.id = m.metric_id "
            "JOIN district_school s ON s.id = m.school_id "
            "WHERE m.district_id = %s ORDER BY m.period_end DESC, mt.sort_order, "
            "s.school_id LIMIT %s",
            [context["district"].pk, args.bulk_rows],
        )
        keys = cursor.fetchall()
    value = 50 + round_ % 2  # valid in every unit; alternates so each round writes
    return [
        {"metric": code, "school_id": school, "period_end": str(period),
         "value": value, "n": 100}
        for code, school, period in keys
    ]  # fmt: skip


def row_version(env, row: int) -> int:
    with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT version FROM roles_responsibility WHERE id = %s", [row])
        return cursor.fetchone()[0]


def operations(args, env, context) -> list[dict]:
    """Each operation: its Lanes request(s), its bare SQL parameters, and its raw call."""
    district = context["district"]
    slug, metric, network = district.slug, context["metric"], context["network"]
    read = {
        "district": district.pk,
        "metrics": context["metric_ids"],
        "metric": metric.pk,
        "network": network.pk,
        "until": str(context["as_of"]),
        "min_n": context["min_n"],
    }
    cells = f"/districts/{slug}/matrix/rows/{context['row']}/cells/{context['role']}/"

    def cell_request(i):
        level = "C" if i % 2 else "I"
        version = row_version(env, context["row"])
        form = {"level": level, f"level-{context['role']}": level, "version": version}
        params = {"district": district.pk, "row": context["row"],
                  "role": context["role"], "level": level, "version": version}  # fmt: skip
        return ("POST", cells, urlencode(form), "form", params)

    rounds = itertools.count()

    def bulk_request(i):
        # Every call (warm-up, timed, bare SQL, raw view, query count) writes the
        # other value than the call before it, whatever `i` is.
        rows = bulk_rows(args, env, context, next(rounds))
        body = json.dumps({"district": slug, "rows": rows})
        return ("POST", "/api/v1/measurements/bulk/", body, "json",
                {"district": district.pk, "rows": rows,
                 "min_n": context["min_n"]})  # fmt: skip

    def get(path):
        return lambda i: ("GET", path, None, None, read)

    as_of = context["as_of"]
    return [
        {"name": "Dashboard (district)", "key": "dashboard",
         "request": get(f"/districts/{slug}/dashboard/")},
        {"name": "Metric page with network table", "key": "metric_page",
         "request": get(f"/districts/{slug}/metrics/{metric.pk}/")},
        {"name": "Network scorecard", "key": "network_scorecard",
         "request": get(f"/districts/{slug}/networks/{network.pk}/")},
        {"name": "Network scorecard's trend charts (htmx, after the page)",
         "key": "network_trends", "htmx": True,
         "request": get(f"/districts/{slug}/networks/{network.pk}/trends/")},
        {"name": f"Matrix page ({args.responsibilities} x {args.roles})",
         "key": "matrix", "request": get(f"/districts/{slug}/matrix/")},
        {"name": "Matrix cell save (htmx)", "key": "cell_save", "htmx": True,
         "request": cell_request},
        {"name": "API: list measurements, one metric, page of 100", "key": "api_list",
         "request": get(f"/api/v1/measurements/?district={slug}&metric={metric.pk}"
                        "&limit=100")},
        {"name": "API: dashboard summary", "key": "api_dashboard",
         "request": get(f"/api/v1/districts/{slug}/dashboard/?as_of={as_of}")},
        {"name": f"API: bulk upsert of {args.bulk_rows:,} rows", "key": "bulk_upsert",
         "request": bulk_request, "repeat": args.bulk_repeat},
    ]  # fmt: skip


def count_queries(context, op) -> tuple[int, int]:
    """The SQL queries and the status of one in-process request of `op`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    method, path, body, kind, _params = op["request"](0)
    client = context["client"]
    headers = {"HX-Request": "true"} if op.get("htmx") else {}
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(path, headers=headers)
        else:
            content_type = (
                "application/json" if kind == "json"
                else "application/x-www-form-urlencoded"
            )  # fmt: skip
            response = client.generic(
                method, path, body, content_type=content_type, headers=headers
            )
    return len(queries.captured_queries), response.status_code


# --- Timing ---


class Http:
    """One keep-alive connection to a server on loopback."""

    def __init__(self, port: int, cookie: str = ""):
        self.port, self.cookie = port, cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def send(self, method, path, body=None, kind=None, extra=None) -> tuple[float, int]:
        headers = {"Host": "127.0.0.1", **(extra or {})}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if kind == "json":
            headers["Content-Type"] = "application/json"
        elif kind == "form":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST" and self.cookie:
            headers["X-CSRFToken"] = CSRF_SECRET
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        return time.perf_counter() - started, response.status


CSRF_SECRET = "b" * 32  # a valid unmasked CSRF secret, sent as cookie and header


class RequestLog:
    """Lanes' JSON request log (one line per request, with duration_ms), read as it grows."""

    def __init__(self, path: Path):
        self.file = path.open()

    def durations(self, path: str) -> list[tuple[float, float]]:
        """(wall seconds, CPU seconds) of each request of `path` logged since last read."""
        found = []
        for line in self.file.readlines():
            if '"lanes.requests"' not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("path") == path:
                found.append(
                    (record["duration_ms"] / 1000, record.get("cpu_ms", 0.0) / 1000)
                )
        return found


def summary(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def time_bare_sql(env, op, repeat: int) -> list[float]:
    conn = psycopg2.connect(env["DATABASE_URL"])
    function = sql.OPERATIONS[op["key"]]
    times = []
    for i in range(repeat):
        _method, _path, _body, _kind, params = op["request"](i)
        with conn.cursor() as cursor:
            started = time.perf_counter()
            function(cursor, params)
            conn.commit()
            times.append(time.perf_counter() - started)
    conn.close()
    return times


def run_operation(args, env, context, op, lanes: Http, raw: Http, log: RequestLog):
    load = os.getloadavg()[0]
    headers = {"HX-Request": "true"} if op.get("htmx") else {}
    method, path, body, kind, _params = op["request"](-1)
    warm_up, status = lanes.send(method, path, body, kind, headers)
    statuses = {status}
    repeat = op.get("repeat", args.repeat)
    if warm_up > args.slow_seconds:
        repeat = min(repeat, args.slow_repeat)  # bounded run time on slow operations
    client_times = []
    for i in range(repeat):
        method, path, body, kind, _params = op["request"](i)
        seconds, status = lanes.send(method, path, body, kind, headers)
        statuses.add(status)
        client_times.append(seconds)
    time.sleep(0.2)
    logged = log.durations(path.split("?")[0])[1:]
    server_times = [wall for wall, _cpu in logged]
    cpu_times = [cpu for _wall, cpu in logged]
    bare = time_bare_sql(env, op, repeat)
    raw_times = []
    for i in range(-1 if warm_up <= args.slow_seconds else 0, repeat):
        _method, _path, _body, _kind, params = op["request"](i)
        seconds, status = raw.send(
            "POST", f"/{op['key']}", json.dumps(params, default=str), "json"
        )
        if status != 200:
            sys.exit(f"The raw app answered {status} for {op['key']}")
        if i >= 0:
            raw_times.append(seconds)
    queries, _status = count_queries(context, op)
    return {
        "name": op["name"],
        "statuses": sorted(statuses),
        "lanes": summary(server_times or client_times),
        "lanes_all": server_times or client_times,
        "cpu": summary(cpu_times) if cpu_times else (0.0, 0.0),
        "client": summary(client_times),
        "bare": summary(bare),
        "raw": summary(raw_times),
        "queries": queries,
        "repeat": repeat,
        "load": load,
    }


def not_modified(context, lanes: Http, log: RequestLog, repeat: int) -> dict:
    path = f"/districts/{SLUG}/dashboard/"
    lanes.conn.request(
        "GET", path, headers={"Host": "127.0.0.1", "Cookie": lanes.cookie}
    )
    response = lanes.conn.getresponse()
    response.read()
    etag = response.getheader("ETag")
    times, statuses = [], set()
    for _ in range(repeat):
        seconds, status = lanes.send("GET", path, extra={"If-None-Match": etag})
        times.append(seconds)
        statuses.add(status)
    time.sleep(0.2)
    logged = log.durations(path)[-repeat:]
    server = [wall for wall, _cpu in logged]
    return {
        "statuses": sorted(statuses),
        "lanes": summary(server or times),
        "lanes_all": server or times,
        "cpu": summary([cpu for _wall, cpu in logged]) if logged else (0.0, 0.0),
        "load": os.getloadavg()[0],
    }


def combine(runs: list[dict]) -> dict:
    """One operation over several runs: the median of the run medians, their spread,
    the p95 over every request of every run, and the load average at each run's start."""
    medians = [run["lanes"][0] for run in runs]
    pooled = [seconds for run in runs for seconds in run["lanes_all"]]
    return {
        **runs[-1],
        "lanes": (statistics.median(medians), summary(pooled)[1]),
        "spread": (min(medians), max(medians)),
        "cpu": (statistics.median(run["cpu"][0] for run in runs), 0.0),
        "bare": (statistics.median(run["bare"][0] for run in runs), 0.0)
        if "bare" in runs[-1]
        else None,
        "raw": (statistics.median(run["raw"][0] for run in runs), 0.0)
        if "raw" in runs[-1]
        else None,
        "loads": [run["load"] for run in runs],
        "runs": len(runs),
    }


# --- Report ---


def measurement_table_size(env) -> str:
    """The size of the measurements table with its indexes."""
    with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('goals_measurement'))"
        )
        return cursor.fetchone()[0]


def loads(values: list[float]) -> str:
    return " / ".join(f"{value:.1f}" for value in values)


def report(args, results, modified, info, generation, counts) -> str:
    lines = [
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d}: {info['cpu']}, {info['cores']} cores, "
        f"{info['ram']} RAM, PostgreSQL {info['postgres']}, Python {info['python']}; "
        f"load average at the end {info['load'][0]:.1f} (the machine is shared).",
        "",
        f"Data: {counts} (`goals_measurement` {info['table_size']} with indexes). "
        + (
            f"Generated in {generation:.0f} s by `generate_district`."
            if generation is not None
            else "Generated by an earlier run (`--reuse`)."
        ),
        "",
        f"Times in ms. Every operation was timed in {args.runs} runs in a row; each run "
        f"sends {args.repeat} requests after one warm-up request ({args.bulk_repeat} for "
        f"the bulk upsert, which writes every row each time; {args.slow_repeat} for an "
        f"operation whose warm-up took over {args.slow_seconds:g} s, column n). Lanes "
        "median: the median of the runs' medians, with the lowest and highest run "
        "median; p95 over every request of every run; CPU: the median CPU time of the "
        "request's thread (the rest of the wall time is waiting, mostly on "
        "PostgreSQL); load: the 1-minute load average as each run started.",
        "",
        "| Operation | n | Lanes median | runs' spread | Lanes p95 | CPU median "
        "| Queries | Bare SQL median | Raw view median | Lanes / bare SQL "
        "| Lanes / raw view | Load | Status |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        lanes, bare, raw = r["lanes"][0], r["bare"][0], r["raw"][0]
        low, high = r["spread"]
        lines.append(
            f"| {r['name']} | {r['repeat']} | {ms(lanes)} | {ms(low)}-{ms(high)} "
            f"| {ms(r['lanes'][1])} | {ms(r['cpu'][0])} | {r['queries']} "
            f"| {ms(bare)} | {ms(raw)} | {lanes / bare:.1f} | {lanes / raw:.1f} "
            f"| {loads(r['loads'])} | {', '.join(map(str, r['statuses']))} |"
        )
    if modified is not None:
        low, high = modified["spread"]
        lines.append(
            f"| Dashboard, unchanged (If-None-Match) | {args.repeat} "
            f"| {ms(modified['lanes'][0])} | {ms(low)}-{ms(high)} "
            f"| {ms(modified['lanes'][1])} | {ms(modified['cpu'][0])} | | | | | "
            f"| {loads(modified['loads'])} "
            f"| {', '.join(map(str, modified['statuses']))} |"
        )
    return results_section(RESULTS_START, lines)


def main():
    args = parse_args()
    ensure_autovacuum(args.pg)
    env = migrated_env(args.pg, args.database)
    generation = generate(args, env)
    context = prepare(args, env)
    cookie = f"sessionid={context['session']}; csrftoken={CSRF_SECRET}"
    logs = ROOT / "bench" / "logs"
    logs.mkdir(exist_ok=True)
    lanes_log, raw_log = logs / "lanes.log", logs / "raw.log"
    gunicorn = [PYTHON, "-m", "gunicorn", "--workers=2", "--timeout=600"]
    lanes_server = start_server(
        [*gunicorn, f"--bind=127.0.0.1:{args.port}", "config.wsgi:application"],
        env, lanes_log, args.port,
    )  # fmt: skip
    raw_env = {**env, "BENCH_DSN": env["DATABASE_URL"]}
    raw_server = start_server(
        [*gunicorn, f"--bind=127.0.0.1:{args.raw_port}", "--chdir=bench",
         "rawapp:application"],
        raw_env, raw_log, args.raw_port,
    )  # fmt: skip
    try:
        log = RequestLog(lanes_log)
        lanes, raw = Http(args.port, cookie), Http(args.raw_port)
        only = {key for key in args.only.split(",") if key}
        chosen = [
            op for op in operations(args, env, context) if not only or op["key"] in only
        ]
        runs: dict[str, list[dict]] = {op["key"]: [] for op in chosen}
        unchanged_runs: list[dict] = []
        for number in range(1, args.runs + 1):
            for op in chosen:
                say(f"Run {number}/{args.runs}, timing: {op['name']}")
                r = run_operation(args, env, context, op, lanes, raw, log)
                runs[op["key"]].append(r)
                say(
                    f"  Lanes {ms(r['lanes'][0])} ms (p95 {ms(r['lanes'][1])}, CPU "
                    f"{ms(r['cpu'][0])}), {r['queries']} queries, bare SQL "
                    f"{ms(r['bare'][0])} ms, raw view {ms(r['raw'][0])} ms, "
                    f"load {r['load']:.1f}, status {r['statuses']}"
                )
            if not only:
                unchanged_runs.append(not_modified(context, lanes, log, args.repeat))
        results = [combine(runs[op["key"]]) for op in chosen]
        modified = combine(unchanged_runs) if unchanged_runs else None
    finally:
        lanes_server.terminate()
        raw_server.terminate()
        lanes_server.wait(30)
        raw_server.wait(30)
    counts = (
        f"{args.schools:,} schools in {args.networks} networks, {args.metrics} weekly "
        f"metrics, {args.weeks} weeks: {args.schools * args.metrics * args.weeks:,} "
        f"measurements; matrix {args.responsibilities} responsibilities x "
        f"{args.roles} roles"
    )
    info = {**machine(env), "table_size": measurement_table_size(env)}
    text = report(args, results, modified, info, generation, counts)
    if not only:
        write_report(Path(args.output), text, start=RESULTS_START, title="Benchmarks")
    print(text)


if __name__ == "__main__":
    main()

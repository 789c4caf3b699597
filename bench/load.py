#!/usr/bin/env python3
"""Load-test Lanes: many users at once on gunicorn and PostgreSQL, the demo district.

    .venv/bin/python bench/load.py                       # 32 users for 60 s
    .venv/bin/python bench/load.py --users 32 --seconds 60 --workers 3 --write docs/load.md

It creates (or reuses) the database `lanes_load`, migrates it, loads the demo district
(`manage.py load_demo`, slug `cps`; running it again changes nothing), gives the demo
editor a read token for the API, and starts Lanes under gunicorn (--workers processes
with --threads threads each, persistent database connections). Then --users virtual
users, each signed in as the demo editor with its own session and a keep-alive
connection, repeat a mix of operations for --seconds:

- the shared-metric dashboard (GET /districts/cps/dashboard/),
- the ownership matrix (GET /districts/cps/matrix/),
- a matrix cell save as the page's htmx sends it (POST .../rows/<pk>/cells/<role>/
  with HX-Request, the CSRF token and the row version the user last saw). A stale
  version answers 409, which is the product refusing a lost update: it is counted
  apart, the user refetches the row's version (GET /api/v1/responsibilities/<pk>/)
  and saves once more;
- API lists with the token (schools, measurements, ownerships, metrics).

Every other status, and any connection error or timeout, is an error. The report gives
per operation the requests, errors, 409s, throughput and p50/p95/p99 latency (client
side, over loopback), and the totals; --write replaces the results section of a
Markdown file.

Security stays on: django-axes counts failed logins only, and every user logs in with
the right password; the API rate limits are raised for this run through the
environment variables API_THROTTLE_USER and API_THROTTLE_TOKEN (--api-rate), as an
operator would for a trusted integration, not in code.

Before the timed run it waits (checking every minute, up to --wait-minutes) while
another benchmark (`bench/run.py`) is running, and notes in the report if it had to
run alongside it. Only loopback addresses are used.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from harness import (
    PYTHON,
    ROOT,
    machine,
    manage,
    migrated_env,
    ms,
    results_section,
    say,
    start_server,
    write_report,
)

SLUG = "cps"
DEMO_USER = "editor"
RESULTS_START = "<!-- results: written by bench/load.py -->"
LEVELS = ["R", "A", "C", "I", ""]
# Operations and their weights in the mix.
MIX = {
    "dashboard": 2,
    "matrix": 2,
    "cell save": 2,
    "API schools": 1,
    "API measurements": 1,
    "API ownerships": 1,
    "API metrics": 1,
}
API_LISTS = {
    "API schools": "/api/v1/schools/?limit=100",
    "API measurements": "/api/v1/measurements/?limit=100",
    "API ownerships": "/api/v1/ownerships/?limit=100",
    "API metrics": "/api/v1/metrics/?limit=100",
}
REFETCH = "row refetch (after 409)"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="lanes_load")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--password", default="lanes-load-demo")
    parser.add_argument(
        "--api-rate",
        default="100000/minute",
        help="API_THROTTLE_USER and API_THROTTLE_TOKEN for the server",
    )
    parser.add_argument("--wait-minutes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--write", default="", help="Markdown file whose results section to replace"
    )
    return parser.parse_args()


# --- Database and server ---


TOKEN_CODE = """
from django.contrib.auth import get_user_model
from tokens.models import ApiToken, create_token, revoke_token
user = get_user_model().objects.get(username={user!r})
for old in ApiToken.objects.active().filter(user=user, name="load test"):
    revoke_token(token=old, acting_user=user)
print(create_token(user=user, name="load test", scope="read")[1])
"""


def api_key(env) -> str:
    """A new read token of the demo editor (earlier load-test tokens revoked)."""
    output = manage(env, "shell", "-c", TOKEN_CODE.format(user=DEMO_USER), capture=True)
    return output.strip().splitlines()[-1]


def other_benchmark_running() -> bool:
    found = subprocess.run(["pgrep", "-f", "bench/run.py"], capture_output=True)
    return found.returncode == 0


def wait_for_other_benchmark(minutes: int) -> str:
    """Wait while bench/run.py runs; a note for the report on what happened."""
    waited = 0
    while other_benchmark_running():
        if waited >= minutes:
            say("bench/run.py is still running: running alongside it")
            return (
                f"bench/run.py was still running after {minutes} minutes of waiting; "
                "this run shared the machine with it (contention)."
            )
        say("bench/run.py is running: waiting a minute")
        time.sleep(60)
        waited += 1
    if waited:
        return f"Waited {waited} minute(s) for bench/run.py to finish; no contention."
    return "No other benchmark was running."


# --- Virtual users ---


@dataclass
class Results:
    """Latencies and outcomes per operation, shared by all users (under a lock)."""

    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    errors: dict = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, operation, seconds, status, error=None):
        with self.lock:
            self.latencies[operation].append(seconds)
            self.statuses[operation][status] += 1
            if error is not None:
                self.errors[operation].append(error)


class User:
    """One signed-in browser session with a keep-alive connection, and the API token."""

    def __init__(self, port: int, key: str, password: str, rng: random.Random):
        self.port = port
        self.key = key
        self.password = password
        self.rng = rng
        self.cookies: dict[str, str] = {}
        self.versions: dict[int, int] = {}  # row pk -> version last seen
        self.cells: list[tuple[int, int]] = []
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(body)
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
            ):
                # The server closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content.decode("utf-8", "replace")

    def log_in(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "username": DEMO_USER,
                "password": self.password,
                "csrfmiddlewaretoken": token,
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed ({status})")
        self.read_matrix(self.request("GET", f"/districts/{SLUG}/matrix/")[1])
        if not self.cells:
            raise RuntimeError("the matrix page offers no editable cell")

    def read_matrix(self, page: str) -> None:
        """Note each row's version and every editable cell from the matrix page."""
        self.versions = {
            int(pk): int(version)
            for version, pk in re.findall(
                r'name="version" value="(\d+)" id="version-(\d+)"', page
            )
        }
        self.cells = sorted(
            {(int(r), int(c)) for r, c in re.findall(r'id="cell-(\d+)-(\d+)"', page)}
        )

    def timed(
        self, results, operation, method, path, body=None, headers=None, ok=(200,)
    ):
        started = time.perf_counter()
        try:
            status, content = self.request(method, path, body, headers)
        except Exception as error:  # a connection error or timeout is an error
            results.record(
                operation, time.perf_counter() - started, "exception", repr(error)
            )
            self.connection.close()
            return None, ""
        elapsed = time.perf_counter() - started
        error = None if status in ok else f"{status} {path}: {content[:200]!r}"
        results.record(operation, elapsed, status, error)
        return status, content

    def save_cell(self, results) -> None:
        row, role = self.rng.choice(self.cells)
        for _attempt in range(2):
            status, content = self.timed(
                results,
                "cell save",
                "POST",
                f"/districts/{SLUG}/matrix/rows/{row}/cells/{role}/",
                {
                    f"level-{role}": self.rng.choice(LEVELS),
                    "version": self.versions[row],
                },
                {"HX-Request": "true", "X-CSRFToken": self.cookies["csrftoken"]},
                ok=(200, 409),
            )
            if status == 200:
                found = re.search(rf'value="(\d+)" id="version-{row}"', content)
                if found:
                    self.versions[row] = int(found[1])
                return
            if status != 409:
                return
            # Stale: someone saved this row since; read its version and try again.
            status, content = self.timed(
                results,
                REFETCH,
                "GET",
                f"/api/v1/responsibilities/{row}/",
                headers={"Authorization": f"Token {self.key}"},
            )
            if status != 200:
                return
            self.versions[row] = json.loads(content)["version"]

    def step(self, results) -> None:
        operation = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if operation == "dashboard":
            self.timed(results, operation, "GET", f"/districts/{SLUG}/dashboard/")
        elif operation == "matrix":
            status, page = self.timed(
                results, operation, "GET", f"/districts/{SLUG}/matrix/"
            )
            if status == 200:
                self.read_matrix(page)
        elif operation == "cell save":
            self.save_cell(results)
        else:
            self.timed(
                results,
                operation,
                "GET",
                API_LISTS[operation],
                headers={"Authorization": f"Token {self.key}"},
            )


def sign_in(args, key: str) -> list[User]:
    users = [
        User(args.port, key, args.password, random.Random(args.seed * 1000 + n))
        for n in range(args.users)
    ]
    say(f"Signing in {args.users} users")
    for user in users:
        user.log_in()
    return users


def run_load(args, users: list[User]) -> tuple[Results, float]:
    results = Results()
    start = threading.Barrier(args.users + 1)
    deadline = [0.0]

    def loop(user):
        start.wait()
        while time.perf_counter() < deadline[0]:
            try:
                user.step(results)
            except Exception as error:  # a fault of the client: reported, not hidden
                results.record("client", 0.0, "exception", repr(error))

    threads = [threading.Thread(target=loop, args=(u,), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    say(f"Running {args.users} users for {args.seconds:g} s")
    began = time.perf_counter()
    deadline[0] = began + args.seconds
    start.wait()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - began


# --- Report ---


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with q% of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def operation_of(method: str, path: str) -> str | None:
    """The operation a logged request belongs to, or None (sign-in, static files)."""
    if method == "POST" and re.fullmatch(
        rf"/districts/{SLUG}/matrix/rows/\d+/cells/\d+/", path
    ):
        return "cell save"
    if method != "GET":
        return None
    if path == f"/districts/{SLUG}/dashboard/":
        return "dashboard"
    if path == f"/districts/{SLUG}/matrix/":
        return "matrix"
    if re.fullmatch(r"/api/v1/responsibilities/\d+/", path):
        return REFETCH
    lists = {url.split("?")[0]: name for name, url in API_LISTS.items()}
    return lists.get(path)


def server_times(log: Path, offset: int) -> dict[str, list[float]]:
    """Server-side durations (seconds) per operation from Lanes' JSON request log,
    from byte `offset` on: the time Django spent, without the client and the queue."""
    times = defaultdict(list)
    with log.open("rb") as lines:
        lines.seek(offset)
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("logger") != "lanes.requests":
                continue
            operation = operation_of(record["method"], record["path"])
            if operation is not None:
                times[operation].append(record["duration_ms"] / 1000)
    return times


def report(
    args, results: Results, elapsed: float, info: dict, note: str, load, server
) -> str:
    order = [*MIX, REFETCH]
    total = sum(len(v) for v in results.latencies.values())
    errors = sum(len(v) for v in results.errors.values())
    stale = sum(c.get(409, 0) for c in results.statuses.values())
    lines = [
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: "
        f"{info['cpu']}, {info['cores']} cores, {info['ram']} RAM, "
        f"PostgreSQL {info['postgres']}, Python {info['python']}. "
        f"gunicorn {args.workers} workers x {args.threads} threads (gthread), "
        f"{args.users} users for {args.seconds:g} s (measured {elapsed:.1f} s), client "
        f"and server on the same machine over loopback. Load average before / after: "
        f"{load[0]:.2f} / {load[1]:.2f}. {note}",
        "",
        f"Command: `.venv/bin/python bench/load.py --users {args.users} "
        f"--seconds {args.seconds:g} --workers {args.workers} --threads {args.threads}`",
        "",
        f"**Total: {total:,} requests, {total / elapsed:,.1f} per second, "
        f"{errors} errors, {stale} stale cell saves refused with 409.**",
        "",
        "Latencies in ms as the client saw them (p50 / p95 / p99, including the wait for a "
        "free server thread), and the server's own time from Lanes' request log "
        "(p50 / p95, `duration_ms`).",
        "",
        "| Operation | Requests | Per second | Errors | 409 stale | p50 | p95 | p99 "
        "| Server p50 | Server p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for operation in order:
        values = results.latencies.get(operation)
        if not values:
            continue
        lines.append(
            f"| {operation} | {len(values):,} | {len(values) / elapsed:,.1f} "
            f"| {len(results.errors.get(operation, []))} "
            f"| {results.statuses[operation].get(409, 0)} "
            f"| {ms(percentile(values, 50))} | {ms(percentile(values, 95))} "
            f"| {ms(percentile(values, 99))} "
            + (
                f"| {ms(percentile(server[operation], 50))} "
                f"| {ms(percentile(server[operation], 95))} |"
                if server.get(operation)
                else "| | |"
            )
        )
    for operation, messages in results.errors.items():
        for message in messages[:3]:
            lines.append(f"\nError in {operation}: `{message}`")
    return results_section(RESULTS_START, lines)


def main():
    args = parse_args()
    env = migrated_env(
        args.pg,
        args.database,
        api_rate=args.api_rate,
        # Plain HTTP on loopback: the cookies cannot require HTTPS here.
        SESSION_COOKIE_SECURE="off",
        CSRF_COOKIE_SECURE="off",
        LANES_DEMO_PASSWORD=args.password,
    )
    say("Loading the demo district")
    manage(env, "load_demo", "--password", args.password)
    key = api_key(env)
    note = wait_for_other_benchmark(args.wait_minutes)
    logs = ROOT / "bench" / "logs"
    logs.mkdir(exist_ok=True)
    log = logs / "load-gunicorn.log"
    server = start_server(
        [PYTHON, "-m", "gunicorn", f"--workers={args.workers}",
         "--worker-class=gthread", f"--threads={args.threads}", "--timeout=120",
         f"--bind=127.0.0.1:{args.port}", "config.wsgi:application"],
        env, log, args.port,
    )  # fmt: skip
    try:
        users = sign_in(args, key)
        offset = log.stat().st_size
        load_before = os.getloadavg()[0]
        results, elapsed = run_load(args, users)
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(30)
    loads = (load_before, load_after)
    server_time = server_times(log, offset)
    text = report(args, results, elapsed, machine(env), note, loads, server_time)
    if args.write:
        write_report(Path(args.write), text, start=RESULTS_START, title="Load test")
    print(text)
    errors = sum(len(v) for v in results.errors.values())
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

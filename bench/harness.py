"""What the benchmark scripts share: the database, the environment Lanes runs in,
`manage.py`, starting a server, the machine's description and the report's place in
its document."""

import http.client
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
RESULTS_END = "<!-- end of results -->"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_database(pg: str, database: str) -> None:
    """Create `database` on the server `pg` unless it exists, with the planner set up."""
    admin = psycopg2.connect(f"{pg}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{database}"')
        # The usual value on SSDs; with the default 4 the planner pages API lists of
        # one metric through the primary key instead of (metric, id) (docs/benchmarks.md).
        cursor.execute(f'ALTER DATABASE "{database}" SET random_page_cost = 1.1')
    admin.close()


def lanes_env(
    database_url: str, *, api_rate: str = "1000000/minute", **settings: str
) -> dict:
    """The environment Lanes runs in for a benchmark: production settings on loopback,
    API requests limited to `api_rate` per user or token, plus `settings`."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production",
        "DEBUG": "off",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "CONN_MAX_AGE": "600",
        # gunicorn workers share API throttle counts only through a shared cache.
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/1"),
        "LOG_LEVEL": "INFO",
        "API_THROTTLE_USER": api_rate,
        "API_THROTTLE_TOKEN": api_rate,
        **settings,
    }


def migrated_env(pg: str, database: str, **settings: str) -> dict:
    """Create and migrate `database`; the environment Lanes runs in against it."""
    env = lanes_env(f"{pg}/{database}", **settings)
    ensure_database(pg, database)
    say(f"Migrating {database}")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    return env


def manage(env: dict, *arguments: str, capture: bool = False) -> str:
    """Run `manage.py` with `arguments`; its output when `capture`."""
    done = subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        text=True,
    )
    return done.stdout or ""


def start_server(
    command: list[str], env: dict, log: Path, port: int
) -> subprocess.Popen:
    """Start `command` and wait until it answers on `port` (exit if it never does)."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    for _ in range(300):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return process
        except OSError:
            if process.poll() is not None:
                sys.exit(f"{command[0]} stopped; see {log}")
            time.sleep(0.1)
    process.terminate()
    sys.exit(f"Nothing answers on port {port}; see {log}")


def machine(env: dict) -> dict:
    """The machine and PostgreSQL the benchmark ran on."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    with psycopg2.connect(env["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": f"{memory / 1024 / 1024:.0f} GiB",
        "postgres": version,
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def ms(seconds: float) -> str:
    """Seconds as milliseconds: whole ones from 10 ms, else one decimal."""
    value = seconds * 1000
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def results_section(start: str, lines: list[str]) -> str:
    """A report's `lines` between its start marker and RESULTS_END."""
    return "\n".join([start, "", *lines, "", RESULTS_END])


def write_report(path: Path, text: str, *, start: str, title: str) -> None:
    """Put `text` between `start` and RESULTS_END in the document `path`, or append it."""
    current = path.read_text() if path.exists() else f"# {title}\n\n"
    if start in current and RESULTS_END in current:
        before = current.split(start)[0]
        after = current.split(RESULTS_END, 1)[1]
        current = before + text + after
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(current)

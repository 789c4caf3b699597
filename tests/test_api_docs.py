"""docs/api.md runs as written: every shell block, in order, against a fresh demo.

As a reader would after `python3 dev.py run`: a server on a new SQLite database with the
demo loaded, then each `sh` block of the page in one shell at the root of the clone.
Only the server's address (`http://127.0.0.1:8000`) and the virtual environment's
interpreter (`.venv/bin/python`) are replaced, by the test server's and this one's.
Every `curl` answers the status written after it (`# → 201`), in the page's order.

The README and the other pages are checked for what made examples fail on a fresh clone:
a bare `python manage.py` (no virtual environment, no settings).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"
DOCUMENTED_BASE = "http://127.0.0.1:8000"
DOCUMENTED_PYTHON = ".venv/bin/python"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
STATUS = re.compile(r"#\s*→\s*(\d{3})")
CURL = re.compile(r"(?:^|[\s($|])curl\s")
# Each curl's status goes to stderr, so what the examples capture or pipe is untouched.
PRELUDE = "set -eo pipefail\ncurl() { command curl -w '%{stderr}STATUS %{http_code}\\n' \"$@\"; }\n"


def shell_blocks(path: Path) -> list[str]:
    return SH_BLOCK.findall(path.read_text(encoding="utf-8"))


def code_and_comment(line: str) -> tuple[str, str]:
    """A shell line's command part and its trailing comment (no `#` inside quotes here)."""
    if line.lstrip().startswith("#"):
        return "", line
    code, hash_, comment = line.partition(" # ")
    return code, hash_ + comment


def expected_statuses(blocks: list[str]) -> tuple[int, list[int]]:
    """How many curl commands the blocks run, and the statuses written after them."""
    curls, statuses = 0, []
    for block in blocks:
        for line in block.splitlines():
            code, comment = code_and_comment(line)
            curls += len(CURL.findall(code))
            statuses += [int(status) for status in STATUS.findall(comment)]
    return curls, statuses


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """`python3 dev.py run` on a new SQLite file: migrate, load_demo, runserver."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    database = tmp_path_factory.mktemp("demo") / "lanes.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "on",
        "DATABASE_URL": f"sqlite:///{database}",
        "LANES_DEMO_PASSWORD": "lanes-demo",
    }
    env.pop("SECRET_KEY", None)
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["load_demo"]):
        subprocess.run(
            manage + command, cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield url, env
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_every_documented_api_example_answers_its_documented_status(demo_server):
    url, env = demo_server
    blocks = shell_blocks(API_DOC)
    curls, expected = expected_statuses(blocks)
    assert curls == len(expected), "each curl example needs its status: # → 200"
    script = "\n".join(blocks)
    script = script.replace(DOCUMENTED_BASE, url)
    script = script.replace(DOCUMENTED_PYTHON, sys.executable)

    done = subprocess.run(
        ["bash", "-c", PRELUDE + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    answered = [int(s) for s in re.findall(r"^STATUS (\d{3})$", done.stderr, re.M)]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert answered == expected, done.stdout[-3000:]


def test_the_parser_counts_each_curl_and_its_status():
    blocks = [
        'X=$(curl -s "$LANES/a/" | first_id)   # → 200\n'
        'curl -s -X POST $LANES/b/ \\\n  -d \'{"a": 1}\'\n# → 201 {"id": 1}\n'
        '# ETag: "10.1"\n'
    ]

    assert expected_statuses(blocks) == (2, [200, 201])


SHELL_DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("path", SHELL_DOCS, ids=lambda p: p.name)
def test_shell_examples_call_the_virtual_environment(path):
    """`python manage.py` fails on a fresh clone: no Django outside `.venv`."""
    bare = [
        line
        for block in shell_blocks(path)
        for line in block.splitlines()
        if re.search(r"(?:^|[\s;&|(])python3? manage\.py", code_and_comment(line)[0])
    ]
    assert bare == []

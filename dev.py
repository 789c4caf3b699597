#!/usr/bin/env python3
"""Set up and run Lanes on this machine with nothing but Python 3.11+.

    python3 dev.py run     install, migrate, load the demo district, serve on 127.0.0.1:8000
                           (with a task worker beside the server)
    python3 dev.py test    install, then run the whole test suite (extra arguments go to pytest)

Both create a virtual environment in .venv and install the pinned requirements into it
(again only when a requirements file changed). `run` uses SQLite unless DATABASE_URL
says otherwise; `test` runs against DATABASE_URL too, so CI runs it once per database.
"""

import ctypes.util
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
CHROMIUM = "/usr/bin/chromium"


def run(*args: str, env: dict | None = None) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def install(requirements: str) -> None:
    """Create .venv and install `requirements` unless that exact file is installed already."""
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py may be started by an older python3)
        sys.exit("Lanes needs Python 3.11 or newer.")
    if not PYTHON.exists():
        print(f"Creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256()
    for name in ("requirements.txt", requirements):
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "-r", requirements)
    stamp.write_text(digest.hexdigest())


def apt_install(*packages: str) -> bool:
    """Install Debian packages with apt-get (as root, or through sudo -n); True if done."""
    if not shutil.which("apt-get"):
        return False
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if sudo and not shutil.which("sudo"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        run(*sudo, "apt-get", "update", "-qq", env=env)
        run(*sudo, "apt-get", "install", "-y", "-qq", *packages, env=env)
    except subprocess.CalledProcessError:
        return False
    return True


def ensure_chromium() -> None:
    """Install the system's Chromium for the browser tests when it is missing and possible."""
    if Path(CHROMIUM).exists():
        return
    if not apt_install("chromium"):
        print("Chromium could not be installed; browser tests will skip outside CI.")


def ensure_pango() -> None:
    """Install Pango, which WeasyPrint draws board packets with, when it is missing."""
    if ctypes.util.find_library("pango-1.0") and ctypes.util.find_library(
        "pangoft2-1.0"
    ):
        return
    if not apt_install("libpango-1.0-0", "libpangoft2-1.0-0"):
        print("Pango could not be installed: board packets cannot be made as PDF.")


def serve() -> None:
    install("requirements.txt")
    ensure_pango()
    env = {**os.environ}
    env.setdefault("DEBUG", "on")
    env.setdefault("LANES_DEMO_PASSWORD", "lanes-demo")
    manage = [str(PYTHON), "manage.py"]
    run(*manage, "migrate", "--noinput", env=env)
    run(*manage, "load_demo", env=env)
    # The task worker runs background work (reminders, packets, long deletes) beside
    # the server, and stops with it.
    print("+ manage.py db_worker (in the background)", flush=True)
    worker = subprocess.Popen([*manage, "db_worker"], cwd=ROOT, env=env)
    try:
        run(*manage, "runserver", "127.0.0.1:8000", env=env)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def test(pytest_args: list[str]) -> None:
    install("requirements-dev.txt")
    ensure_chromium()
    ensure_pango()
    env = {**os.environ}
    env.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
    # On every core (pytest-xdist), unless the arguments choose otherwise.
    parallel = (
        []
        if any(a.startswith(("-n", "--numprocesses")) for a in pytest_args)
        else ["-n", "auto"]
    )
    result = subprocess.run(
        [str(PYTHON), "-m", "pytest", *parallel, *pytest_args], cwd=ROOT, env=env
    )
    sys.exit(result.returncode)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        serve()
    elif command == "test":
        test(rest)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

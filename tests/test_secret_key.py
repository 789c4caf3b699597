"""Lanes refuses to start in production mode without a secret key.

Settings are read from the environment once, at start, so each check starts
`manage.py` in a fresh process with a clean environment (PATH only). The project is
laid out in a temporary folder with its own copy of `config/`, so a developer's
`.env` beside the real settings cannot supply the key.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The project without any `.env`: settings and manage.py copied, the rest linked."""
    folder = tmp_path_factory.mktemp("lanes")
    # Copied, not linked: settings find `.env` next to their resolved path.
    shutil.copytree(ROOT / "config", folder / "config")
    shutil.copy(ROOT / "manage.py", folder / "manage.py")
    for entry in ROOT.iterdir():
        if not (folder / entry.name).exists() and entry.name != ".env":
            (folder / entry.name).symlink_to(entry)
    return folder


def start(project: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=project,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_lanes_refuses_to_start_without_debug_or_a_secret_key(project):
    result = start(project)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_lanes_starts_without_a_secret_key_when_debug_is_on(project):
    result = start(project, DEBUG="on")
    assert result.returncode == 0, result.stderr
    assert "System check identified" in result.stdout

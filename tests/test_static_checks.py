"""Lint, formatting and static types, checked with the tests so CI runs them too.

Each tool runs as it would from the command line, from the repository root; a
failure shows the tool's own output. mypy keeps its cache in .mypy_cache, so a
repeated run only rechecks what changed.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", "."],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", "."],
    # Files, plugins and strictness come from [tool.mypy] in pyproject.toml.
    "mypy": [sys.executable, "-m", "mypy"],
}


@pytest.mark.parametrize("name", CHECKS)
def test_the_code_passes(name):
    result = subprocess.run(
        CHECKS[name],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "static-checks")},
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, f"{name} failed:\n{result.stdout}{result.stderr}"

"""The apps import downward only: a lower app knows nothing of the apps built on it.

district (the tenant, access, the API and admin bases) is the bottom; roles builds on
it; goals on both; tokens only on district; decisions on district, roles and goals; config wires them all together. Every
import statement of every module is read, those inside functions included.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each app must not import.
FORBIDDEN = {
    "district": {
        "roles",
        "goals",
        "tokens",
        "decisions",
        "publishing",
        "tiers",
        "routines",
        "rhythm",
    },
    "roles": {
        "goals",
        "tokens",
        "decisions",
        "publishing",
        "tiers",
        "routines",
        "rhythm",
    },
    "goals": {"tokens", "decisions", "publishing", "tiers", "routines", "rhythm"},
    "tokens": {
        "roles",
        "goals",
        "decisions",
        "publishing",
        "tiers",
        "routines",
        "rhythm",
    },
    "decisions": {"tokens", "publishing", "tiers", "routines", "rhythm"},
    "publishing": {"tokens", "decisions", "tiers", "routines", "rhythm"},
    "tiers": {"tokens", "decisions", "publishing", "routines", "rhythm"},
    "routines": {"tokens", "decisions", "publishing", "tiers", "rhythm"},
    "rhythm": {"tokens", "decisions", "publishing", "tiers", "routines"},
}


def imported_apps(path: Path) -> set[str]:
    """The top-level packages `path` imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules_of(app: str) -> list[Path]:
    return sorted((ROOT / app).rglob("*.py"))


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_no_app_above_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in modules_of(app)
    }
    assert {path: apps for path, apps in offending.items() if apps} == {}


def test_the_check_reads_imports_inside_functions(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "import roles.models\n"
        "def restore():\n"
        "    from goals.rollups import refresh_rollups\n"
        "    from .models import District\n"
    )

    assert imported_apps(module) == {"roles", "goals"}


def test_every_app_is_checked():
    apps = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if path.parent.name not in {"config"}
    }

    assert apps == set(FORBIDDEN)

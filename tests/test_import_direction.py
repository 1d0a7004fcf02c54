"""Imports point one way: the contract (vocabulary, case, validation) and the knowledge base
come first, the pure engine uses them, and everything else (CLI, API, web, storage,
reports, interop) sits around the engine.  A back-edge makes the core impossible to reuse
or test alone, so it is a test failure.

Around the engine, the REST API (plexnav.api) and the web pages (plexnav.web) share their
HTTP plumbing through plexnav.server and never import each other; only the application
factory (api/app.py) mounts both."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from plexnav.engine import facts
from plexnav.knowledge import conditions

SRC = Path(__file__).resolve().parents[1] / "src" / "plexnav"
OUTER = (
    "plexnav.cli",
    "plexnav.api",
    "plexnav.web",
    "plexnav.server",
    "plexnav.store",
    "plexnav.reports",
    "plexnav.interop",
    "plexnav.diary",
    "plexnav.modelcache",
    "plexnav.evaluation",
    "plexnav.settings",
)
COMPOSITION_ROOT = "api/app.py"  # the application factory: mounts the API routes and the pages
# module (file or package under src/plexnav) -> packages it must never import
FORBIDDEN = {
    "vocabulary.py": ("plexnav.knowledge", "plexnav.engine", *OUTER),
    "case.py": ("plexnav.knowledge", "plexnav.engine", *OUTER),
    "validation.py": ("plexnav.knowledge", "plexnav.engine", *OUTER),
    "knowledge": ("plexnav.engine", *OUTER),
    "engine": OUTER,
    "server": ("plexnav.api", "plexnav.web"),
    "web": ("plexnav.api",),
    "api": ("plexnav.web",),
}


def _imports(path: Path, package: str = "") -> set[str]:
    """Every module a file imports, wherever the import statement stands (lazy ones too),
    relative imports resolved against ``package`` (by default the file's own, under
    src/plexnav) and ``from plexnav import api`` read as ``plexnav.api``."""
    parts = (package or ".".join(("plexnav", *path.relative_to(SRC).parent.parts))).split(".")
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = parts[: len(parts) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_no_import_runs_back(module):
    target = SRC / module
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    files = [f for f in files if f.relative_to(SRC).as_posix() != COMPOSITION_ROOT]
    back = [
        (f.relative_to(SRC).as_posix(), name)
        for f in files
        for name in sorted(_imports(f))
        if any(name == p or name.startswith(p + ".") for p in FORBIDDEN[module])
    ]
    assert back == [], f"{module} imports what depends on it: {back}"


def test_the_scan_sees_lazy_relative_and_package_imports(tmp_path):
    """A back-edge written inside a function, relatively or as ``from plexnav import api``
    is still a back-edge."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    from ..api.routes import auth\n    from plexnav import api\n    from . import forms\n"
    )
    assert _imports(sample, "plexnav.web") >= {"plexnav.api.routes.auth", "plexnav.api", "plexnav.web.forms"}


def test_the_condition_checker_knows_the_evaluators_comparisons():
    """The loader checks rule conditions (knowledge.conditions) with the comparison words
    the engine evaluates them with (engine.facts)."""
    assert set(conditions.COMPARATORS) == set(facts._OPERATORS)

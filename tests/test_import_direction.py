"""Imports point one way: the contract (vocabulary, case, validation) and the knowledge base
come first, the pure engine uses them, and everything else (CLI, API, web, storage,
reports, interop) sits around the engine.  A back-edge makes the core impossible to reuse
or test alone, so it is a test failure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from plexnav.engine import facts
from plexnav.knowledge import conditions

SRC = Path(__file__).resolve().parents[1] / "src" / "plexnav"
OUTER = ("plexnav.cli", "plexnav.api", "plexnav.web", "plexnav.store", "plexnav.reports", "plexnav.interop",
         "plexnav.diary", "plexnav.modelcache", "plexnav.evaluation", "plexnav.settings")
# module (file or package under src/plexnav) -> packages it must never import
FORBIDDEN = {
    "vocabulary.py": ("plexnav.knowledge", "plexnav.engine", *OUTER),
    "case.py": ("plexnav.knowledge", "plexnav.engine", *OUTER),
    "validation.py": ("plexnav.knowledge", "plexnav.engine", *OUTER),
    "knowledge": ("plexnav.engine", *OUTER),
    "engine": OUTER,
}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, wherever the import statement stands (lazy ones too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_no_import_runs_back(module):
    target = SRC / module
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    back = [(f.relative_to(SRC).as_posix(), name) for f in files for name in sorted(_imports(f))
            if any(name == p or name.startswith(p + ".") for p in FORBIDDEN[module])]
    assert back == [], f"{module} imports what depends on it: {back}"


def test_the_condition_checker_knows_the_evaluators_comparisons():
    """The loader checks rule conditions (knowledge.conditions) with the comparison words
    the engine evaluates them with (engine.facts)."""
    assert set(conditions.COMPARATORS) == set(facts._COMPARATORS)

"""The on-disk copy of the engine tables gives the same model, and a damaged copy is ignored."""

from __future__ import annotations

import numpy as np

from plexnav import modelcache
from plexnav.engine.model import TABLES, get_model


def test_stored_model_equals_built_model(tmp_path, monkeypatch):
    monkeypatch.setenv("PLEXNAV_CACHE_DIR", str(tmp_path))
    modelcache.load_model.cache_clear()
    first = modelcache.load_model()  # builds and stores
    assert list(tmp_path.glob("plexnav/model-*.npz"))
    modelcache.load_model.cache_clear()
    second = modelcache.load_model()  # reads the stored copy
    reference = get_model()
    for name in TABLES:
        assert np.allclose(getattr(second, name), getattr(reference, name))
        assert np.allclose(getattr(first, name), getattr(reference, name))
    modelcache.load_model.cache_clear()


def test_damaged_copy_falls_back_to_building(tmp_path, monkeypatch):
    monkeypatch.setenv("PLEXNAV_CACHE_DIR", str(tmp_path))
    modelcache.load_model.cache_clear()
    modelcache.load_model()
    (stored,) = tmp_path.glob("plexnav/model-*.npz")
    stored.write_bytes(b"not a numpy archive")
    modelcache.load_model.cache_clear()
    model = modelcache.load_model()
    assert np.allclose(model.log_lik, get_model().log_lik)
    modelcache.load_model.cache_clear()


def test_unwritable_cache_still_gives_a_model(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("PLEXNAV_CACHE_DIR", str(blocker))  # a file, so the folder cannot be made
    modelcache.load_model.cache_clear()
    assert modelcache.load_model().log_lik.shape == get_model().log_lik.shape
    modelcache.load_model.cache_clear()


def _is_module(name: str) -> bool:
    import importlib.util
    from importlib import resources

    parent, _, leaf = name.rpartition(".")
    spec = importlib.util.find_spec(parent)
    if spec is None or spec.submodule_search_locations is None:
        return False
    return resources.files(parent).joinpath(f"{leaf}.py").is_file()


def _plexnav_imports(module: str) -> set[str]:
    """The plexnav modules one module imports (at any depth of its code, typing-only too)."""
    import ast
    from importlib import resources

    package, _, name = module.rpartition(".")
    tree = ast.parse((resources.files(package) / f"{name}.py").read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("plexnav"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                out.add(candidate if _is_module(candidate) else node.module)
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names if alias.name.startswith("plexnav")}
    return out


def test_stored_tables_are_keyed_by_all_the_code_that_shapes_them():
    """A change to any module the table code imports (the imaging evidence, say) must give a
    new fingerprint, or a stale copy of the tables would be read after an upgrade."""
    from plexnav.engine.model import TABLE_CODE

    seen: set[str] = set()
    todo = ["plexnav.engine.catalogue", "plexnav.engine.predict", "plexnav.engine.hypotheses", "plexnav.engine.model"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += sorted(_plexnav_imports(module))
    assert seen <= set(TABLE_CODE), sorted(seen - set(TABLE_CODE))

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

"""The engine snapshot (plexnav.modelcache): a fresh process reads the model, its knowledge
base and the guidance knowledge from one file instead of the YAML, and gets the same
assessments; a damaged, foreign or stale snapshot is never used."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

import numpy as np
import pytest

from plexnav import modelcache
from plexnav.engine.assess import assess
from plexnav.engine.model import get_model
from plexnav.examples import example_names, example_path
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.validation import parse_case


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PLEXNAV_CACHE_DIR", str(tmp_path))
    modelcache.load_model.cache_clear()
    yield tmp_path / "plexnav"
    modelcache.load_model.cache_clear()


def _snapshot(cache) -> os.PathLike:
    (path,) = cache.glob("engine-*.pickle")
    return path


def _same(mine, theirs, where: str) -> None:
    """Equal values, and arrays with the same dtype, layout and write flag, at any depth."""
    assert type(mine) is type(theirs), where
    if isinstance(theirs, np.ndarray):
        assert np.array_equal(mine, theirs) and mine.dtype == theirs.dtype, where
        assert mine.flags.writeable == theirs.flags.writeable, where
        assert (mine.flags.c_contiguous, mine.flags.f_contiguous) == (
            theirs.flags.c_contiguous,
            theirs.flags.f_contiguous,
        ), where
    elif isinstance(theirs, tuple):
        assert len(mine) == len(theirs), where
        for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, Mapping):
        assert list(mine) == list(theirs), where
        for key in theirs:
            _same(mine[key], theirs[key], f"{where}[{key!r}]")
    else:
        assert mine == theirs, where


def _answers(model, guidance) -> list[str]:
    return [assess(parse_case(example_path(n).read_bytes())[0], model, guidance).to_json() for n in example_names()]


def test_the_snapshot_gives_the_same_model_guidance_and_answers(cache):
    built = modelcache.load_model()  # no snapshot yet: built, then stored
    assert _snapshot(cache).stat().st_mode & 0o077 == 0  # this user's alone
    modelcache.load_model.cache_clear()
    read = modelcache.load_model()
    assert read is not built and read.kb is not built.kb
    guidance = modelcache.load_guidance()
    assert guidance is not load_guidance_knowledge()
    reference = get_model()
    for field in dataclasses.fields(reference):
        if field.name != "kb":
            _same(getattr(read, field.name), getattr(reference, field.name), field.name)
    assert read.kb.version_label == reference.kb.version_label
    assert dict(read.kb.node_data) == dict(reference.kb.node_data)
    assert list(read.kb.graph.edges) == list(reference.kb.graph.edges)
    assert guidance == load_guidance_knowledge()
    assert _answers(read, guidance) == _answers(reference, load_guidance_knowledge())


def test_a_damaged_snapshot_is_ignored_and_replaced(cache):
    modelcache.load_model()
    path = _snapshot(cache)
    path.write_bytes(path.read_bytes()[:1000])
    modelcache.load_model.cache_clear()
    model = modelcache.load_model()
    assert np.array_equal(model.log_lik, get_model().log_lik)
    assert path.stat().st_size > 1000  # written again


def test_a_snapshot_others_can_write_is_not_read(cache, monkeypatch):
    modelcache.load_model()
    path = _snapshot(cache)
    os.chmod(path, 0o666)
    read = []
    monkeypatch.setattr(modelcache.pickle, "load", lambda handle: read.append(handle) or ())
    modelcache.load_model.cache_clear()
    assert modelcache.load_model().log_lik.shape == get_model().log_lik.shape
    assert read == []


def test_the_key_changes_with_the_code_and_the_data(monkeypatch):
    key = modelcache.snapshot_key()
    assert key == modelcache.snapshot_key()
    original = modelcache.Path.read_bytes

    def edited(path):
        data = original(path)
        return data + b"\n# edited" if path.name in ("etiology.py", "causes.yaml") else data

    monkeypatch.setattr(modelcache.Path, "read_bytes", edited)
    assert modelcache.snapshot_key() != key


def test_an_unwritable_cache_still_gives_model_and_guidance(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("PLEXNAV_CACHE_DIR", str(blocker))
    modelcache.load_model.cache_clear()
    assert modelcache.load_model().log_lik.shape == get_model().log_lik.shape
    assert modelcache.load_guidance() == load_guidance_knowledge()
    modelcache.load_model.cache_clear()


def test_only_the_most_recent_snapshots_are_kept(cache):
    cache.mkdir(parents=True)
    old = []
    for i in range(modelcache.SNAPSHOTS_KEPT + 2):
        stale = cache / f"engine-stale{i}.pickle"
        stale.write_bytes(b"old")
        os.utime(stale, (1_000_000 + i, 1_000_000 + i))
        old.append(stale)
    modelcache.load_model()  # writes this code's snapshot, then prunes
    kept = sorted(p.name for p in cache.glob("engine-*.pickle"))
    assert len(kept) == modelcache.SNAPSHOTS_KEPT
    assert _snapshot_name() in kept
    assert [p.name for p in old[-(modelcache.SNAPSHOTS_KEPT - 1) :]] == sorted(set(kept) - {_snapshot_name()})


def _snapshot_name() -> str:
    return f"engine-{modelcache.snapshot_key()}.pickle"


def test_the_snapshot_keeps_the_work_of_a_first_assessment(cache, monkeypatch):
    """A fresh command reads, with the model, what a first assessment builds (the cause
    table, the explanation tables, the compiled conditions' code), so it does not build them
    again; its answers are those of a table built anew."""
    from plexnav.engine import etiology, facts

    modelcache.load_model()  # built and stored, with the work of assessing the examples
    modelcache.load_model.cache_clear()
    monkeypatch.setattr(facts, "COMPILED_SOURCES", {})
    built_tables = []
    real = etiology.CauseTable.__init__

    def counting(self, knowledge):
        built_tables.append(knowledge)
        real(self, knowledge)

    monkeypatch.setattr(etiology.CauseTable, "__init__", counting)
    model, guidance = modelcache.load_model(), modelcache.load_guidance()
    assert facts.COMPILED_SOURCES  # the conditions' code, read back
    answers = _answers(model, guidance)
    assert built_tables == []  # the cause table came with the snapshot
    monkeypatch.setattr(etiology.CauseTable, "__init__", real)
    assert answers == _answers(get_model(), load_guidance_knowledge())

"""Issue 12, item 5: concurrent first starts produced an empty session key (15/800) or
crashed (34/800).  The key is now created atomically (private temporary file, fsync, an
exclusive link into place) and an empty key is never accepted."""

from __future__ import annotations

import multiprocessing
import os
import stat

import pytest


def _read_key(data_dir: str, start, out) -> None:
    from plexnav.settings import Settings

    start.wait()
    try:
        out.put(Settings(data_dir=data_dir).resolved_secret_key())
    except Exception as exc:  # noqa: BLE001 - the parent reports what went wrong
        out.put(f"ERROR {exc.__class__.__name__}: {exc}")


def test_concurrent_first_starts_all_get_the_same_non_empty_key(tmp_path):
    ctx = multiprocessing.get_context("fork")
    rounds, starters = 10, 12
    for i in range(rounds):
        data_dir = str(tmp_path / f"round{i}")
        start, out = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_read_key, args=(data_dir, start, out)) for _ in range(starters)]
        for p in procs:
            p.start()
        start.set()
        keys = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert not [k for k in keys if k.startswith("ERROR")], keys
        assert len(set(keys)) == 1 and len(keys[0]) >= 32
        secret = os.path.join(data_dir, "session-secret.key")
        assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
        assert [n for n in os.listdir(data_dir) if n.startswith(".secret-")] == []  # no temporary files left


def test_an_empty_key_file_is_refused_naming_the_file(tmp_path):
    from plexnav.settings import SecretFileError, Settings

    (tmp_path / "session-secret.key").write_text("")
    with pytest.raises(SecretFileError, match="session-secret.key.*empty"):
        Settings(data_dir=tmp_path).resolved_secret_key()

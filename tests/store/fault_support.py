"""Real storage faults for tests: a small tmpfs that can be filled to the last byte or mounted
read-only, and a PostgreSQL database whose tablespace lives on such a tmpfs.

Nothing is mocked: SQLite and PostgreSQL meet ENOSPC and EROFS from the kernel.  Mounting
needs root (CAP_SYS_ADMIN); elsewhere the tests using these helpers are skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(size: str, read_only: bool = False, owner: tuple[int, int] | None = None) -> Iterator[Path]:
    """A fresh tmpfs of ``size`` (e.g. "4m") mounted on a new folder under /tmp, unmounted after."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    folder = Path(tempfile.mkdtemp(prefix="plexnav-fault-", dir="/tmp"))
    os.chmod(folder, 0o755)
    options = [f"size={size}", "mode=0755" if owner is None else "mode=0700"]
    if owner is not None:
        options += [f"uid={owner[0]}", f"gid={owner[1]}"]
    if read_only:
        options.append("ro")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), "plexnav-fault", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        folder.rmdir()


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


def fill(folder: Path) -> Path:
    """Write zeros into ``folder`` until the file system says it is full; returns the filler."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (65536, 4096, 512, 1):  # big blocks, then the last partial ones
            block = b"\0" * size
            try:
                while True:
                    os.write(fd, block)
            except OSError as exc:
                assert exc.errno == 28, exc  # ENOSPC: the disk is full for real
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0
    return filler


@contextmanager
def postgres_on_tmpfs(base_url: str, size: str) -> Iterator[tuple[str, Path]]:
    """A new database whose default tablespace (tables, indexes, catalogs) is on a tmpfs of
    ``size``; yields (database URL, mount folder).  The test server must run on this machine."""
    import psycopg
    from sqlalchemy.engine import make_url

    from plexnav.settings import normalise_database_url

    url = make_url(normalise_database_url(base_url))
    if url.host not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip("the PostgreSQL server is not on this machine: its tablespace cannot be put on a tmpfs here")
    admin = url.set(drivername="postgresql", database=url.database or "postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        data_directory = conn.execute("SHOW data_directory").fetchone()[0]
    stat = os.stat(data_directory)
    suffix = uuid.uuid4().hex[:12]
    space, name = f"plexnav_full_{suffix}", f"plexnav_full_{suffix}"
    with tmpfs(size, owner=(stat.st_uid, stat.st_gid)) as folder:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE {space} LOCATION '{folder}'")
            conn.execute(f'CREATE DATABASE "{name}" TABLESPACE {space}')
        try:
            yield url.set(database=name).render_as_string(hide_password=False), folder
        finally:
            (folder / "filler").unlink(missing_ok=True)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f"DROP TABLESPACE IF EXISTS {space}")
